"""Running the bot as a self-hoster does: the command line, settings that cannot work, Telegram
or the network failing under it, and what the logs and the data folder hold afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot import cli
from bot.settings import PROJECT_ROOT, Settings, env_files
from tests.driver import FakeUser
from tests.fake_telegram import BOT_ID, TOKEN, FakeTelegram
from tests.postgres import PostgresServer
from tests.process import REPO, BotProcess, bot_environment, run_bot_to_exit

# A token of the right shape that the fake Telegram refuses (401), as Telegram does.
REVOKED = f"{BOT_ID}:AAHrevokedTokenNoLongerValid0123456789"


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- the command line ---------------------------------------------------------------------


def test_help_with_a_token_set_shows_the_commands_and_does_not_start(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        cwd=tmp_path,
        env=bot_environment(TELEGRAM_BOT_TOKEN=TOKEN),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert process.returncode == 0
    for command in ("run", "migrate", "check-config", "--version"):
        assert command in process.stdout
    assert not (tmp_path / "data").exists()  # nothing started, nothing created


def test_version_names_the_installed_release(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        cwd=tmp_path,
        env=bot_environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert process.returncode == 0
    assert process.stdout.strip().startswith("soft-start 0.")


async def test_migrate_needs_no_token_and_keeps_the_data_private(tmp_path: Path) -> None:
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"])
    assert status == 0, stderr
    folder = tmp_path / "data"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "softstart.sqlite3").stat().st_mode) == 0o600


async def test_migrate_tightens_a_database_file_an_older_version_left_readable(
    tmp_path: Path,
) -> None:
    assert (await run_bot_to_exit(tmp_path, extra_args=["migrate"]))[0] == 0
    database = tmp_path / "data" / "softstart.sqlite3"
    database.chmod(0o644)
    assert (await run_bot_to_exit(tmp_path, extra_args=["migrate"]))[0] == 0
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


async def test_check_config_prints_what_it_would_use_with_secrets_masked(
    tmp_path: Path, postgres_server: PostgresServer, telegram: FakeTelegram
) -> None:
    url = (await postgres_server.create_database()).replace(
        "postgresql+asyncpg://", "postgresql://"
    )
    password_url = url.replace("://postgres@", "://postgres:hunter2-secret@")
    status, stdout, stderr = await _check_config(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        DATABASE_URL=password_url,
        LOG_LEVEL="debug",
    )
    # The throwaway server trusts local connections, so the made-up password does no harm.
    assert status == 0, stderr
    assert f"{BOT_ID}:***" in stdout
    assert TOKEN.split(":")[1] not in stdout + stderr
    assert "hunter2-secret" not in stdout + stderr
    assert "postgresql+asyncpg://postgres:***@" in stdout
    assert "migrations to apply" in stdout  # a new database: reachable, not migrated yet
    assert "LOG_LEVEL" in stdout and "DEBUG" in stdout
    assert "reachable, the bot is @" in stdout  # it asked Telegram about the token
    assert stdout.strip().endswith("the configuration is usable")


async def test_check_config_says_what_run_would_say_about_telegram(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    status, _, stderr = await _check_config(
        tmp_path, TELEGRAM_BOT_TOKEN=REVOKED, TELEGRAM_API_BASE_URL=telegram.base_url
    )
    assert status == 2 and "Telegram refused TELEGRAM_BOT_TOKEN" in one_line(stderr)
    wrong_path = telegram.base_url.replace("/bot", "/api/bot")
    status, _, stderr = await _check_config(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=wrong_path
    )
    assert status == 2 and "404 Not Found: check TELEGRAM_API_BASE_URL" in one_line(stderr)
    status, stdout, stderr = await _check_config(
        tmp_path, "--offline", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=wrong_path
    )
    assert status == 0, stderr
    assert "not checked (--offline)" in stdout


async def test_check_config_changes_nothing_on_disk_and_notes_env_file_mistakes(
    tmp_path: Path,
) -> None:
    env_file = tmp_path / "soft-start.env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOGLEVEL=debug\n")
    env_file.chmod(0o644)
    status, stdout, stderr = await _check_config(
        tmp_path, "--offline", SOFT_START_ENV_FILE=str(env_file)
    )
    assert status == 0, stderr
    assert not (tmp_path / "data").exists()
    assert f"{tmp_path / 'data' / 'softstart.sqlite3'}: not there yet" in stdout
    assert f"LOGLEVEL in {env_file} is not a setting" in stdout
    assert f"chmod 600 {env_file}" in stdout


async def _check_config(cwd: Path, *flags: str, **settings: str) -> tuple[int, str, str]:
    settings.setdefault("SOFT_START_ENV_FILE", os.devnull)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "check-config",
        *flags,
        cwd=cwd,
        env=bot_environment(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_check_config_names_an_unreachable_database_by_host_and_port(
    tmp_path: Path,
) -> None:
    status, _, stderr = await _check_config(
        tmp_path,
        "--offline",
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL="postgresql://softstart:pw-secret@127.0.0.1:1/softstart",
    )
    assert status == 2
    line = one_line(stderr)
    assert "127.0.0.1:1" in line and "pw-secret" not in line


# --- settings that cannot work: one line, exit 2 ------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("LOG_LEVEL", "verbose", "LOG_LEVEL: use one of DEBUG, INFO, WARNING, ERROR"),
        ("SAFETY_RESOURCES", "{not json", "SAFETY_RESOURCES is not valid JSON"),
        ("DEFAULT_TIME_ZONE", "Mars/Olympus", "try Europe/Berlin"),
        ("DATABASE_URL", "mysql://root:Qv7secret@db/softstart", "mysql is not supported"),
        ("DATABASE_URL", "not a url at all", "not a database URL"),
        ("POLL_TIMEOUT_SECONDS", "90", "POLL_TIMEOUT_SECONDS"),
        ("DATABASE_URL", "postgresql://soft:Qv7@Jw4/x@127.0.0.1/db", "percent-encode"),
        ("DATABASE_URL", "postgresql+psycopg2://h/db", "write postgresql://"),
        ("DATABASE_URL", "postgresql://h/db?options=-csearch_path%3Dx", "options= is not"),
        ("SAFETY_RESOURCES", '{"Germany": "Call 0800"}', "use a country code (DE)"),
        ("SAFETY_RESOURCES", '{"de": "Ruf an"}', "a language the bot does not speak"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081", "ending in /bot"),
    ],
)
def test_a_setting_that_cannot_work_is_one_line_saying_what_to_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    value: str,
    expected: str,
) -> None:
    """The command line in this process (the same code `soft-start` runs; a process per case
    would cost a second each): the settings are read and refused before anything starts."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("SOFT_START_ENV_FILE", os.devnull)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(setting, value)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check-config", "--offline"])
    assert stopped.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert expected in line
    assert "Qv7" not in line and "Jw4" not in line  # no part of a password is ever echoed
    assert not (tmp_path / "data").exists()


async def test_the_url_forms_hosts_hand_out_work(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    plain = (await postgres_server.create_database()).replace(
        "postgresql+asyncpg://", "postgresql://"
    )
    # What a hosted PostgreSQL's connection string carries besides the address.
    plain += "?sslmode=disable&channel_binding=prefer&connect_timeout=5&application_name=x"
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], DATABASE_URL=plain)
    assert status == 0, stderr
    sqlite = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], DATABASE_URL=sqlite)
    assert status == 0, stderr
    assert (tmp_path / "plain.sqlite3").exists()


async def test_settings_can_come_from_a_named_env_file_anywhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "etc" / "soft-start.env"
    elsewhere.parent.mkdir()
    elsewhere.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=warning\n")
    run_here = tmp_path / "somewhere-else"
    run_here.mkdir()
    status, stdout, stderr = await _check_config(
        run_here, "--offline", SOFT_START_ENV_FILE=str(elsewhere)
    )
    assert status == 0, stderr
    assert str(elsewhere) in stdout and "WARNING" in stdout

    status, stderr = await run_bot_to_exit(
        run_here, SOFT_START_ENV_FILE=str(tmp_path / "missing.env")
    )
    assert status == 2 and "missing.env is not a file" in one_line(stderr)


def test_in_a_checkout_the_env_file_beside_the_project_is_read_then_the_current_folders() -> None:
    os.environ.pop("SOFT_START_ENV_FILE", None)
    assert env_files() == (PROJECT_ROOT / ".env", Path(".env"))
    assert REPO.resolve() == PROJECT_ROOT


async def _started(tmp_path: Path, telegram: FakeTelegram, **settings: str) -> BotProcess:
    """The bot as a process against the fake Telegram; short polls, so a stop is quick."""
    bot = BotProcess(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        POLL_TIMEOUT_SECONDS="1",
        **settings,
    )
    await bot.start()
    return bot


# --- Telegram failing under the bot ---------------------------------------------------------


async def test_a_token_telegram_refuses_is_one_line_and_exit_2(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    status, stderr = await run_bot_to_exit(
        tmp_path, TELEGRAM_BOT_TOKEN=REVOKED, TELEGRAM_API_BASE_URL=telegram.base_url
    )
    assert status == 2
    # A first start: the new data key (said loudly), the start's own line (which database),
    # then the reason it stopped; no traceback.
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr and len(lines) == 3, stderr
    assert "made a new data key at" in lines[0] and "Keep a copy" in lines[0]
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in stderr.strip().splitlines()[-1]
    assert REVOKED.split(":")[1] not in stderr


async def test_telegram_out_of_reach_at_start_up_is_retried_with_one_line_each(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    for _ in range(2):
        telegram.fail("getMe", 502, "Bad Gateway")
    bot = await _started(tmp_path, telegram, LOG_LEVEL="DEBUG")
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
    finally:
        status = await bot.stop()
    assert status == 0, bot.stderr
    failures = [line for line in bot.stderr.splitlines() if "getMe failed" in line]
    assert len(failures) == 2, bot.stderr
    assert "trying again in 1 s" in failures[0] and "trying again in 2 s" in failures[1]
    assert "getMe works again after 2 failed attempt(s)" in bot.stderr
    assert "Traceback" not in bot.stderr
    assert TOKEN.split(":")[1] not in bot.stderr


async def test_no_telegram_at_the_address_is_retried_and_a_stop_still_stops(
    tmp_path: Path, unused_port: int
) -> None:
    """A connection refused: aiohttp's error carries the URL (with the token); the line must
    not."""
    bot = BotProcess(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{unused_port}/bot",
        LOG_LEVEL="DEBUG",
    )
    await bot.start()
    await _wait_for_line(bot, "trying again in 2 s")
    assert await bot.stop(signal.SIGTERM) == 0, bot.stderr
    # The pauses are the ones the lines announce (PTB adds none of its own on top).
    stamps = [
        datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
        for line in bot.stderr.splitlines()
        if "getMe failed" in line
    ]
    assert 0.9 <= (stamps[1] - stamps[0]).total_seconds() < 1.8
    failures = [line for line in bot.stderr.splitlines() if "getMe failed" in line]
    assert failures and f"cannot connect to 127.0.0.1:{unused_port}" in failures[0]
    assert "Traceback" not in bot.stderr
    assert "Unclosed" not in bot.stderr  # its connections closed although it never started
    assert TOKEN.split(":")[1] not in bot.stderr


async def _wait_for_line(bot: BotProcess, text: str, timeout: float = 20) -> None:
    for _ in range(int(timeout * 10)):
        if text in bot.output.read_text(errors="replace"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot never logged {text!r}: {bot.output.read_text()}")


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_outage_while_polling_is_one_line_per_attempt_and_the_bot_comes_back(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    bot = await _started(tmp_path, telegram, LOG_LEVEL="DEBUG")
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
        for _ in range(2):
            telegram.fail("getUpdates", 502, "Bad Gateway")
        await _wait_for_line(bot, "trying again in 2 s")
        await alice.send("/help")
        await alice.expect(r"/compose", timeout=30)
    finally:
        status = await bot.stop()
    assert status == 0, bot.stderr
    failures = [line for line in bot.stderr.splitlines() if "getUpdates failed" in line]
    assert len(failures) == 2, bot.stderr
    assert "Traceback" not in bot.stderr
    # Each failed poll is one line (no traceback, no second line from the error handler).
    assert bot.stderr.count("Bad Gateway") == 2
    assert TOKEN.split(":")[1] not in bot.stderr


async def test_an_update_telegram_sends_that_cannot_be_read_is_skipped_by_its_id(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    words = "a very private sentence 5521"
    bot = await _started(tmp_path, telegram, LOG_LEVEL="DEBUG")
    alice = FakeUser(telegram, 1001, "Alice")
    bob = FakeUser(telegram, 1002, "Bob")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
        # A sender without the fields every user has: PTB cannot read the update.
        broken = telegram.push_update(
            {
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1003, "type": "private"},
                    "from": {"id": 1003},
                    "text": words,
                }
            }
        )
        await bob.send("/start")
        await bob.expect(r"Hi Bob", timeout=10)
        await alice.send("/help")
        await alice.expect(r"/compose")
    finally:
        status = await bot.stop()
    assert status == 0, bot.stderr
    assert f"update={broken} could not be read" in bot.stderr
    assert words not in bot.stderr
    assert "Traceback" not in bot.stderr
    assert TOKEN.split(":")[1] not in bot.stderr


# --- what stays on disk ----------------------------------------------------------------------


async def test_after_forget_the_words_are_in_neither_the_database_file_nor_its_wal(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    words = "the-kettle-argument-8812"
    bot = await _started(tmp_path, telegram)
    alice = FakeUser(telegram, 1001, "Alice")
    folder = tmp_path / "data"
    try:
        await alice.send("/compose")
        await alice.expect(r"How are you feeling", timeout=30)
        await alice.press("anxious")
        await alice.send(f"we had {words} again")
        await alice.expect(r"What are you doing|calm")
        # Sealed (bot/storage/sealing.py): not on disk even before /forget; the search itself
        # works (the schema's own words are there).
        assert _on_disk(folder, "drafts") and not _on_disk(folder, words)
        await alice.send("/forget")
        await alice.press("Yes, delete everything")
        await alice.expect(r"deleted")
        assert not _on_disk(folder, words)
    finally:
        assert await bot.stop() == 0, bot.stderr
    assert not _on_disk(folder, words)
    # At the default level the output is the bot's own events: no scheduler or migration
    # chatter, and no line per message from the safety screen (it read like an alarm).
    for noise in ("apscheduler", "alembic", "words_point_to_danger", "Running job"):
        assert noise not in bot.stderr
    assert "started as @" in bot.stderr


def _on_disk(folder: Path, words: str) -> bool:
    return any(words.encode() in path.read_bytes() for path in folder.glob("softstart*"))


# --- tasks.py as a supervisor sees it ------------------------------------------------------


def test_tasks_help_exits_0_and_lists_the_commands() -> None:
    process = subprocess.run(
        [sys.executable, "tasks.py", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0
    for command in ("run", "migrate", "test"):
        assert f"tasks.py {command}" in process.stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_tasks_run_is_the_bot_so_a_stop_signal_stops_it_cleanly(
    tmp_path: Path, telegram: FakeTelegram, sig: int
) -> None:
    env = bot_environment(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        POLL_TIMEOUT_SECONDS="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        SOFT_START_ENV_FILE=os.devnull,
    )
    # The same constraints as the run that installed .venv, so tasks.py finds it up to date.
    if "PIP_CONSTRAINT" in os.environ:
        env["PIP_CONSTRAINT"] = os.environ["PIP_CONSTRAINT"]
    output = tmp_path / "tasks-run.log"
    with output.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "tasks.py", "run", cwd=REPO, env=env, stdout=log, stderr=log
        )
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=60)
    finally:
        process.send_signal(sig)
        status = await asyncio.wait_for(process.wait(), 10)
    written = output.read_text()
    assert status == 0, written
    assert "Traceback" not in written and "KeyboardInterrupt" not in written
    # The process that got the signal was the bot itself: nothing polls any more.
    polls = len(telegram.calls_of("getUpdates"))
    await asyncio.sleep(2.5)
    assert len(telegram.calls_of("getUpdates")) == polls


# --- a database that comes up after the bot -----------------------------------------------


async def test_a_database_not_up_yet_is_waited_for_and_the_bot_then_starts(
    tmp_path: Path, telegram: FakeTelegram, postgres_server: PostgresServer, unused_port: int
) -> None:
    """After a reboot PostgreSQL may come up after the bot: the bot waits (one line per
    attempt) instead of stopping with exit 2, which a supervisor would not restart."""
    real = await postgres_server.create_database()
    server_port = make_url(real).port
    assert server_port is not None
    late = make_url(real).set(port=unused_port).render_as_string(hide_password=False)
    bot = await _started(tmp_path, telegram, DATABASE_URL=late)
    proxy: asyncio.Server | None = None
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await _wait_for_line(bot, "trying again in 2 s")
        proxy = await _forward(unused_port, server_port)  # the database comes up
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
    finally:
        status = await bot.stop()
        if proxy is not None:
            proxy.close()
    assert status == 0, bot.stderr
    waits = [line for line in bot.stderr.splitlines() if "trying again in" in line]
    assert waits and all(f"127.0.0.1:{unused_port}" in line for line in waits)
    assert "nothing answers there" in waits[0]
    assert "Traceback" not in bot.stderr


async def _forward(port: int, to_port: int) -> asyncio.Server:
    """A TCP forwarder: the PostgreSQL test server appearing on another port."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", to_port)
        await asyncio.gather(
            pipe(reader, upstream_writer), pipe(upstream_reader, writer), return_exceptions=True
        )

    return await asyncio.start_server(connect, "127.0.0.1", port)


async def test_a_database_that_does_not_exist_is_one_line_at_once(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = make_url(await postgres_server.create_database()).set(database="no_such_database")
    status, stderr = await run_bot_to_exit(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=url.render_as_string(hide_password=False),
    )
    assert status == 2
    assert "that database does not exist on the server" in one_line(stderr)


# --- small things an operator meets -------------------------------------------------------


async def test_sighup_from_a_closed_terminal_stops_the_bot_cleanly(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    bot = await _started(tmp_path, telegram)
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
    finally:
        status = await bot.stop(signal.SIGHUP)
    assert status == 0, bot.stderr
    assert "database: SQLite file" in bot.stderr  # the start names the database it uses


def test_tasks_with_an_unknown_command_says_so() -> None:
    process = subprocess.run(
        [sys.executable, "tasks.py", "bogus"], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 2
    assert "unknown command 'bogus'" in process.stderr


def test_an_env_file_the_bots_user_cannot_read_is_one_line(tmp_path: Path) -> None:
    """The README's /etc/soft-start.env, chmod 600, but owned by another user than the bot's.
    The tests run as root, who reads anything: setpriv takes that power away (as for any
    other user, the file's mode then decides)."""
    env_file = tmp_path / "soft-start.env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n")
    env_file.chmod(0o000)
    without_override = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    without_override += ["--inh-caps=-dac_override,-dac_read_search"]
    process = subprocess.run(
        [*without_override, sys.executable, "-m", "bot", "check-config", "--offline"],
        cwd=tmp_path,
        env=bot_environment(SOFT_START_ENV_FILE=str(env_file)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2, process.stderr
    line = one_line(process.stderr)
    assert f"cannot read {env_file}: Permission denied" in line and "chown" in line
