"""soft-start (and python -m bot): run the bot, bring its database up to date, or check what it
would run with. A setting that cannot work is one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import signal
import stat
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot import logs
from bot.content import Content, ContentError, load_content
from bot.settings import ENV_FILE_VARIABLE, DatabaseSettings, EnvFileMissing, Settings, env_files
from bot.storage import StorageError, create_engine, migrate
from bot.storage.database import not_up_yet, schema_status, unusable, where
from bot.storage.keys import (
    KeyPlaces,
    Keyring,
    bot_running,
    key_places,
    key_status,
    prepare_keys,
    write_master_key,
)
from bot.storage.sealed import seal_existing, sealed_with, sealed_with_if_there
from bot.storage.sealing import MasterKey, new_master_key_text
from bot.telegram_bot import Backoff
from bot.telegram_http import AiohttpRequest

log = logging.getLogger("bot.cli")
EXIT_CONFIG = 2
# PTB's own stop signals, and SIGHUP (a closed terminal). Windows has no signal handlers.
STOP_SIGNALS = (
    None if os.name == "nt" else (signal.SIGINT, signal.SIGTERM, signal.SIGABRT, signal.SIGHUP)
)
BOTFATHER_HINT = (
    "Soft Start needs a bot token: talk to @BotFather in Telegram, send /newbot, and put the "
    "token it gives you in .env as TELEGRAM_BOT_TOKEN=... (see .env.example)."
)
MALFORMED_TOKEN = (
    "TELEGRAM_BOT_TOKEN does not look like a bot token (it should look like 123456789:AAE...). "
    "Copy it again from @BotFather."
)
NOT_FOUND = (
    "Telegram answered 404 Not Found: check TELEGRAM_API_BASE_URL (https://api.telegram.org/bot "
    "unless you run your own Bot API server) and the token."
)
REFUSED_TOKEN = (
    "Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again from "
    "@BotFather (/mybots -> API Token); it changes when it is revoked."
)


def installed_version() -> str:
    try:
        return version("soft-start")
    except PackageNotFoundError:
        return "unknown (not installed)"


class ConfigProblem(Exception):
    """A setting that cannot work; the message is the one line the operator reads."""


def fail(line: str) -> None:
    print(f"soft-start: {line}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def _problem(error: ValidationError) -> str:
    """One line naming each setting that is wrong and what would be right (never its value:
    it may be a password or the token)."""
    problems = error.errors()
    if any(problem["loc"] == ("telegram_bot_token",) for problem in problems):
        missing = any(problem["type"] == "missing" for problem in problems)
        return BOTFATHER_HINT if missing else MALFORMED_TOKEN
    described = []
    for problem in problems:
        name = ".".join(str(part) for part in problem["loc"]).upper()
        reason = re.sub(r"^Value error, ", "", problem["msg"])
        described.append(f"{name}: {reason}")
    return "; ".join(described) + " (see .env.example)"


def _settings_error(error: SettingsError) -> str:
    """pydantic-settings fails before validation when a JSON setting is not JSON."""
    found = re.search(r'field "(\w+)"', str(error))
    name = found.group(1).upper() if found else "a setting"
    return f'{name} is not valid JSON (like {{"*": "Our support line: 0800 000 000"}})'


S = TypeVar("S", bound=DatabaseSettings)


def _load(kind: type[S]) -> S:
    try:
        return kind(_env_file=env_files())  # type: ignore[call-arg]
    except ValidationError as error:
        raise ConfigProblem(_problem(error)) from error
    except SettingsError as error:
        raise ConfigProblem(_settings_error(error)) from error
    except EnvFileMissing as error:
        raise ConfigProblem(str(error)) from error
    except OSError as error:
        raise ConfigProblem(
            f"cannot read {error.filename}: {error.strerror} (the bot's user must be able to "
            "read it: chown it to that user, keep it chmod 600)"
        ) from error


def _token_for_redaction() -> str:
    return os.environ.get("TELEGRAM_BOT_TOKEN", "")


async def prepare_database(
    database_url: str, busy_timeout_seconds: float = 5.0, keys: KeyPlaces | None = None
) -> None:
    """Creates the database (an SQLite file, private to the bot), applies the migrations, checks
    the keys (made on a first start) and seals any text an earlier version kept in plain."""
    keys = keys or key_places(database_url)
    engine = create_engine(database_url, busy_timeout_seconds)
    try:
        async with one_preparer_at_a_time(engine):
            await migrate(engine)
            sealed = await sealed_with(engine)
            master, store_id = await prepare_keys(keys, sealed)
            if sealed is None:
                keyring = Keyring(master, create_engine(keys.store_url))
                try:
                    await seal_existing(engine, keyring, store_id)
                finally:
                    await keyring.close()
    finally:
        await engine.dispose()


# Any number; the same in every replica.
PREPARING_LOCK = 7_246_301


@asynccontextmanager
async def one_preparer_at_a_time(engine: AsyncEngine) -> AsyncIterator[None]:
    """Replicas started together (`docker compose up`) on a new PostgreSQL database: one
    migrates it and makes the keys while the others wait, instead of all creating the same
    tables at once (and all but one failing). SQLite serves one process anyway."""
    if engine.dialect.name != "postgresql":
        yield
        return
    try:
        connection = await engine.connect()
        await connection.execute(text("SELECT pg_advisory_lock(:lock)"), {"lock": PREPARING_LOCK})
    except (SQLAlchemyError, OSError) as error:
        # Said as the migration would say it (not up yet, refused, no such database).
        raise StorageError(unusable(engine, error)) from error
    try:
        yield
    finally:
        with contextlib.suppress(SQLAlchemyError, OSError):
            await connection.execute(
                text("SELECT pg_advisory_unlock(:lock)"), {"lock": PREPARING_LOCK}
            )
        await connection.close()


def run(_: argparse.Namespace) -> None:
    settings = _load(Settings)
    logs.configure(settings.log_level, settings.telegram_bot_token.get_secret_value())
    content = _content(settings)
    _warn_about_env_files()
    try:
        with bot_running(settings.key_places()):
            _run(settings, content)
    except StorageError as error:
        raise ConfigProblem(str(error)) from error


def _run(settings: Settings, content: Content) -> None:
    _database_ready(settings, wait=True)
    log.info("database: %s", where(make_url(settings.database_url)))
    # Imported here: `--help`, `--version` and `migrate` need none of the bot's machinery.
    from bot.app import build_application

    if settings.inbox:
        from bot.serve import ServeProblem, only_process_on_sqlite, serve

        with only_process_on_sqlite(settings.database_url):
            try:
                asyncio.run(serve(settings, content))
            except InvalidToken as error:
                fail(_refused(error))
            except ServeProblem as problem:
                fail(str(problem))
        return
    application = build_application(settings, content)
    try:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES,
            timeout=settings.poll_timeout_seconds,
            poll_interval=settings.poll_interval_seconds,
            # Telegram out of reach at start-up: keep trying, one line per attempt
            # (bot/telegram_bot.py), instead of exiting.
            bootstrap_retries=-1,
            # SIGHUP too (a closed terminal): a clean stop rather than a killed process.
            stop_signals=STOP_SIGNALS,
        )
    except InvalidToken as error:
        fail(_refused(error))


def _refused(error: InvalidToken) -> str:
    """Telegram answers 401 for a token it does not know, 404 for a path it does not have."""
    if "not found" in str(error.__cause__ or error).lower():
        return NOT_FOUND
    return REFUSED_TOKEN


def migrate_command(_: argparse.Namespace) -> None:
    settings = _load(DatabaseSettings)
    logs.configure(settings.log_level, _token_for_redaction())
    _database_ready(settings)
    print(f"soft-start: the database is up to date ({where(make_url(settings.database_url))})")


def keygen(_: argparse.Namespace) -> None:
    print(new_master_key_text())


def rotate_key(_: argparse.Namespace) -> None:
    settings = _load(DatabaseSettings)
    logs.configure(settings.log_level, _token_for_redaction())
    places = settings.key_places()
    try:
        with bot_running(places, alone=True):
            _database_ready(settings)
            count = asyncio.run(_rotate(places))
    except StorageError as error:
        raise ConfigProblem(str(error)) from error
    if places.master_text is None:
        print(
            f"soft-start: {count} data key(s) re-wrapped; the new master key is in "
            f"{places.master_file.resolve()} (destroy every copy of the old one)"
        )
    else:
        print(
            f"soft-start: {count} data key(s) re-wrapped under the new master key in "
            f"{_pending(places).resolve()}: put it in DATA_KEY before the next start, then "
            "delete that file (or point DATA_KEY_FILE at it); the old DATA_KEY opens nothing "
            "any more"
        )


def _pending(places: KeyPlaces) -> Path:
    return places.master_file.with_name(places.master_file.name + ".new")


async def _rotate(places: KeyPlaces) -> int:
    """The new key is on disk (synced) before any data key is re-wrapped under it, so that a
    crash in between leaves a key that opens everything."""
    text = new_master_key_text()
    write_master_key(_pending(places), text)
    keyring = Keyring.at(places)
    try:
        count = await keyring.rotate(MasterKey.from_text(text))
    finally:
        await keyring.close()
    if places.master_text is None:
        os.replace(_pending(places), places.master_file)
    return count


def check_config(arguments: argparse.Namespace) -> None:
    settings = _load(Settings)
    # Libraries' complaints (an HTML error page instead of JSON) would come before the one
    # line that says it better.
    logs.configure("ERROR", settings.telegram_bot_token.get_secret_value())
    _content(settings)
    database = _sqlite_file_problem(settings) or asyncio.run(_database_status(settings))
    try:
        keys = asyncio.run(_keys_status(settings))
    except StorageError as error:
        raise ConfigProblem(str(error)) from error
    telegram = "not checked (--offline)"
    if not arguments.offline:
        telegram = asyncio.run(_telegram_status(settings))
    for name, value in [*describe(settings, database, telegram), ("KEYS", keys)]:
        print(f"{name:<31} {value}")
    for warning in _env_file_warnings():
        print(f"note: {warning}")
    print("soft-start: the configuration is usable")


def _sqlite_file_problem(settings: Settings) -> str | None:
    """An SQLite file that is not there yet is not created (checking changes nothing on
    disk): whether it can be is the answer."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database).resolve()
    if not path.exists():
        folder = next(parent for parent in path.parents if parent.exists())
        if not os.access(folder, os.W_OK):
            raise ConfigProblem(f"cannot create {path}: {folder} is not writable by this user")
        return "not there yet: created at the first start"
    if not os.access(path, os.R_OK | os.W_OK):
        raise ConfigProblem(f"cannot use {path}: not readable and writable by this user")
    return None


async def _database_status(settings: Settings) -> str:
    """Reachable, and how far its schema is."""
    engine = create_engine(
        settings.database_url, settings.database_busy_timeout_seconds, prepare_file=False
    )
    try:
        return await schema_status(engine)
    except StorageError as error:
        raise ConfigProblem(str(error)) from error
    finally:
        await engine.dispose()


async def _keys_status(settings: Settings) -> str:
    """The keys, and whether they belong to the database (if it is there yet)."""
    sealed = None
    if _sqlite_file_problem(settings) is None:
        engine = create_engine(
            settings.database_url, settings.database_busy_timeout_seconds, prepare_file=False
        )
        try:
            sealed = await sealed_with_if_there(engine)
        finally:
            await engine.dispose()
    return await key_status(settings.key_places(), sealed)


async def _telegram_status(settings: Settings) -> str:
    """getMe once: the token and the API address, as `run` will use them."""
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        request=AiohttpRequest(),
    )
    try:
        async with bot:
            return f"reachable, the bot is @{bot.username}"
    except InvalidToken as error:
        raise ConfigProblem(_refused(error)) from error
    except TelegramError as error:
        raise ConfigProblem(
            f"cannot reach Telegram ({error.__class__.__name__}: {error.message}); the bot "
            "needs outbound HTTPS to api.telegram.org (check-config --offline skips this)"
        ) from error


def describe(settings: Settings, database: str, telegram: str) -> list[tuple[str, str]]:
    """Every setting as the bot would use it, secrets masked."""
    token = settings.telegram_bot_token.get_secret_value()
    shown: list[tuple[str, str]] = [
        ("settings read from", _read_env_files()),
        ("TELEGRAM_BOT_TOKEN", f"{token.partition(':')[0]}:*** (bot id shown, secret masked)"),
        ("TELEGRAM", telegram),
        ("DATABASE_URL", make_url(settings.database_url).render_as_string(hide_password=True)),
        ("DATABASE", f"{where(make_url(settings.database_url))}: {database}"),
    ]
    for name, value in settings.model_dump().items():
        if name in {"telegram_bot_token", "database_url"}:
            continue
        if name == "safety_resources":
            value = f"{len(value)} line(s) for {', '.join(sorted(value)) or 'nobody'}"
        shown.append((name.upper(), "(not set)" if value is None else str(value)))
    return shown


def _existing_env_files() -> list[Path]:
    found: list[Path] = []
    for path in env_files():
        if path.is_file() and path.resolve() not in found:
            found.append(path.resolve())
    return found


def _read_env_files() -> str:
    found = [str(path) for path in _existing_env_files()]
    return "the environment and " + ", ".join(found) if found else "the environment only"


def _env_file_warnings() -> list[str]:
    """A .env others can read (it holds the token), and names in it that are no setting (a
    typo the bot would otherwise ignore without a word)."""
    known = {name.upper() for name in Settings.model_fields} | {ENV_FILE_VARIABLE}
    warnings = []
    for path in _existing_env_files():
        if os.name != "nt" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            warnings.append(f"{path} can be read by other users: chmod 600 {path}")
        for name in sorted(set(dotenv_values(path)) - known):
            warnings.append(f"{name} in {path} is not a setting and is ignored (a typo?)")
    return warnings


def _warn_about_env_files() -> None:
    for warning in _env_file_warnings():
        log.warning("%s", warning)


def _content(settings: Settings) -> Content:
    try:
        content = load_content(settings.content_dir, settings.locale)
    except ContentError as error:
        raise ConfigProblem(str(error)) from error
    languages = {path.name for path in settings.content_dir.iterdir() if path.is_dir()}
    for key in settings.safety_resources:
        if key.islower() and key not in languages:
            raise ConfigProblem(
                f"SAFETY_RESOURCES: {key!r} is a language the bot does not speak "
                f"({', '.join(sorted(languages))}); that line would never be shown"
            )
    return content


def _database_ready(settings: DatabaseSettings, wait: bool = False) -> None:
    """Migrated; with `wait`, a database that is not up yet (a server still starting after a
    reboot) is waited for, one line per attempt, instead of stopping the bot for good."""
    backoff = Backoff()
    while True:
        try:
            asyncio.run(
                prepare_database(
                    settings.database_url,
                    settings.database_busy_timeout_seconds,
                    settings.key_places(),
                )
            )
            return
        except StorageError as error:
            if not (wait and error.__cause__ is not None and not_up_yet(error.__cause__)):
                raise ConfigProblem(str(error)) from error
            pause = backoff.next_pause()
            log.warning("%s; trying again in %.0f s", error, pause)
            time.sleep(pause)


def parser() -> argparse.ArgumentParser:
    described = argparse.ArgumentParser(
        prog="soft-start",
        description="Soft Start, a Telegram bot that helps you say a hard thing gently.",
        epilog="Settings come from the environment and .env (see .env.example).",
    )
    described.add_argument(
        "--version", action="version", version=f"soft-start {installed_version()}"
    )
    commands = described.add_subparsers(dest="command", metavar="COMMAND")
    chosen: dict[str, Callable[[argparse.Namespace], None]] = {
        "run": run,
        "migrate": migrate_command,
        "check-config": check_config,
        "keygen": keygen,
        "rotate-key": rotate_key,
    }
    helps = {
        "run": "run the bot: long polling, or a webhook with WEBHOOK_URL (the default)",
        "migrate": "bring the database up to date and exit (needs no token)",
        "check-config": "check every setting and the database; print what would be used",
        "keygen": "print a new master key for DATA_KEY",
        "rotate-key": "re-wrap every data key under a new master key (the texts stay as they are)",
    }
    for name, action in chosen.items():
        command = commands.add_parser(name, help=helps[name])
        command.set_defaults(action=action, offline=False)
        if name == "check-config":
            command.add_argument(
                "--offline", action="store_true", help="do not ask Telegram about the token"
            )
    described.set_defaults(action=run, offline=False)
    return described


def main(argv: list[str] | None = None) -> None:
    """argv without the program's name; the process's own arguments when None."""
    arguments = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        arguments.action(arguments)
    except ConfigProblem as problem:
        fail(str(problem))
    except KeyboardInterrupt:
        # Ctrl-C before the bot's own stop handling is in place (migrating, say).
        raise SystemExit(130) from None
