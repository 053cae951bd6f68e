"""Reminders, check-ins and the user's reminder settings. Reached as `Storage.reminders`.

The reminders table is the schedule. Due rows are claimed (status "claimed" with a lease) before
anything is sent, with FOR UPDATE SKIP LOCKED on PostgreSQL, so two instances never send the
same reminder; a claim whose lease ran out (the bot died mid-send) is due again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.reminder_kinds import ReminderKind
from bot.core.schedule import ALL_DAYS, QuietHours
from bot.storage.common import aware, ensure_user
from bot.storage.keys import Keyring
from bot.storage.models import CheckinRow, ReminderRow, User
from bot.storage.sealed import open_text, seal_values
from bot.storage.sealing import Unreadable

log = logging.getLogger(__name__)

# The kinds (bot/core/reminder_kinds.py); the journal's check-ins and outcomes use the first
# two words too. A notice tells someone what another person just did (accepted, ended the
# pairing): written in the same transaction as the change, so a crash cannot lose it.
CHECKIN, OUTCOME = ReminderKind.CHECKIN.value, ReminderKind.OUTCOME.value
WEEKLY = ReminderKind.WEEKLY.value
SEND_LATER, CONTINUE = ReminderKind.SEND_LATER.value, ReminderKind.CONTINUE.value
NOTICE = ReminderKind.NOTICE.value
COME_BACK, TALK = ReminderKind.COME_BACK.value, ReminderKind.TALK.value
SCHEDULED, CLAIMED, HELD, PAUSED, OFF = "scheduled", "claimed", "held", "paused", "off"
# A follow-up chosen before the person's time zone was known: no moment yet, never due; placed
# on their clock once they say where they are.
NO_ZONE = "no_zone"


async def add_notice(
    session: AsyncSession, user_id: int, text: str, name: str, at: datetime
) -> None:
    """In the caller's transaction: tell `user_id` the text `text` (a key in content/, with
    `name` for its {name}), through the dispatcher: the database is the outbox."""
    session.add(
        ReminderRow(
            user_id=user_id,
            kind=NOTICE,
            next_fire_at=at,
            status=SCHEDULED,
            weekdays="",
            payload=json.dumps({"text": text, "name": name}),
        )
    )


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _days(text: str) -> frozenset[int]:
    return frozenset(int(char) for char in text) or ALL_DAYS


def days_text(days: frozenset[int]) -> str:
    return "".join(str(day) for day in sorted(days))


@dataclass(frozen=True)
class UserClock:
    """What scheduling needs to know about a user."""

    time_zone: str | None
    quiet: QuietHours | None


@dataclass(frozen=True)
class Reminder:
    id: int
    user_id: int
    kind: str
    at: time | None
    weekdays: frozenset[int]
    next_fire_at: datetime | None
    status: str
    paused_until: datetime | None
    unanswered: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class DueReminder:
    reminder: Reminder
    time_zone: str
    quiet: QuietHours | None


@dataclass(frozen=True)
class JournalEntry:
    kind: str
    feeling: str
    note: str
    created_at: datetime


def _quiet(user: User | None) -> QuietHours | None:
    if user is None or not user.quiet_start or not user.quiet_end:
        return None
    return QuietHours(time.fromisoformat(user.quiet_start), time.fromisoformat(user.quiet_end))


def _to_reminder(row: ReminderRow) -> Reminder:
    return Reminder(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        at=_clock(row.local_time),
        weekdays=_days(row.weekdays),
        next_fire_at=aware(row.next_fire_at) if row.next_fire_at else None,
        status=row.status,
        paused_until=aware(row.paused_until) if row.paused_until else None,
        unanswered=row.unanswered,
        payload=json.loads(row.payload or "{}"),
    )


async def _row_of(session: AsyncSession, user_id: int, kind: str) -> ReminderRow | None:
    """The person's recurring reminder of a kind (the daily check-in, the weekly reflection)."""
    rows = await session.scalars(
        select(ReminderRow).where(ReminderRow.user_id == user_id, ReminderRow.kind == kind)
    )
    return rows.first()


class ReminderRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: Keyring) -> None:
        self._sessions = sessions
        self._keys = keys

    # --- the user's settings ---------------------------------------------------------------

    async def user_clock(self, user_id: int) -> UserClock:
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            return UserClock(user.time_zone if user else None, _quiet(user))

    async def set_time_zone(self, user_id: int, zone: str) -> None:
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            await session.execute(update(User).where(User.id == user_id).values(time_zone=zone))

    async def set_quiet_hours(self, user_id: int, quiet: QuietHours | None) -> None:
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            start = quiet.start.strftime("%H:%M") if quiet else None
            end = quiet.end.strftime("%H:%M") if quiet else None
            await session.execute(
                update(User).where(User.id == user_id).values(quiet_start=start, quiet_end=end)
            )

    # --- reminders -------------------------------------------------------------------------

    async def daily(self, user_id: int) -> Reminder | None:
        async with self._sessions() as session:
            row = await _row_of(session, user_id, CHECKIN)
            return _to_reminder(row) if row else None

    async def save_daily(
        self,
        user_id: int,
        *,
        at: time,
        weekdays: frozenset[int],
        next_fire_at: datetime,
        status: str = SCHEDULED,
        paused_until: datetime | None = None,
    ) -> None:
        """Creates or changes the daily check-in; any change starts the "unanswered" count anew."""
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            row = await _row_of(session, user_id, CHECKIN)
            if row is None:
                row = ReminderRow(user_id=user_id, kind=CHECKIN, payload="{}")
                session.add(row)
            row.local_time = at.strftime("%H:%M")
            row.weekdays = days_text(weekdays)
            row.next_fire_at = next_fire_at
            row.status = status
            row.paused_until = paused_until
            row.claimed_until = None
            row.unanswered = 0

    async def save_daily_days(self, user_id: int, weekdays: frozenset[int]) -> None:
        """The days of a daily check-in that is not on: kept for when it is, nothing sent."""
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            row = await _row_of(session, user_id, CHECKIN)
            if row is None:
                row = ReminderRow(user_id=user_id, kind=CHECKIN, payload="{}", status=OFF)
                session.add(row)
            row.weekdays = days_text(weekdays)

    async def set_daily_status(self, user_id: int, status: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.kind == CHECKIN)
                .values(status=status, unanswered=0, claimed_until=None)
            )

    async def weekly(self, user_id: int) -> Reminder | None:
        """The weekly reflection, if the person ever turned it on."""
        async with self._sessions() as session:
            row = await _row_of(session, user_id, WEEKLY)
            return _to_reminder(row) if row else None

    async def save_weekly(
        self,
        user_id: int,
        *,
        at: time,
        weekdays: frozenset[int],
        next_fire_at: datetime | None,
        status: str,
    ) -> None:
        """Turns the weekly reflection on (when and on which day) or off."""
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            row = await _row_of(session, user_id, WEEKLY)
            if row is None:
                row = ReminderRow(user_id=user_id, kind=WEEKLY, payload="{}")
                session.add(row)
            row.local_time = at.strftime("%H:%M")
            row.weekdays = days_text(weekdays)
            row.next_fire_at = next_fire_at
            row.status = status
            row.claimed_until = None

    async def add_one_shot(
        self, user_id: int, kind: str, fire_at: datetime, payload: dict[str, Any]
    ) -> int:
        """A reminder that fires once ("send it at a calm moment", "ready to continue?")."""
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            row = ReminderRow(
                user_id=user_id,
                kind=kind,
                next_fire_at=fire_at,
                status=SCHEDULED,
                weekdays="",
                payload=json.dumps(payload),
            )
            session.add(row)
            await session.flush()
            return row.id

    async def add_waiting_for_zone(self, user_id: int, kind: str, payload: dict[str, Any]) -> None:
        """A follow-up whose moment needs the person's clock, which is not known yet."""
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            session.add(
                ReminderRow(
                    user_id=user_id,
                    kind=kind,
                    next_fire_at=None,
                    status=NO_ZONE,
                    weekdays="",
                    payload=json.dumps(payload),
                )
            )

    async def waiting_for_zone(self, user_id: int) -> list[Reminder]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.status == NO_ZONE)
                .order_by(ReminderRow.id)
            )
            return [_to_reminder(row) for row in rows]

    async def place_waiting(self, reminder_id: int, fire_at: datetime) -> bool:
        """Gives a waiting follow-up its moment; False if another update placed it already."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id, ReminderRow.status == NO_ZONE)
                .values(status=SCHEDULED, next_fire_at=fire_at)
            )
            return bool(getattr(result, "rowcount", 0))

    async def drop_waiting(self, reminder_id: int) -> bool:
        """Takes a waiting follow-up away to place it otherwise; False if it went already."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(ReminderRow).where(
                    ReminderRow.id == reminder_id, ReminderRow.status == NO_ZONE
                )
            )
            return bool(getattr(result, "rowcount", 0))

    async def reschedule_one_shot(self, reminder_id: int, fire_at: datetime) -> None:
        """A one-shot not sent yet comes at another moment."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id, ReminderRow.status == SCHEDULED)
                .values(next_fire_at=fire_at)
            )

    async def one_shots(self, user_id: int) -> list[Reminder]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.kind.notin_([CHECKIN, WEEKLY]))
                .order_by(ReminderRow.next_fire_at)
            )
            return [_to_reminder(row) for row in rows]

    async def switch_off_user(self, user_id: int) -> None:
        """The user blocked the bot: no reminder of theirs goes out again."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.kind == CHECKIN)
                .values(status=OFF, claimed_until=None)
            )
            await session.execute(
                delete(ReminderRow).where(
                    ReminderRow.user_id == user_id, ReminderRow.kind != CHECKIN
                )
            )

    # --- the dispatcher's side -------------------------------------------------------------

    def _due(self, now: datetime) -> Any:
        # `next_fire_at <= now` applies to every branch (a claim keeps the time it was due at),
        # and said once it lets the database read only the due part of the next_fire_at index:
        # a tick costs what is due, not how many reminders exist (bench.scale).
        return and_(
            ReminderRow.next_fire_at <= now,
            or_(
                ReminderRow.status.in_((SCHEDULED, PAUSED)),
                # A claim whose lease ran out: the bot died between claiming and finishing.
                and_(ReminderRow.status == CLAIMED, ReminderRow.claimed_until < now),
            ),
        )

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, default_zone: str = "UTC"
    ) -> list[DueReminder]:
        """Claims up to `limit` due reminders, oldest first, and returns them with their users'
        zones. Claimed rows are invisible to other claimers until finished or the lease ends."""
        async with self._sessions() as session, session.begin():
            query = (
                select(ReminderRow.id)
                .where(self._due(now))
                .order_by(ReminderRow.next_fire_at)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(await session.scalars(query))
            if not ids:
                return []
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id.in_(ids))
                .values(status=CLAIMED, claimed_until=lease_until)
            )
            rows = await session.execute(
                select(ReminderRow, User)
                .join(User, User.id == ReminderRow.user_id)
                .where(ReminderRow.id.in_(ids))
                .order_by(ReminderRow.next_fire_at)
            )
            return [
                DueReminder(_to_reminder(row), user.time_zone or default_zone, _quiet(user))
                for row, user in rows
            ]

    async def finish(
        self,
        reminder_id: int,
        *,
        next_fire_at: datetime | None,
        unanswered: int,
        status: str = SCHEDULED,
    ) -> None:
        """After a claim: the next time (or gone, for a one-shot)."""
        async with self._sessions() as session, session.begin():
            if next_fire_at is None and status == SCHEDULED:
                await session.execute(delete(ReminderRow).where(ReminderRow.id == reminder_id))
                return
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id)
                .values(
                    next_fire_at=next_fire_at,
                    unanswered=unanswered,
                    status=status,
                    claimed_until=None,
                    paused_until=None,
                )
            )

    async def release(self, reminder_id: int, retry_at: datetime) -> None:
        """A send that failed for a passing reason: try again later."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id)
                .values(status=SCHEDULED, next_fire_at=retry_at, claimed_until=None)
            )

    async def earliest_due(self) -> datetime | None:
        async with self._sessions() as session:
            found = await session.scalar(
                select(func.min(ReminderRow.next_fire_at)).where(
                    ReminderRow.status.in_((SCHEDULED, PAUSED))
                )
            )
            return aware(found) if found else None

    # --- check-ins -------------------------------------------------------------------------

    async def add_checkin(
        self, user_id: int, at: datetime, feeling: str, note: str = "", kind: str = CHECKIN
    ) -> None:
        """A journal entry; it also counts as answering the daily nudge."""
        key = await self._keys.key(user_id)
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            # Inserted first for its id, which is part of where each sealed text belongs.
            row = CheckinRow(user_id=user_id, feeling="", note="", kind=kind, created_at=at)
            session.add(row)
            await session.flush()
            texts = seal_values(
                key, "checkins", user_id, {"feeling": feeling, "note": note}, row.id
            )
            row.feeling, row.note = texts["feeling"], texts["note"]
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.kind == CHECKIN)
                .values(unanswered=0)
            )

    async def add_note_to_latest_checkin(self, user_id: int, note: str) -> bool:
        """ "Say more": a note on the person's latest check-in (False if they have none)."""
        key = await self._keys.key(user_id)
        async with self._sessions() as session, session.begin():
            row = await session.scalar(
                select(CheckinRow)
                .where(CheckinRow.user_id == user_id, CheckinRow.kind == CHECKIN)
                .order_by(CheckinRow.created_at.desc(), CheckinRow.id.desc())
                .limit(1)
            )
            if row is None:
                return False
            row.note = seal_values(key, "checkins", user_id, {"note": note}, row.id)["note"]
            return True

    async def answered(self, user_id: int) -> None:
        """Any answer to a nudge: the "unanswered" count starts again."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.kind == CHECKIN)
                .values(unanswered=0)
            )

    async def checked_in_since(self, user_id: int, since: datetime) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(CheckinRow.id)
                .where(
                    CheckinRow.user_id == user_id,
                    CheckinRow.kind == CHECKIN,
                    CheckinRow.created_at >= since,
                )
                .limit(1)
            )
            return found is not None

    async def journal(self, user_id: int, limit: int, offset: int = 0) -> list[JournalEntry]:
        key = await self._keys.existing_key(user_id)

        def entry(row: CheckinRow) -> JournalEntry | None:
            try:
                feeling = open_text(key, "checkins", "feeling", user_id, row.feeling, row.id)
                note = open_text(key, "checkins", "note", user_id, row.note, row.id)
            except Unreadable:
                # Changed outside the bot, or restored after its key was shredded: left out.
                log.warning("user=%s: check-in %s does not open; left out", user_id, row.id)
                return None
            return JournalEntry(row.kind, feeling, note, aware(row.created_at))

        async with self._sessions() as session:
            rows = await session.scalars(
                select(CheckinRow)
                .where(CheckinRow.user_id == user_id)
                .order_by(CheckinRow.created_at.desc(), CheckinRow.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return [found for found in map(entry, rows) if found is not None]
