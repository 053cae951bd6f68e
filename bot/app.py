"""build_application: the one place that wires settings, content, storage, handlers and jobs."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from bot.concurrency import PerChatUpdateProcessor
from bot.content import Content, load_content
from bot.handlers.commands import MENU
from bot.handlers.context import AnyApplication, Context, Services, install_services
from bot.places import Places
from bot.reminders.dispatcher import Dispatcher
from bot.reminders.sender import ReminderSender
from bot.routing import register_handlers
from bot.sending import PeopleFirstRateLimiter, in_background
from bot.settings import Settings
from bot.storage import Storage, create_engine
from bot.storage.database import create_quick_engine
from bot.storage.keys import Keyring
from bot.storage.persistence import DraftPersistence
from bot.telegram_bot import SoftStartBot
from bot.telegram_http import AiohttpRequest

log = logging.getLogger(__name__)


def menu(content: Content) -> list[BotCommand]:
    """Telegram's command menu, described in content/."""
    return [BotCommand(name, getattr(content.commands, name)) for name in MENU]


async def _post_init(application: AnyApplication) -> None:
    found = application.bot_data["services"]
    # The newest update ever applied: anything newer cannot be a repeat (redelivery.py).
    found.newest_update.id = await found.storage.latest_applied_update() or 0
    await application.bot.set_my_commands(menu(found.content))
    log.info("started as @%s", application.bot.username)


async def _post_shutdown(application: AnyApplication) -> None:
    await application.bot_data["services"].storage.close()
    # Stopped before it ever started (a refused token, or a stop signal while Telegram was out
    # of reach): PTB skips the bot's shutdown then, which would leave its connections open.
    await application.bot.shutdown()


# getUpdates keeps an unconfirmed update for 24 hours; after that it cannot come again.
PROCESSED_UPDATES_KEPT = timedelta(days=2)


# Taps are remembered for seconds (a double tap); a day is plenty.
TAPS_KEPT = timedelta(days=1)


async def housekeeping(context: Context) -> None:
    """Deletes what is no longer kept: abandoned drafts, history past retention, old update ids."""
    found = context.services
    now = datetime.now(UTC)
    storage, settings = found.storage, found.settings
    drafts = await storage.expire_drafts(now - timedelta(days=settings.draft_expiry_days))
    history = 0
    if settings.retention_days:
        history = await storage.delete_history_before(now - timedelta(days=settings.retention_days))
    updates = await storage.prune_processed_updates(now - PROCESSED_UPDATES_KEPT)
    taps = await storage.prune_taps(now - TAPS_KEPT)
    inbox = await storage.inbox.prune(now - PROCESSED_UPDATES_KEPT)
    log.info(
        "housekeeping: drafts=%d history=%d update_ids=%d taps=%d inbox=%d",
        drafts,
        history,
        updates,
        taps,
        inbox,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


# The dispatcher runs at least this often, and sooner when a reminder is due sooner.
DISPATCH_EVERY = 60.0
SOON = "dispatch-soon"
DISPATCHER = "dispatcher"
DISPATCH_BATCH = 500


async def dispatch(context: Context) -> None:
    """Sends what is due, then sets the next wake-up if one is due within the minute."""
    found = context.services
    with in_background():  # reminders yield to people's answers (bot/sending.py)
        await context.bot_data[DISPATCHER].tick()
    earliest = await found.storage.reminders.earliest_due()
    if earliest is not None:
        _wake(context.application, found.clock, earliest)


def background_rate(settings: Settings) -> float:
    return settings.rate_limit_per_second * settings.background_floor_share


def _wake(application: AnyApplication, clock: Callable[[], datetime], moment: datetime) -> None:
    """Runs the dispatcher at `moment` if that is before its next regular run."""
    delay = (moment - clock()).total_seconds()
    if delay >= DISPATCH_EVERY or application.job_queue is None:
        return
    for job in application.job_queue.get_jobs_by_name(SOON):
        job.schedule_removal()
    application.job_queue.run_once(dispatch, when=max(delay, 0.0), name=SOON)


def build_application(
    settings: Settings,
    content: Content | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> AnyApplication:
    """The whole bot, ready for run_polling (or for tests to start by hand). `clock` is
    injectable so tests can move time for the reminders."""
    content = content or load_content(settings.content_dir, settings.locale)
    engine = create_engine(settings.database_url, settings.database_busy_timeout_seconds)
    storage = Storage(
        engine,
        Keyring.at(settings.key_places()),
        quick=create_quick_engine(engine, settings.database_busy_timeout_seconds),
    )
    bot = SoftStartBot(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        defaults=Defaults(parse_mode=ParseMode.HTML, disable_notification=False),
        request=AiohttpRequest(),
        # One long poll at a time; its read timeout is the poll's timeout plus this.
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        rate_limiter=PeopleFirstRateLimiter(
            settings.rate_limit_per_second, background_floor=settings.background_floor_share
        ),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=Context))
        .persistence(DraftPersistence(storage))
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    found = Services(
        settings=settings,
        content=content,
        storage=storage,
        places=Places(),
        clock=clock,
        wake=lambda moment: _wake(application, clock, moment),
    )
    install_services(application, found)
    application.bot_data[DISPATCHER] = Dispatcher(
        storage.reminders,
        ReminderSender(application.bot, content, storage),
        clock,
        grace=timedelta(minutes=settings.reminder_grace_minutes),
        # Long enough to send a whole batch twice over at the rate reminders are sure of (their
        # floor, while people take the rest): a claim must not run out while its reminders are
        # still going out.
        lease=timedelta(seconds=max(120.0, 2 * DISPATCH_BATCH / background_rate(settings))),
        batch=DISPATCH_BATCH,
        # Reminders in flight: about what the budget sends in half a second. Each one reads and
        # writes the database before it waits for its slot; more in flight would only queue
        # those writes in front of people's steps.
        concurrency=max(4, min(64, math.ceil(settings.rate_limit_per_second / 2))),
        default_zone=settings.default_time_zone,
    )
    register_handlers(application)
    assert application.job_queue is not None
    application.job_queue.run_repeating(housekeeping, interval=3600, first=60)
    application.job_queue.run_repeating(dispatch, interval=DISPATCH_EVERY, first=1)
    return application
