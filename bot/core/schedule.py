"""When a reminder fires next: local wall-clock times in the user's zone, across DST changes,
on chosen weekdays, outside quiet hours; and what to do with a reminder that is due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.timeparse import WEEKDAY

ALL_DAYS = frozenset(range(1, 8))  # ISO weekdays, Monday = 1
# A clock change never skips more than a few hours; walking further means a bad zone.
_LONGEST_GAP = timedelta(hours=4)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be aware")
    return moment.astimezone(UTC)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) when the wall clock in `zone` shows `at` on `day`.

    A time that does not exist (clocks spring forward past it) becomes the next minute that
    does; a time that happens twice (clocks fall back) is its first occurrence, so a daily
    reminder fires once."""
    naive = datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None))
    candidate = naive
    while candidate - naive <= _LONGEST_GAP:
        aware = candidate.replace(tzinfo=zone, fold=0)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
        candidate += timedelta(minutes=1)
    raise ValueError(f"{at} on {day} does not exist in {zone.key}")


@dataclass(frozen=True)
class QuietHours:
    """Local hours with no reminders, [start, end); may wrap past midnight (22:00-07:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def outside_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """`moment`, or the end of the quiet hours it falls in."""
    moment = _utc(moment)
    if quiet is None:
        return moment
    local = moment.astimezone(zone)
    if not quiet.contains(local.time()):
        return moment
    end_day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        end_day += timedelta(days=1)
    return local_moment(end_day, quiet.end, zone)


def next_daily(
    at: time,
    zone: ZoneInfo,
    after: datetime,
    weekdays: Iterable[int] = ALL_DAYS,
    quiet: QuietHours | None = None,
) -> datetime:
    """The first time after `after` that the daily reminder should fire (UTC)."""
    after = _utc(after)
    days = frozenset(weekdays)
    if not days or not days <= ALL_DAYS:
        raise ValueError("weekdays must be a non-empty set of 1..7")
    start = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.isoweekday() not in days:
            continue
        fire = outside_quiet_hours(local_moment(day, at, zone), zone, quiet)
        if fire > after:
            return fire
    raise AssertionError("a weekday always comes within 9 days")


def end_of_local_day(moment: datetime, zone: ZoneInfo) -> datetime:
    """The last instant of the local day `moment` falls in (for "skip today")."""
    day = _utc(moment).astimezone(zone).date() + timedelta(days=1)
    return local_moment(day, time(0, 0), zone) - timedelta(microseconds=1)


class Due(StrEnum):
    """What the dispatcher does with a reminder whose time has come."""

    SEND = "send"
    MISSED = "missed"  # the bot was down longer than the grace window: move on, don't send
    NOT_NEEDED = "not_needed"  # e.g. the user already checked in today


def decide(
    fire_at: datetime, now: datetime, grace: timedelta, *, already_done_today: bool = False
) -> Due:
    """Send a due reminder once; never one that is far too late or no longer needed."""
    if now - _utc(fire_at) > grace:
        return Due.MISSED
    if already_done_today:
        return Due.NOT_NEEDED
    return Due.SEND


# After this many nudges in a row with no answer, the bot asks once and then waits.
UNANSWERED_LIMIT = 3


class Later(StrEnum):
    """The moments people pick for a follow-up or for the end of a break."""

    MINUTES_20 = "20m"
    HOUR = "hour"
    EVENING = "evening"
    TOMORROW_MORNING = "morning"
    TOMORROW = "tomorrow"


EVENING = time(19, 0)
MORNING = time(9, 0)
# A break before a hard talk lasts at least 20 minutes and at most a day.
LONGEST_BREAK = timedelta(hours=24)


def later(choice: Later, now: datetime, zone: ZoneInfo) -> datetime:
    """When a chosen "later" is, as an instant (UTC); never more than a day away."""
    now = _utc(now)
    local = now.astimezone(zone)
    if choice is Later.MINUTES_20:
        moment = now + timedelta(minutes=20)
    elif choice is Later.HOUR:
        moment = now + timedelta(hours=1)
    elif choice is Later.EVENING:
        evening = local_moment(local.date(), EVENING, zone)
        moment = evening if evening > now + timedelta(minutes=20) else now + timedelta(hours=1)
    else:
        moment = local_moment(local.date() + timedelta(days=1), MORNING, zone)
    return min(moment, now + LONGEST_BREAK)


def next_day_evening(now: datetime, zone: ZoneInfo) -> datetime:
    """For "how did it go?": the next day at 19:00 local."""
    return local_moment(_utc(now).astimezone(zone).date() + timedelta(days=1), EVENING, zone)


# A follow-up's moment, as kept until it can be placed on the person's clock: a `Later`
# choice, "at HH:MM" (the next time their clock shows it), or the evening after.
NEXT_EVENING = "next_evening"
AT = "at "


def at_clock(clock: time) -> str:
    return f"{AT}{clock.isoformat('minutes')}"


def follow_up_moment(when: str, now: datetime, zone: ZoneInfo) -> datetime:
    """When a follow-up chosen as `when` fires (UTC)."""
    if when == NEXT_EVENING:
        return next_day_evening(now, zone)
    if when.startswith(AT):
        return next_daily(time.fromisoformat(when.removeprefix(AT)), zone, now)
    return later(Later(when), now, zone)


def needs_zone(when: str) -> bool:
    """Whether a follow-up's moment depends on the person's clock ("in an hour" does not)."""
    return when not in (Later.MINUTES_20, Later.HOUR)


@dataclass(frozen=True)
class SpokenTimes:
    """How a moment ahead is said (content/<locale>/texts.toml): "in 20 min (14:38)",
    "this evening at 19:00", "tomorrow at 08:00", "on Friday at 21:00", "on 3 Apr at 09:00"."""

    in_minutes: str  # {minutes} {time}
    in_minutes_only: str  # {minutes}: for someone whose clock is not known yet
    today: str  # {time}
    this_evening: str  # {time}
    tomorrow: str  # {time}
    weekday: str  # {weekday} {time}
    date: str  # {date} {time}
    time_format: str
    date_format: str
    weekday_names: tuple[str, ...]  # Monday first
    evening_from: time = time(17)


def spoken(moment: datetime, now: datetime, zone: ZoneInfo, say: SpokenTimes) -> str:
    """A moment ahead as people say it, in the person's own zone."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    clock = local.strftime(say.time_format)
    ahead = moment - now
    days = (local.date() - today.date()).days
    if timedelta(0) <= ahead < timedelta(hours=1) and days == 0:
        minutes = max(1, round(ahead.total_seconds() / 60))
        return say.in_minutes.format(minutes=minutes, time=clock)
    if days == 0:
        evening = local.time() >= say.evening_from
        return (say.this_evening if evening else say.today).format(time=clock)
    if days == 1:
        return say.tomorrow.format(time=clock)
    if 1 < days < 7:
        return say.weekday.format(weekday=say.weekday_names[local.weekday()], time=clock)
    return say.date.format(date=local.strftime(say.date_format), time=clock)


def spoken_ahead(moment: datetime, now: datetime, say: SpokenTimes) -> str:
    """ "in 20 min", for someone whose clock the bot does not know yet."""
    minutes = max(1, round((moment - now).total_seconds() / 60))
    return say.in_minutes_only.format(minutes=minutes)


# A time to talk, offered by the partner with one tap, on the offerer's clock.
TALK_EVENING = time(19, 0)
TALK_WEEKEND = time(11, 0)
SATURDAY = 5
# The reminder before a talk both agreed on comes this long before it (and not at all when the
# talk is closer than SOONEST_TALK_REMINDER).
TALK_LEAD = timedelta(minutes=30)
SOONEST_TALK_REMINDER = timedelta(minutes=5)


def talk_moment(slot: str, now: datetime, zone: ZoneInfo) -> datetime:
    """When "this evening", "tomorrow" or "this weekend" is, for a talk (UTC)."""
    now = _utc(now)
    today = now.astimezone(zone).date()
    if slot == "evening":
        return later(Later.EVENING, now, zone)
    if slot == "tomorrow":
        return local_moment(today + timedelta(days=1), TALK_EVENING, zone)
    if slot != "weekend":
        raise ValueError(f"{slot!r} is no time to talk")
    day = today + timedelta(days=(SATURDAY - today.weekday()) % 7)
    moment = local_moment(day, TALK_WEEKEND, zone)
    while moment < now + timedelta(minutes=20):
        # Saturday late morning has passed: Sunday's; Sunday's has passed: next Saturday's.
        day += timedelta(days=1 if day.weekday() == SATURDAY else 6)
        moment = local_moment(day, TALK_WEEKEND, zone)
    return moment


def typed_talk_moment(day: int, clock: time, now: datetime, zone: ZoneInfo) -> datetime:
    """A typed time to talk (bot/core/timeparse.py talk_time): `clock` tomorrow (`day` 1), on
    the next such weekday (WEEKDAY + the weekday), or the next time it comes round (0)."""
    today = _utc(now).astimezone(zone).date()
    if day >= WEEKDAY:
        on = today + timedelta(days=(day - WEEKDAY - today.weekday()) % 7)
        if local_moment(on, clock, zone) <= _utc(now):
            on += timedelta(days=7)  # that weekday's time has passed today: next week's
        return local_moment(on, clock, zone)
    if day:
        return local_moment(today + timedelta(days=day), clock, zone)
    return next_daily(clock, zone, now)


def talk_reminder_at(talk: datetime, now: datetime) -> datetime | None:
    """When to remind both of a talk they agreed on; None when it is too close for one."""
    remind = _utc(talk) - TALK_LEAD
    soonest = _utc(now) + SOONEST_TALK_REMINDER
    if remind >= soonest:
        return remind
    return None if _utc(talk) - soonest < timedelta(minutes=5) else soonest


def minutes_of(moment: datetime) -> int:
    """An instant as whole minutes since 1970 (small enough for a button's data)."""
    return int(_utc(moment).timestamp() // 60)


def moment_of(minutes: int) -> datetime:
    return datetime.fromtimestamp(minutes * 60, UTC)
