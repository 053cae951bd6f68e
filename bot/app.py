"""build_application: the one place that wires settings, content, storage, handlers and jobs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults

from bot.content import Content, load_content
from bot.handlers import register_handlers
from bot.handlers.context import AnyApplication, Services, install_services, services
from bot.settings import Settings
from bot.storage import Storage, create_engine
from bot.storage.persistence import DraftPersistence

log = logging.getLogger(__name__)


def menu(content: Content) -> list[BotCommand]:
    """Telegram's command menu, in the order content/ lists the commands."""
    return [BotCommand(name, text) for name, text in content.commands.model_dump().items()]


async def _post_init(application: AnyApplication) -> None:
    content = application.bot_data["services"].content
    await application.bot.set_my_commands(menu(content))
    log.info("started as @%s", application.bot.username)


async def _post_shutdown(application: AnyApplication) -> None:
    await application.bot_data["services"].storage.engine.dispose()


async def expire_drafts(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Abandoned drafts are not kept forever."""
    found = services(context)
    days = found.settings.draft_expiry_days
    removed = await found.storage.expire_drafts(datetime.now(UTC) - timedelta(days=days))
    if removed:
        log.info("expired %d abandoned drafts", removed)


def build_application(settings: Settings, content: Content | None = None) -> AnyApplication:
    """The whole bot, ready for run_polling (or for tests to start by hand)."""
    content = content or load_content(settings.content_dir, settings.locale)
    storage = Storage(create_engine(settings.database_url))
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, disable_notification=False))
        .persistence(DraftPersistence(storage))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    install_services(application, Services(settings=settings, content=content, storage=storage))
    register_handlers(application)
    assert application.job_queue is not None
    application.job_queue.run_repeating(expire_drafts, interval=3600, first=60)
    return application
