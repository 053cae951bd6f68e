"""The durability promise with a real process: SIGKILL after every step, restart, continue."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.driver import FakeUser
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.process import BotProcess
from tests.test_compose_flow import ANSWERS, QUESTIONS

STARTUP_TIMEOUT = 30


async def test_killed_after_every_step_the_conversation_continues(
    tmp_path: Path, telegram: FakeTelegram, database_url: str
) -> None:
    settings = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "DATABASE_URL": database_url,
        "POLL_TIMEOUT_SECONDS": "1",
    }
    alice = FakeUser(telegram, 1001, "Alice")
    bot = BotProcess(tmp_path, **settings)
    await bot.start()
    await alice.send("/compose")
    await alice.expect(QUESTIONS[0], timeout=STARTUP_TIMEOUT)
    for index, answer in enumerate(ANSWERS):
        await bot.stop(signal.SIGKILL)
        bot = BotProcess(tmp_path, **settings)
        await bot.start()
        await alice.send(answer)
        await alice.expect(QUESTIONS[index + 1], timeout=STARTUP_TIMEOUT)
    await bot.stop(signal.SIGKILL)
    bot = BotProcess(tmp_path, **settings)
    await bot.start()
    try:
        await alice.press("✅ Done")
        await alice.expect(r"^I feel anxious because the call ran late", timeout=STARTUP_TIMEOUT)
        await alice.send("/history")
        history = await alice.expect(r"page 1 of 1")
        assert history.text.count("I feel") == 1
    finally:
        assert await bot.stop(signal.SIGTERM) == 0, bot.stderr
