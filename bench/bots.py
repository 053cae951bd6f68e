"""The bots a benchmark runs, each as its own process: ours (`python -m bot`, or on uvloop)
and two bare PTB echo bots as the baseline (sequential, and with concurrent_updates)."""

from __future__ import annotations

import asyncio
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")


def run_echo(base_url: str, token: str, concurrent: bool) -> None:
    builder = ApplicationBuilder().token(token).base_url(base_url)
    if concurrent:
        builder = builder.concurrent_updates(True)
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=5)


def run_ours_on_uvloop() -> None:
    """`python -m bot` on uvloop's event loop instead of asyncio's, to measure what it gives."""
    import uvloop

    from bot.cli import main

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    main([])


def run_ours_with_one_queue() -> None:
    """`python -m bot` with PTB's AIORateLimiter instead of the people-first one: every send in
    one queue, as before (the baseline of bench.people_first)."""
    from telegram.ext import AIORateLimiter

    import bot.app
    from bot.cli import main

    def one_queue(per_second: float, background_floor: float) -> AIORateLimiter:
        return AIORateLimiter(overall_max_rate=per_second, overall_time_period=1, max_retries=3)

    bot.app.PeopleFirstRateLimiter = one_queue  # type: ignore[assignment,misc]
    main([])


def run_ours_unsealed() -> None:
    """`python -m bot` with what people write stored as it is, and no data keys looked up: the
    baseline that bench.conversation compares the sealed bot with. Only here: the bot itself
    has no such setting (it never starts writing plain text)."""
    import bot.storage.keys
    import bot.storage.sealing
    from bot.cli import main
    from bot.storage.sealing import DataKey

    plain = DataKey(b"none", bytes(32))

    async def no_key(self: object, user_id: int) -> DataKey:
        return plain

    bot.storage.sealing.DataKey.seal = lambda self, text, where: text  # type: ignore[method-assign]
    bot.storage.sealing.DataKey.open = lambda self, sealed, where: sealed  # type: ignore[method-assign]
    bot.storage.keys.Keyring.key = no_key  # type: ignore[method-assign]
    bot.storage.keys.Keyring.existing_key = no_key  # type: ignore[method-assign]
    main([])


if __name__ == "__main__":
    # python -m bench.bots echo-sequential|echo-concurrent BASE_URL TOKEN
    # python -m bench.bots ours-uvloop|ours-one-queue|ours-unsealed   (settings from the
    # environment)
    if sys.argv[1] == "ours-uvloop":
        run_ours_on_uvloop()
    elif sys.argv[1] == "ours-one-queue":
        run_ours_with_one_queue()
    elif sys.argv[1] == "ours-unsealed":
        run_ours_unsealed()
    else:
        kind, url, bot_token = sys.argv[1:4]
        run_echo(url, bot_token, concurrent=kind == "echo-concurrent")
