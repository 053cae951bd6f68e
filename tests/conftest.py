"""Fixtures: the fake Bot API, the real Application running against it, and users to drive it."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.cli import prepare_database
from bot.content import Content, load_content
from bot.serve import Serving
from bot.settings import Settings
from tests.driver import ExpectationError, FakeUser, eventually
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.keys import TEST_DATA_KEY
from tests.postgres import PostgresServer, find_binaries

CONTENT_DIR = Path(__file__).parent.parent / "content"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_DIR, "en")


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = find_binaries()
    if binaries is None:
        reason = "PostgreSQL is not installed (no initdb/pg_ctl); install Debian's postgresql"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    server = PostgresServer(binaries)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test that touches the database runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'softstart.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def settings(telegram: FakeTelegram, database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        telegram_bot_token=SecretStr(TOKEN),
        # The key store in the test's own folder, also on PostgreSQL (whose default is the
        # working directory).
        data_key=SecretStr(TEST_DATA_KEY),
        key_store_url=f"sqlite+aiosqlite:///{tmp_path / 'keys' / 'softstart-keys.sqlite3'}",
        telegram_api_base_url=telegram.base_url,
        database_url=database_url,
        # Short, so the locked-database test does not wait long.
        database_busy_timeout_seconds=1.0,
        _env_file=None,  # type: ignore[call-arg]
    )


class FakeClock:
    """The bot's clock in tests: starts at a fixed moment and moves only when told."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.flowing_since: float | None = None

    def __call__(self) -> datetime:
        if self.flowing_since is not None:
            return self.now + timedelta(seconds=time.monotonic() - self.flowing_since)
        return self.now

    def flow(self) -> None:
        """From now on, time passes as in real life (for the real JobQueue, which waits in real
        seconds), starting from the moment set."""
        self.flowing_since = time.monotonic()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


@pytest.fixture
def clock() -> FakeClock:
    # A Friday in winter time, two days before Europe switches to summer time.
    return FakeClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))


async def _every_tap_answered_once(telegram: FakeTelegram) -> None:
    """Every end-to-end test ends with each tap answered exactly once (Telegram refuses a
    second answer; an unanswered one leaves the button spinning on the person's phone)."""

    async def all_answered() -> bool | None:
        return None if telegram.unanswered_callbacks() else True

    with contextlib.suppress(ExpectationError):
        await eventually(all_answered, "every tap answered", timeout=3)
    telegram.assert_callbacks_answered_once()


@asynccontextmanager
async def bot_running(
    settings: Settings, telegram: FakeTelegram, clock: FakeClock
) -> AsyncIterator[Any]:
    """The real Application with its inbox, polling the fake Bot API over HTTP, as `python -m
    bot` runs it (bot/serve.py); stopped as SIGTERM stops it."""
    await prepare_database(settings.database_url, keys=settings.key_places())
    serving = Serving(settings, clock=clock)
    telegram.polling_released = False
    try:
        await serving.start()
        yield serving.application
        await _every_tap_answered_once(telegram)
    finally:
        telegram.release_pollers()
        await serving.stop()


@pytest.fixture
async def running_bot(
    settings: Settings, telegram: FakeTelegram, clock: FakeClock
) -> AsyncIterator[Any]:
    async with bot_running(settings, telegram, clock) as application:
        yield application


@pytest.fixture
def alice(telegram: FakeTelegram, running_bot: Any) -> FakeUser:
    return FakeUser(telegram, 1001, "Alice")


@pytest.fixture
def bob(telegram: FakeTelegram, running_bot: Any) -> FakeUser:
    return FakeUser(telegram, 1002, "Bob")


# The measurement reports as the run's main process received them (see pytest_runtest_logreport).
_SHOWN: list[str] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """A test's new reports travel with its result: with pytest-xdist the test runs in a worker
    process, and only results reach the process that prints the summary."""
    from tests.reports import REPORTS

    outcome = yield
    if call.when == "call" and REPORTS:
        outcome.get_result().user_properties.extend(("measurement", text) for text in REPORTS)
        REPORTS.clear()


def pytest_runtest_logreport(report: Any) -> None:
    _SHOWN.extend(text for name, text in report.user_properties if name == "measurement")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Prints the measurement reports (the gentle check's precision and recall, safety recall)."""
    for report in _SHOWN:
        terminalreporter.write_line("")
        for line in report.splitlines():
            terminalreporter.write_line(line)
