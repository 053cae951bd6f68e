"""The dispatcher: claims due reminders, sends them, and schedules what comes next.

One JobQueue job calls `tick()` (at the next due time, and at least every minute). Memory and
work per tick depend on how many reminders are due, not on how many users there are.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.reminder_kinds import rules_for
from bot.core.schedule import UNANSWERED_LIMIT, Due, decide, local_moment, next_daily
from bot.logs import is_passing, short_reason
from bot.storage.reminders import (
    HELD,
    SCHEDULED,
    DueReminder,
    ReminderRepository,
)

log = logging.getLogger(__name__)


class Sent(StrEnum):
    """How one send went."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the user blocked the bot
    RETRY = "retry"  # a passing failure: try again later


# send(reminder, offer_pause) -> outcome
Send = Callable[[DueReminder, bool], Awaitable[Sent]]


@dataclass(frozen=True)
class Tick:
    """What one tick did, by outcome ("sent", "missed", "not_needed", "blocked", "retry")."""

    counts: Counter[str]

    @property
    def sent(self) -> int:
        return self.counts["sent"]


class Dispatcher:
    def __init__(
        self,
        reminders: ReminderRepository,
        send: Send,
        clock: Callable[[], datetime],
        grace: timedelta,
        *,
        batch: int = 500,
        concurrency: int = 64,
        lease: timedelta = timedelta(minutes=2),
        retry_in: timedelta = timedelta(minutes=5),
        default_zone: str = "UTC",
    ) -> None:
        self.reminders = reminders
        self.send = send
        self.clock = clock
        self.grace = grace
        self.batch = batch
        self.lease = lease
        self.retry_in = retry_in
        self.default_zone = default_zone
        self._slots = asyncio.Semaphore(concurrency)
        self._running = asyncio.Lock()

    async def tick(self) -> Tick:
        """Handles everything due now, batch by batch, oldest first."""
        counts: Counter[str] = Counter()
        async with self._running:
            now = self.clock()
            while True:
                due = await self.reminders.claim_due(
                    now, now + self.lease, self.batch, self.default_zone
                )
                outcomes = await asyncio.gather(*(self._handle(item, now) for item in due))
                counts.update(outcomes)
                if len(due) < self.batch:
                    break
        if counts:
            log.info("dispatch: %s", dict(counts))
        else:
            log.debug("dispatch: nothing due")
        return Tick(counts)

    async def _handle(self, due: DueReminder, now: datetime) -> str:
        async with self._slots:
            try:
                return await self._handle_one(due, now)
            except Exception as error:
                # One bad reminder must not stop the others; its lease runs out and it is
                # tried again later.
                if is_passing(error):
                    log.warning("reminder=%s failed: %s", due.reminder.id, short_reason(error))
                else:
                    log.exception("reminder=%s failed", due.reminder.id)
                return "error"

    async def _handle_one(self, due: DueReminder, now: datetime) -> str:
        reminder = due.reminder
        assert reminder.next_fire_at is not None
        zone = ZoneInfo(due.time_zone)
        rules = rules_for(reminder.kind)
        done_today = rules.not_after_checkin and await self.reminders.checked_in_since(
            reminder.user_id, local_moment(now.astimezone(zone).date(), time(0), zone)
        )
        action = decide(reminder.next_fire_at, now, self.grace, already_done_today=done_today)
        if rules.late_is_fine:
            action = Due.SEND
        offer_pause = rules.counts_unanswered and reminder.unanswered >= UNANSWERED_LIMIT
        outcome = action.value
        unanswered = reminder.unanswered
        if action is Due.SEND:
            sent = await self.send(due, offer_pause)
            if sent is Sent.BLOCKED:
                log.info("user=%s blocked the bot; reminders off", reminder.user_id)
                await self.reminders.switch_off_user(reminder.user_id)
                return "blocked"
            if sent is Sent.RETRY:
                await self.reminders.release(reminder.id, now + self.retry_in)
                return "retry"
            unanswered += 1
            outcome = "sent"
        await self.reminders.finish(
            reminder.id,
            next_fire_at=self._next(due, now),
            unanswered=unanswered,
            status=HELD if offer_pause and action is Due.SEND else SCHEDULED,
        )
        return outcome

    def _next(self, due: DueReminder, now: datetime) -> datetime | None:
        """The daily check-in's next time; None for a one-shot (it is done)."""
        reminder = due.reminder
        if not rules_for(reminder.kind).recurs or reminder.at is None:
            return None
        return next_daily(reminder.at, ZoneInfo(due.time_zone), now, reminder.weekdays, due.quiet)
