"""What every handler needs: the services it talks to, and a log line per update."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.content import Content, Texts
from bot.core.schedule import QuietHours
from bot.places import Places
from bot.settings import Settings
from bot.storage import Storage
from bot.storage.common import UpdateMark

log = logging.getLogger("bot.updates")

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context, one per update (shared by every handler group), plus what the
    redelivery guard needs to know about this update."""

    def __init__(
        self, application: AnyApplication, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id, user_id)
        # Set by the redelivery guard for updates it watches.
        self.update_mark: UpdateMark | None = None
        # True once a write of this update's change recorded the mark in its transaction.
        self.update_recorded = False
        # True if a handler raised: such an update is not recorded, handling it again is right.
        self.update_failed = False

    @property
    def services(self) -> Services:
        found = self.bot_data[_SERVICES]
        assert isinstance(found, Services)
        return found

    @property
    def storage(self) -> Storage:
        return self.services.storage

    @property
    def content(self) -> Content:
        return self.services.content

    @property
    def texts(self) -> Texts:
        return self.services.content.texts

    def now(self) -> datetime:
        """The bot's clock (injectable: tests move it)."""
        return self.services.clock()


class SavedButNotShown(Exception):
    """A handler failed after its change was saved (its update recorded): the person must hear
    that it was saved, so they do not send it again (a repeat would be the next answer)."""


async def _was_saved(update: Update, context: Context) -> bool:
    """After a failure: did this update's change get saved before it? Only asked when a
    write meant to record it (so rarely), and read back rather than assumed: the failure
    may have been that very write."""
    mark = context.update_mark
    if not context.update_recorded or mark is None or update.effective_user is None:
        return False
    try:
        return await context.storage.was_applied(mark, update.effective_user.id)
    except Exception:
        return False  # the database is down too: nothing more to say than the failure


def applied(context: Context) -> UpdateMark | None:
    """This update's mark, for a write that records it in its own transaction (so the
    handler need not record it again afterwards)."""
    context.update_recorded = True
    return context.update_mark


R = TypeVar("R")
Handler = Callable[[Update, Context], Coroutine[Any, Any, R]]

_SERVICES = "services"


@dataclass(frozen=True)
class Services:
    """Built once in build_application and shared by every handler."""

    settings: Settings
    content: Content
    storage: Storage
    places: Places
    # The time, injectable so tests can move it; the same clock drives the dispatcher.
    clock: Callable[[], datetime]
    # Asks the dispatcher to run at a moment (a reminder was just scheduled for then).
    wake: Callable[[datetime], None]
    newest_update: NewestUpdate = field(default_factory=lambda: NewestUpdate())


@dataclass
class NewestUpdate:
    """The newest update id handled so far (from the database at start-up): an update with a
    higher id cannot be a repeat, so it needs no look-up."""

    id: int = -1


def install_services(application: AnyApplication, found: Services) -> None:
    application.bot_data[_SERVICES] = found


def logged(handler: Handler[R]) -> Handler[R]:
    """Logs one line per handled update: its id, the handler and how long it took. Never text."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> R:
        started = time.perf_counter()
        try:
            return await handler(update, context)
        except Exception as error:
            context.update_failed = True
            if not isinstance(error, SavedButNotShown) and await _was_saved(update, context):
                raise SavedButNotShown from error
            raise
        finally:
            log.info(
                "update=%s user=%s handler=%s ms=%.1f",
                update.update_id,
                update.effective_user.id if update.effective_user else None,
                handler.__name__,
                (time.perf_counter() - started) * 1000,
            )

    return wrapper


@dataclass(frozen=True)
class UserTime:
    """Where a person's clock is: their zone (or the default) and their quiet hours."""

    zone: ZoneInfo
    quiet: QuietHours | None


async def user_time(context: Context, user: int) -> UserTime:
    found = context.services
    clock = await found.storage.reminders.user_clock(user)
    return UserTime(ZoneInfo(clock.time_zone or found.settings.default_time_zone), clock.quiet)


def user_id(update: Update) -> int:
    """The sender; every handler here runs in a private chat, so there always is one."""
    assert update.effective_user is not None
    return update.effective_user.id


def chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id
