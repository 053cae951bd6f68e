"""soft-start (and python -m bot): run the bot, bring its database up to date, or check what it
would run with. A setting that cannot work is one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.error import InvalidToken

from bot import logs
from bot.content import Content, ContentError, load_content
from bot.settings import DatabaseSettings, EnvFileMissing, Settings, env_files
from bot.storage import StorageError, create_engine, migrate
from bot.storage.database import schema_status

EXIT_CONFIG = 2
BOTFATHER_HINT = (
    "Soft Start needs a bot token: talk to @BotFather in Telegram, send /newbot, and put the "
    "token it gives you in .env as TELEGRAM_BOT_TOKEN=... (see .env.example)."
)
MALFORMED_TOKEN = (
    "TELEGRAM_BOT_TOKEN does not look like a bot token (it should look like 123456789:AAE...). "
    "Copy it again from @BotFather."
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


def _token_for_redaction() -> str:
    return os.environ.get("TELEGRAM_BOT_TOKEN", "")


async def prepare_database(database_url: str, busy_timeout_seconds: float = 5.0) -> None:
    """Creates the database (an SQLite file, private to the bot) and applies the migrations."""
    engine = create_engine(database_url, busy_timeout_seconds)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def run(_: argparse.Namespace) -> None:
    settings = _load(Settings)
    logs.configure(settings.log_level, settings.telegram_bot_token.get_secret_value())
    content = _content(settings)
    _database_ready(settings)
    # Imported here: `--help`, `--version` and `migrate` need none of the bot's machinery.
    from bot.app import build_application

    application = build_application(settings, content)
    try:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES,
            timeout=settings.poll_timeout_seconds,
            poll_interval=settings.poll_interval_seconds,
            # Telegram out of reach at start-up: keep trying, one line per attempt
            # (bot/telegram_bot.py), instead of exiting.
            bootstrap_retries=-1,
        )
    except InvalidToken:
        fail(REFUSED_TOKEN)


def migrate_command(_: argparse.Namespace) -> None:
    settings = _load(DatabaseSettings)
    logs.configure(settings.log_level, _token_for_redaction())
    _database_ready(settings)
    print("soft-start: the database is up to date")


def check_config(_: argparse.Namespace) -> None:
    settings = _load(Settings)
    _content(settings)
    engine = create_engine(settings.database_url, settings.database_busy_timeout_seconds)

    async def status() -> str:
        try:
            return await schema_status(engine)
        finally:
            await engine.dispose()

    try:
        database = asyncio.run(status())
    except StorageError as error:
        raise ConfigProblem(str(error)) from error
    for name, value in describe(settings, database):
        print(f"{name:<31} {value}")
    print("soft-start: the configuration is usable")


def describe(settings: Settings, database: str) -> list[tuple[str, str]]:
    """Every setting as the bot would use it, secrets masked."""
    token = settings.telegram_bot_token.get_secret_value()
    shown: list[tuple[str, str]] = [
        ("settings read from", _read_env_files()),
        ("TELEGRAM_BOT_TOKEN", f"{token.partition(':')[0]}:*** (bot id shown, secret masked)"),
        (
            "DATABASE_URL",
            f"{make_url(settings.database_url).render_as_string(hide_password=True)} ({database})",
        ),
    ]
    for name, value in settings.model_dump().items():
        if name in {"telegram_bot_token", "database_url"}:
            continue
        if name == "safety_resources":
            value = f"{len(value)} line(s) for {', '.join(sorted(value)) or 'nobody'}"
        shown.append((name.upper(), "(not set)" if value is None else str(value)))
    return shown


def _read_env_files() -> str:
    found = [str(path.resolve()) for path in env_files() if path.is_file()]
    return "the environment and " + ", ".join(found) if found else "the environment only"


def _content(settings: Settings) -> Content:
    try:
        return load_content(settings.content_dir, settings.locale)
    except ContentError as error:
        raise ConfigProblem(str(error)) from error


def _database_ready(settings: DatabaseSettings) -> None:
    try:
        asyncio.run(prepare_database(settings.database_url, settings.database_busy_timeout_seconds))
    except StorageError as error:
        raise ConfigProblem(str(error)) from error


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
    }
    helps = {
        "run": "run the bot with long polling (the default)",
        "migrate": "bring the database up to date and exit (needs no token)",
        "check-config": "check every setting and the database; print what would be used",
    }
    for name, action in chosen.items():
        commands.add_parser(name, help=helps[name]).set_defaults(action=action)
    described.set_defaults(action=run)
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
