"""The weekly reflection: what a person's own records say about their week, reflected back
without a score. Feelings they named (check-ins and soft start-ups), soft start-ups written and
sent, their partner's answers, how talks went, and one gentle suggestion drawn from the
feeling they named most, and when they named it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

WEEK = timedelta(days=7)
# How many feelings the summary names, and how many weeks the picture shows.
TOP = 3
WEEKS_SHOWN = 4
# Feelings with a colour of their own in the picture; the rest are "other".
MAX_SHOWN = 5
# A pattern is worth saying when most of a feeling's moments share it.
PATTERN_SHARE = 0.6
PATTERN_MIN = 3


class PartOfDay(StrEnum):
    MORNING = "morning"  # 05-12
    AFTERNOON = "afternoon"  # 12-17
    EVENING = "evening"  # 17-22
    NIGHT = "night"  # 22-05


def part_of_day(moment: datetime) -> PartOfDay:
    hour = moment.hour
    if 5 <= hour < 12:
        return PartOfDay.MORNING
    if 12 <= hour < 17:
        return PartOfDay.AFTERNOON
    if 17 <= hour < 22:
        return PartOfDay.EVENING
    return PartOfDay.NIGHT


@dataclass(frozen=True)
class Named:
    """A feeling named at a moment (a check-in, or a soft start-up's feeling)."""

    at: datetime
    text: str


@dataclass(frozen=True)
class Records:
    """What was kept over some weeks (UTC times); read from storage."""

    named: list[Named] = field(default_factory=list)
    written: list[datetime] = field(default_factory=list)
    sent: list[datetime] = field(default_factory=list)
    answered: list[datetime] = field(default_factory=list)
    # "How did it go?": True went well, False was hard, None a note in one's own words.
    talks: list[tuple[datetime, bool | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Pattern:
    """When the most named feeling came: on weekdays or at weekends (None: both), and at
    which part of the day (None: all over)."""

    feeling: str
    weekend: bool | None
    part: PartOfDay | None


@dataclass(frozen=True)
class Week:
    start: date  # local, the first of the seven days
    end: date  # local, the last
    feelings: list[tuple[str, int]]
    written: int
    sent: int
    answered: int
    went_well: int
    was_hard: int
    pattern: Pattern | None
    # Feelings named in words the bot does not know ("idk, kind of numb", emoji): counted, not
    # named (the picture shows them as "other" too).
    own_words: int = 0

    @property
    def quiet(self) -> bool:
        return not (
            self.feelings
            or self.own_words
            or self.written
            or self.sent
            or self.went_well
            or self.was_hard
        )


def feeling_of(text: str, known: Sequence[str]) -> str | None:
    """The first feeling word the bot knows in a named feeling ("pretty lonely tbh" ->
    "lonely"); None if there is none."""
    plain = " ".join(text.casefold().split())
    for word in known:
        if re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", plain):
            return word
    return None


def _within(moment: datetime, start: datetime, end: datetime) -> bool:
    """In the week that ends at `end` (a moment right now belongs to it)."""
    return start < moment <= end


def _pattern(moments: list[datetime], feeling: str) -> Pattern | None:
    if len(moments) < PATTERN_MIN:
        return None
    weekends = sum(1 for moment in moments if moment.isoweekday() >= 6)
    weekend: bool | None = None
    if weekends >= PATTERN_SHARE * len(moments):
        weekend = True
    elif len(moments) - weekends >= PATTERN_SHARE * len(moments):
        weekend = False
    parts = Counter(part_of_day(moment) for moment in moments)
    part, count = parts.most_common(1)[0]
    common_part = part if count >= PATTERN_SHARE * len(moments) else None
    if weekend is None and common_part is None:
        return None
    return Pattern(feeling, weekend, common_part)


def summarise(
    records: Records,
    now: datetime,
    zone: ZoneInfo,
    known: Sequence[str],
    *,
    local_times: bool = True,
) -> Week:
    """The seven days up to `now` (local days), from the records. Without the person's own
    time zone (`local_times` False) no pattern is said: "at night" in UTC may be their
    afternoon."""
    end = now
    start = now - WEEK
    named = [
        (entry.at.astimezone(zone), feeling_of(entry.text, known))
        for entry in records.named
        if _within(entry.at, start, end) and entry.text.strip()
    ]
    local = [(at, feeling) for at, feeling in named if feeling is not None]
    counts = Counter(feeling for _, feeling in local)
    top = counts.most_common(TOP)
    pattern = None
    if top and local_times:
        feeling = top[0][0]
        pattern = _pattern([at for at, named in local if named == feeling], feeling)
    talks = [good for at, good in records.talks if _within(at, start, end)]
    return Week(
        start=start.astimezone(zone).date() + timedelta(days=1),
        end=end.astimezone(zone).date(),
        feelings=top,
        written=sum(1 for at in records.written if _within(at, start, end)),
        sent=sum(1 for at in records.sent if _within(at, start, end)),
        answered=sum(1 for at in records.answered if _within(at, start, end)),
        went_well=sum(1 for good in talks if good is True),
        was_hard=sum(1 for good in talks if good is False),
        pattern=pattern,
        own_words=len(named) - len(local),
    )


@dataclass(frozen=True)
class WeekBar:
    """One bar of the picture: a week (its first local day) and the feelings named in it."""

    start: date
    counts: dict[str, int]


def weekly_bars(
    records: Records, now: datetime, zone: ZoneInfo, known: Sequence[str], other: str
) -> tuple[list[WeekBar], list[str]]:
    """The last WEEKS_SHOWN weeks (the last one ends now), oldest first, with the feelings
    named most over all of them (at most five; the rest counted as `other`), in order."""
    weeks: list[tuple[date, Counter[str]]] = []
    overall: Counter[str] = Counter()
    for back in range(WEEKS_SHOWN - 1, -1, -1):
        end = now - back * WEEK
        start = end - WEEK
        counts = Counter(
            feeling_of(named.text, known) or other
            for named in records.named
            if _within(named.at, start, end) and named.text.strip()
        )
        overall.update(counts)
        weeks.append(((start + timedelta(days=1)).astimezone(zone).date(), counts))
    shown = [feeling for feeling, _ in overall.most_common() if feeling != other][:MAX_SHOWN]
    bars = []
    for first_day, counts in weeks:
        kept = {feeling: counts[feeling] for feeling in shown if counts[feeling]}
        rest = sum(count for feeling, count in counts.items() if feeling not in shown)
        if rest:
            kept[other] = rest
        bars.append(WeekBar(first_day, kept))
    if any(other in bar.counts for bar in bars):
        shown.append(other)
    return bars, shown
