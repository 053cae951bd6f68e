"""`python -m bot` as an operator runs it: clear lines for bad settings, a run, a clean stop."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.driver import FakeUser
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.process import BotProcess, run_bot_to_exit


async def test_no_token_says_how_to_get_one(tmp_path: Path) -> None:
    status, stderr = await run_bot_to_exit(tmp_path)
    assert status == 2
    assert "@BotFather" in stderr and ".env" in stderr
    assert len(stderr.strip().splitlines()) == 1


async def test_a_malformed_token_is_named_without_echoing_it(tmp_path: Path) -> None:
    status, stderr = await run_bot_to_exit(tmp_path, TELEGRAM_BOT_TOKEN="oops-not-a-token")
    assert status == 2
    assert "does not look like a bot token" in stderr
    assert "oops-not-a-token" not in stderr


async def test_the_token_can_come_from_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=still-bad\n")
    status, stderr = await run_bot_to_exit(tmp_path)
    assert status == 2 and "does not look like a bot token" in stderr


async def test_an_undocumented_log_level_is_one_clear_line(tmp_path: Path) -> None:
    status, stderr = await run_bot_to_exit(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, LOG_LEVEL="verbose")
    assert status == 2 and "LOG_LEVEL" in stderr
    assert len(stderr.strip().splitlines()) == 1


async def test_a_malformed_database_url_is_one_clear_line(tmp_path: Path) -> None:
    status, stderr = await run_bot_to_exit(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL="not a url at all"
    )
    assert status == 2
    assert "DATABASE_URL" in stderr and len(stderr.strip().splitlines()) == 1


async def test_python_m_bot_holds_the_conversation_and_stops_cleanly(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    bot = BotProcess(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        POLL_TIMEOUT_SECONDS="2",
    )
    await bot.start()
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=20)
        await alice.press("Compose a soft start-up")
        await alice.press("anxious")
        await alice.send("the call ran late")
        await alice.press("taking a few slow breaths")
        await alice.press("a hug, if you're able")
        await alice.press("✅ Done")
        await alice.expect(r"^I feel anxious because the call ran late\. I'm taking a few slow")
    finally:
        started = time.monotonic()
        status = await bot.stop(signal.SIGTERM)
    assert status == 0, bot.stderr
    assert time.monotonic() - started < 5
    assert (tmp_path / "data" / "softstart.sqlite3").exists()
    assert TOKEN not in bot.stderr


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR"])
async def test_the_process_output_never_holds_what_people_wrote_or_the_token(
    tmp_path: Path, telegram: FakeTelegram, level: str
) -> None:
    """Every documented LOG_LEVEL, the whole process output (every library's logger), while a
    person composes, shares inline and hits a failed send."""
    secret = "zebra-umbrella-7741"
    bot = BotProcess(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        POLL_TIMEOUT_SECONDS="2",
        LOG_LEVEL=level,
    )
    await bot.start()
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/compose")
        await alice.expect(r"How are you feeling", timeout=20)
        await alice.send(f"anxious {secret}")
        await alice.expect(r"What happened")
        telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=alice.id)
        await alice.send(f"the call {secret}")
        await alice.expect(r"That's saved")
        await alice.send("/compose")
        await alice.press("taking a few slow breaths")
        await alice.press("a hug, if you're able")
        await alice.press("✅ Done")
        await alice.expect(secret)
        await alice.inline_query("")
    finally:
        status = await bot.stop(signal.SIGTERM)
    assert status == 0, bot.stderr
    if level == "DEBUG":
        assert "handler=" in bot.stderr  # the level took effect: the bot's own events are there
    assert secret not in bot.stderr
    assert TOKEN not in bot.stderr and TOKEN.split(":")[1] not in bot.stderr
