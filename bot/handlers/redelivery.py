"""Updates Telegram delivers again after a crash change nothing the second time.

A repeat is recognised by what Telegram repeats: the same update id *and* the same content.
Ids alone are not enough: after a week without updates Telegram numbers the next ones
randomly, so an old id can come back on a new message."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.handlers.context import AnyApplication, Context
from bot.storage import is_unavailable
from bot.storage.common import UpdateMark
from bot.telegram_bot import SoftStartBot

log = logging.getLogger(__name__)

# Set by the inbox (bot/inbox.py) around each update it hands over: False on its first attempt
# (the inbox keeps each update once, so it cannot have been handled), True when a replica died
# while handling it (its effects may be saved: looked up). None outside the inbox.
HANDLING_AGAIN: ContextVar[bool | None] = ContextVar("handling_again", default=None)


def update_mark(update: Update) -> UpdateMark | None:
    """The update's id and a key over its id and content; None for what is not guarded
    (inline queries: answering one again is harmless and they expire within seconds)."""
    if update.callback_query is not None:
        content = f"callback:{update.callback_query.id}"
    elif update.effective_message is not None and update.effective_chat is not None:
        message = update.effective_message
        edited = int(message.edit_date.timestamp()) if message.edit_date else 0
        content = f"message:{update.effective_chat.id}:{message.message_id}:{edited}"
    elif update.effective_user is not None and update.effective_chat is not None:
        # Membership changes (blocking the bot, ...): who, where, and the update itself.
        content = f"other:{update.effective_chat.id}:{update.effective_user.id}"
    else:
        return None
    digest = hashlib.blake2b(f"{update.update_id}|{content}".encode(), digest_size=8)
    return UpdateMark(update.update_id, digest.hexdigest())


async def skip_redelivered(update: Update, context: Context) -> None:
    """Stops an update that was handled already (recorded with its change, or after it).

    An id above every id applied so far is new and needs no look-up: the common case, and the
    composer's hot path. Anything else (a repeat, or any update after Telegram renumbered) is
    looked up by its key: one indexed read."""
    if update.effective_user is None:
        return
    mark = update_mark(update)
    if mark is None:
        return
    context.update_mark = mark
    again = HANDLING_AGAIN.get()
    if again is False:
        return  # the inbox's first attempt: stored once, never handled before
    newest = context.services.newest_update
    if again is None and update.update_id > newest.id:
        newest.id = update.update_id
        return
    if await context.storage.was_applied(mark, update.effective_user.id):
        log.info("update=%s was applied before; skipped", update.update_id)
        if again:
            # Handled again after a replica died: what the person waits for may not have gone.
            # A feature that knows sends it again; otherwise they hear that it went through,
            # never silence.
            for hook in context.application.bot_data.get(_AFTER_A_CRASH, []):
                if await hook(update, context):
                    break
            else:
                if update.effective_chat is not None:
                    await context.bot.send_message(
                        update.effective_chat.id, context.texts.went_through
                    )
            query, bot = update.callback_query, context.bot
            if query and isinstance(bot, SoftStartBot) and not bot.was_answered(query.id):
                await query.answer()
        raise ApplicationHandlerStop


_AFTER_A_CRASH = "after_a_crash"
CrashHook = Callable[[Update, Context], Awaitable[bool]]


def after_a_crash(application: AnyApplication, hook: CrashHook) -> None:
    """`hook` runs when an update a dead replica saved is handled again; it sends what the
    person waits for (True), or leaves it to the next hook (False)."""
    application.bot_data.setdefault(_AFTER_A_CRASH, []).append(hook)


async def after_handlers(update: Update, context: Context) -> None:
    """After every feature's handlers: a tap nobody answered is answered (once), and the
    update is recorded as handled."""
    query = update.callback_query
    bot = context.bot
    if query is not None and isinstance(bot, SoftStartBot) and not bot.was_answered(query.id):
        await query.answer()
    await record_handled(update, context)


async def record_handled(update: Update, context: Context) -> None:
    """The update is handled, and a redelivery must change nothing. Skipped when the change
    itself recorded it (the composer's steps, in the same statement), or when a handler
    failed (handling it again is then right)."""
    mark = context.update_mark
    if mark is None or context.update_recorded or context.update_failed:
        return
    assert update.effective_user is not None  # a mark is only made for updates with a user
    try:
        await context.storage.record_handled(update.effective_user.id, mark)
    except Exception as error:
        if not is_unavailable(error):
            raise
        # The person has their answer already; asking them to send it again would apply it
        # twice. Unrecorded, only a redelivery after a crash could repeat it.
        log.warning("update=%s: handled, but not recorded (database busy)", update.update_id)


# Feature handlers run in group 0; this after all of them.
LAST_GROUP = 99


def register(application: AnyApplication) -> None:
    # Group -3 runs before the safety check (-2) and every feature's handlers (0).
    application.add_handler(TypeHandler(Update, skip_redelivered), group=-3)
    application.add_handler(TypeHandler(Update, after_handlers), group=LAST_GROUP)
