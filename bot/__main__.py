"""python -m bot: load settings, prepare the database, run the bot with long polling.

`python -m bot migrate` only applies the database migrations.
"""

from __future__ import annotations

import asyncio
import sys

from pydantic import ValidationError
from telegram import Update

from bot import logs
from bot.app import build_application
from bot.content import ContentError, load_content
from bot.settings import Settings
from bot.storage import StorageError, create_engine, migrate

BOTFATHER_HINT = (
    "Soft Start needs a bot token: talk to @BotFather in Telegram, send /newbot, and put the "
    "token it gives you in .env as TELEGRAM_BOT_TOKEN=... (see .env.example)."
)
EXIT_CONFIG = 2


def _fail(line: str) -> None:
    print(f"soft-start: {line}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def load_settings() -> Settings:
    """Settings, or one clear line and exit 2 when they cannot work."""
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as error:
        fields = {str(part) for problem in error.errors() for part in problem["loc"]}
        if "telegram_bot_token" in fields:
            missing = any(problem["type"] == "missing" for problem in error.errors())
            if missing:
                _fail(BOTFATHER_HINT)
            _fail(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (it should look like "
                "123456789:AAE...). Copy it again from @BotFather."
            )
        _fail(f"a setting is not valid: {', '.join(sorted(fields)).upper()} (see .env.example)")
    raise AssertionError("unreachable")


async def prepare_database(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def main(argv: list[str]) -> None:
    settings = load_settings()
    logs.configure(settings.log_level, settings.telegram_bot_token.get_secret_value())
    try:
        content = load_content(settings.content_dir, settings.locale)
        asyncio.run(prepare_database(settings.database_url))
    except (ContentError, StorageError) as error:
        _fail(str(error))
    if argv[1:2] == ["migrate"]:
        print("soft-start: the database is up to date")
        return
    application = build_application(settings, content)
    application.run_polling(
        allowed_updates=Update.ALL_TYPES,
        timeout=settings.poll_timeout_seconds,
        poll_interval=settings.poll_interval_seconds,
    )


if __name__ == "__main__":
    main(sys.argv)
