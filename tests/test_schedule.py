"""core/schedule.py: local times across DST, weekdays, quiet hours, and the due decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schedule import (
    Due,
    Later,
    QuietHours,
    SpokenTimes,
    decide,
    end_of_local_day,
    follow_up_moment,
    later,
    local_moment,
    needs_zone,
    next_daily,
    outside_quiet_hours,
    spoken,
    talk_moment,
    talk_reminder_at,
    typed_talk_moment,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    "Europe/Berlin", "America/New_York", "America/Sao_Paulo", "Australia/Sydney",
    "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham",
    "America/St_Johns", "Europe/London", "Africa/Casablanca", "Pacific/Apia", "UTC",
]  # fmt: skip


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_berlin_evening_stays_at_21_local_across_the_spring_change() -> None:
    before = next_daily(time(21), BERLIN, utc(2026, 3, 28, 12))
    after = next_daily(time(21), BERLIN, before)
    assert before == utc(2026, 3, 28, 20)  # CET, UTC+1
    assert after == utc(2026, 3, 29, 19)  # CEST, UTC+2
    assert after.astimezone(BERLIN).hour == 21


def test_and_across_the_autumn_change() -> None:
    before = next_daily(time(21), BERLIN, utc(2026, 10, 24, 12))
    after = next_daily(time(21), BERLIN, before)
    assert (before, after) == (utc(2026, 10, 24, 19), utc(2026, 10, 25, 20))


def test_a_time_that_does_not_exist_fires_at_the_next_valid_minute() -> None:
    # 02:30 does not happen in Berlin on 29 March 2026: clocks jump from 02:00 to 03:00.
    fire = next_daily(time(2, 30), BERLIN, utc(2026, 3, 28, 12))
    assert fire == utc(2026, 3, 29, 1)
    assert fire.astimezone(BERLIN).time() == time(3, 0)


def test_a_repeated_time_fires_once() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026.
    first = next_daily(time(2, 30), BERLIN, utc(2026, 10, 24, 12))
    second = next_daily(time(2, 30), BERLIN, first)
    assert first == utc(2026, 10, 25, 0, 30)  # the first 02:30 (CEST)
    assert second == utc(2026, 10, 26, 1, 30)  # the next day, not the second 02:30


def test_weekdays_are_respected() -> None:
    # 27 March 2026 is a Friday; weekdays only -> Monday.
    fire = next_daily(time(9), NEW_YORK, utc(2026, 3, 27, 20), weekdays={1, 2, 3, 4, 5})
    assert fire.astimezone(NEW_YORK).date() == date(2026, 3, 30)


def test_quiet_hours_move_a_reminder_to_their_end() -> None:
    quiet = QuietHours(time(22), time(7))
    assert quiet.contains(time(23)) and quiet.contains(time(6, 59)) and not quiet.contains(time(7))
    moved = outside_quiet_hours(utc(2026, 3, 27, 22, 30), BERLIN, quiet)  # 23:30 local
    assert moved.astimezone(BERLIN) == datetime(2026, 3, 28, 7, tzinfo=BERLIN)
    early = outside_quiet_hours(utc(2026, 3, 27, 4), BERLIN, quiet)  # 05:00 local
    assert early.astimezone(BERLIN) == datetime(2026, 3, 27, 7, tzinfo=BERLIN)
    daily = next_daily(time(23), BERLIN, utc(2026, 3, 27, 12), quiet=quiet)
    assert daily.astimezone(BERLIN).time() == time(7)


def test_skip_today_means_the_next_day() -> None:
    now = utc(2026, 3, 27, 12)
    fire = next_daily(time(21), BERLIN, end_of_local_day(now, BERLIN))
    assert fire.astimezone(BERLIN).date() == date(2026, 3, 28)


def test_the_due_decision() -> None:
    fire, grace = utc(2026, 3, 27, 20), timedelta(hours=2)
    assert decide(fire, fire + timedelta(minutes=1), grace) is Due.SEND
    assert decide(fire, fire + timedelta(hours=1, minutes=59), grace) is Due.SEND
    assert decide(fire, fire + timedelta(hours=2, minutes=1), grace) is Due.MISSED
    assert decide(fire, fire, grace, already_done_today=True) is Due.NOT_NEEDED


def test_later_choices_and_the_longest_break() -> None:
    now = utc(2026, 3, 27, 12)  # 13:00 in Berlin
    assert later(Later.MINUTES_20, now, BERLIN) == now + timedelta(minutes=20)
    assert later(Later.HOUR, now, BERLIN) == now + timedelta(hours=1)
    assert later(Later.EVENING, now, BERLIN).astimezone(BERLIN).hour == 19
    morning = later(Later.TOMORROW_MORNING, now, BERLIN)
    assert morning.astimezone(BERLIN) == datetime(2026, 3, 28, 9, tzinfo=BERLIN)
    late = utc(2026, 3, 27, 20)  # 21:00: "this evening" is past, so in an hour
    assert later(Later.EVENING, late, BERLIN) == late + timedelta(hours=1)
    dawn = utc(2026, 3, 27, 7)  # 08:00: tomorrow 09:00 is 25 hours away; a break is at most 24
    assert later(Later.TOMORROW_MORNING, dawn, BERLIN) == dawn + timedelta(hours=24)


def test_aware_times_only() -> None:
    with pytest.raises(ValueError):
        next_daily(time(21), BERLIN, datetime(2026, 3, 27, 12))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    after=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
        lambda moment: moment.replace(tzinfo=UTC)
    ),
    weekdays=st.frozensets(st.integers(1, 7), min_size=1),
)
def test_next_daily_properties(
    zone: str, at: time, after: datetime, weekdays: frozenset[int]
) -> None:
    tz = ZoneInfo(zone)
    fire = next_daily(at, tz, after, weekdays)
    local = fire.astimezone(tz)
    # Always later, within about a week, on a chosen day.
    assert after < fire <= after + timedelta(days=8, hours=3)
    assert local.isoweekday() in weekdays
    # At the chosen wall-clock time, or (if that time did not exist that day) just after a gap.
    if local.time() != at:
        assert local_moment(local.date(), at, tz) == fire
        assert local.time() > at
    # Firing, then asking again, never gives the same instant twice.
    assert next_daily(at, tz, fire, weekdays) > fire


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_every_local_time_maps_to_one_instant_on_its_day_or_just_after(
    zone: str, day: date, at: time
) -> None:
    tz = ZoneInfo(zone)
    moment = local_moment(day, at, tz).astimezone(tz)
    assert moment.date() == day or at >= time(22)
    assert moment.replace(tzinfo=None) >= datetime.combine(day, at)


SAY = SpokenTimes(
    in_minutes="in {minutes} min ({time})",
    in_minutes_only="in {minutes} min",
    today="today at {time}",
    this_evening="this evening at {time}",
    tomorrow="tomorrow at {time}",
    weekday="on {weekday} at {time}",
    date="on {date} at {time}",
    time_format="%H:%M",
    date_format="%d %b",
    weekday_names=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
)


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        (utc(2026, 3, 27, 12, 20), "in 20 min (13:20)"),  # Berlin is UTC+1 until the 29th
        (utc(2026, 3, 27, 13, 0), "today at 14:00"),
        (utc(2026, 3, 27, 18, 0), "this evening at 19:00"),
        (utc(2026, 3, 27, 23, 30), "tomorrow at 00:30"),  # Berlin's tomorrow, UTC's today
        (utc(2026, 3, 28, 7, 0), "tomorrow at 08:00"),
        (utc(2026, 3, 29, 19, 0), "on Sunday at 21:00"),  # summer time from the 29th
        (utc(2026, 4, 2, 7, 0), "on Thursday at 09:00"),
        (utc(2026, 4, 3, 7, 0), "on 03 Apr at 09:00"),  # a week or more: the date
    ],
)
def test_a_moment_ahead_is_said_as_people_say_it(moment: datetime, said: str) -> None:
    now = utc(2026, 3, 27, 12, 0)  # a Friday, 13:00 in Berlin
    assert spoken(moment, now, BERLIN, SAY) == said


@pytest.mark.parametrize(
    ("slot", "now", "expected"),
    [
        # Friday 27 March 2026, 13:00 in Berlin.
        ("evening", utc(2026, 3, 27, 12), datetime(2026, 3, 27, 19, tzinfo=BERLIN)),
        ("tomorrow", utc(2026, 3, 27, 12), datetime(2026, 3, 28, 19, tzinfo=BERLIN)),
        ("weekend", utc(2026, 3, 27, 12), datetime(2026, 3, 28, 11, tzinfo=BERLIN)),
        # Saturday after 11: Sunday's (summer time from that night on).
        ("weekend", utc(2026, 3, 28, 12), datetime(2026, 3, 29, 11, tzinfo=BERLIN)),
        # Sunday after 11: next Saturday's.
        ("weekend", utc(2026, 3, 29, 12), datetime(2026, 4, 4, 11, tzinfo=BERLIN)),
        # Late in the evening, "this evening" is an hour from now.
        ("evening", utc(2026, 3, 27, 21), utc(2026, 3, 27, 22)),
    ],
)
def test_when_a_time_to_talk_is(slot: str, now: datetime, expected: datetime) -> None:
    assert talk_moment(slot, now, BERLIN) == expected


def test_a_reminder_half_an_hour_before_a_talk_unless_it_is_too_close() -> None:
    now = utc(2026, 3, 27, 12)
    assert talk_reminder_at(utc(2026, 3, 27, 18), now) == utc(2026, 3, 27, 17, 30)
    assert talk_reminder_at(utc(2026, 3, 27, 12, 20), now) == utc(2026, 3, 27, 12, 5)
    assert talk_reminder_at(utc(2026, 3, 27, 12, 8), now) is None


def test_a_typed_talk_time_and_follow_ups_on_the_persons_clock() -> None:
    now = utc(2026, 3, 27, 21)  # 22:00 in Berlin
    assert typed_talk_moment(1, time(8), now, BERLIN) == datetime(2026, 3, 28, 8, tzinfo=BERLIN)
    assert typed_talk_moment(0, time(8), now, BERLIN) == datetime(2026, 3, 28, 8, tzinfo=BERLIN)
    assert follow_up_moment("at 21:45", utc(2026, 3, 27, 12), BERLIN) == datetime(
        2026, 3, 27, 21, 45, tzinfo=BERLIN
    )
    assert follow_up_moment("next_evening", now, BERLIN) == datetime(2026, 3, 28, 19, tzinfo=BERLIN)
    friday_noon = utc(2026, 3, 27, 12)
    sunday = typed_talk_moment(16, time(11), friday_noon, BERLIN)
    assert sunday == datetime(2026, 3, 29, 11, tzinfo=BERLIN)  # summer time by then
    friday = typed_talk_moment(14, time(9), friday_noon, BERLIN)  # passed today: next week
    assert friday == datetime(2026, 4, 3, 9, tzinfo=BERLIN)
    assert not needs_zone("hour") and not needs_zone("20m")
    assert needs_zone("evening") and needs_zone("at 21:45") and needs_zone("next_evening")
