"""Times and zones as people type them: "21:30", "9pm", "9:30 am", "it's 7:05 here",
"quarter past 7", "UTC+2", "Europe/Berlin". The words come from content/ per language."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

_CLOCK = re.compile(
    r"^\s*(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*(?P<half>a\.?m\.?|p\.?m\.?)?\s*$",
    re.IGNORECASE,
)
_OFFSET = re.compile(
    r"^\s*(?:utc|gmt)?\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SpokenClock:
    """The words of a language for a time said aloud (content/<locale>/words.toml [clock])."""

    filler: tuple[str, ...] = ()
    quarter_past: tuple[str, ...] = ()
    half_past: tuple[str, ...] = ()
    quarter_to: tuple[str, ...] = ()


def _phrases(words: Iterable[str]) -> str:
    # Longest first, so "a quarter past" wins over "quarter past".
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def parse_clock(text: str, spoken: SpokenClock | None = None) -> time | None:
    """A wall-clock time, or None if the text is not one. With `spoken`, also as people say
    it: "it's 7:05 here", "quarter past 7", "half past 9 pm"."""
    text = text.replace("\u202f", " ").replace("~", " ").strip(" .!?")
    if spoken is not None:
        said = _said(text.casefold(), spoken)
        if said is None:
            return None
        text = said
    return _clock(text)


def _said(text: str, spoken: SpokenClock) -> str | None:
    """The time in `text` as digits ("7:15 pm"), the filler words taken out."""
    if spoken.filler:
        text = re.sub(rf"(?<!\w)(?:{_phrases(spoken.filler)})(?!\w)", " ", text)
    text = " ".join(text.split())
    for words, minutes, offset in (
        (spoken.quarter_past, 15, 0),
        (spoken.half_past, 30, 0),
        (spoken.quarter_to, 45, -1),
    ):
        if not words:
            continue
        found = re.fullmatch(rf"(?:{_phrases(words)})\s+(\d{{1,2}})(\s*[ap]\.?m\.?)?", text)
        if found:
            hour = int(found[1]) + offset
            if found[2] and hour == 0:
                hour = 12  # "quarter to 1 am" is 12:45 am
            if not 0 <= hour <= 23:
                return None
            return f"{hour % 24}:{minutes:02d}{found[2] or ''}"
    return text


def _clock(text: str) -> time | None:
    found = _CLOCK.match(text)
    if not found:
        return None
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = (found["half"] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found["minute"] is None and hour > 24:
        return None
    if hour == 24 and minute == 0:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _iana_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


_IANA: dict[str, str] | None = None


def iana_zone(text: str) -> str | None:
    """An IANA zone name typed in any case ("europe/berlin"), or None."""
    global _IANA
    if _IANA is None:
        _IANA = _iana_names()
    key = text.strip().replace(" ", "_").casefold()
    return _IANA.get(key)


def offset_zone(text: str) -> str | None:
    """ "UTC+2", "GMT-5", "+05:30" as a zone name. Whole hours map to Etc/GMT zones (whose sign
    is inverted by convention); other offsets are not supported by the IANA database."""
    found = _OFFSET.match(text)
    if not found:
        return None
    hours, minutes = int(found["hours"]), int(found["minutes"] or 0)
    if minutes or hours > 14:
        return None
    if hours == 0:
        return "Etc/UTC"
    sign = "-" if found["sign"] == "+" else "+"
    return f"Etc/GMT{sign}{hours}"


def zones_showing(
    local: time, now: datetime, candidates: Iterable[str], tolerance: timedelta
) -> list[str]:
    """Zones whose clock shows `local` (within `tolerance`) at the instant `now`: for "it's
    21:40 here" when the user doesn't know their zone's name."""
    wanted = local.hour * 60 + local.minute
    found = []
    for name in candidates:
        there = now.astimezone(ZoneInfo(name))
        minutes = there.hour * 60 + there.minute
        difference = min((minutes - wanted) % 1440, (wanted - minutes) % 1440)
        if difference <= tolerance.total_seconds() / 60:
            found.append(name)
    return found


@dataclass(frozen=True)
class TalkDays:
    """Words that place a typed time to talk on a day (content/<locale>/words.toml [clock])."""

    today: tuple[str, ...]
    tomorrow: tuple[str, ...]
    evening: tuple[str, ...]  # a bare "8" near them is 20:00
    weekdays: tuple[tuple[str, ...], ...] = ()  # Monday first
    filler: tuple[str, ...] = ()  # "how about", "maybe": nothing about the time


# A typed talk's day: days from today (0: the next time the clock shows it, 1: tomorrow), or
# WEEKDAY + the weekday (Monday 0): the next such day.
WEEKDAY = 10


def talk_time(text: str, spoken: SpokenClock, days: TalkDays) -> tuple[int, time] | None:
    """A time to talk as typed ("20:00", "tonight at 8", "how about tomorrow at 6pm?", "sunday
    11am"): its day (see WEEKDAY) and clock time; None when it names no clock time ("Sunday
    after lunch" is said to the partner as written, with no reminder)."""
    said = re.sub(r"(\d)\s*ish\b", r"\1", text.casefold())

    def take(words: Iterable[str]) -> bool:
        nonlocal said
        found = re.search(rf"(?<!\w)(?:{_phrases(words)})(?!\w)", said) if words else None
        if found:
            said = f"{said[: found.start()]} {said[found.end() :]}"
        return found is not None

    day = 0
    if take(days.tomorrow):
        day = 1
    else:
        for weekday, names in enumerate(days.weekdays):
            if take(names):
                day = WEEKDAY + weekday
                break
    evening = take(days.evening)
    take(days.today)
    while take(days.filler):
        pass
    clock = parse_clock(said.strip(" ,?!."), spoken)
    if clock is None:
        return None
    said_am = re.search(r"\d\s*a\.?m\b", said) is not None
    said_pm = re.search(r"\d\s*p\.?m\b", said) is not None
    if not said_am and not said_pm and clock.hour < 12 and (evening or 1 <= clock.hour <= 7):
        # "tonight at 8", "tomorrow 6ish": a talk at 6 is rarely at dawn.
        clock = clock.replace(hour=clock.hour + 12)
    return day, clock


def place_names(text: str, filler: Iterable[str]) -> list[str]:
    """What a typed place may be called: as typed, without words like "I'm in" around it,
    and its part before a comma ("London, UK"); the first is the likeliest."""
    names = [text.strip()]
    bare = text.casefold().strip(" .!?")
    if filler:
        bare = re.sub(rf"^(?:{_phrases(filler)})(?!\w)", " ", bare).strip(" ,.!?")
    names.append(bare)
    if "," in bare:
        names.append(bare.split(",", 1)[0].strip())
    words = bare.split()
    if len(words) >= 2:
        names.append(" ".join(words[:-1]))  # "london uk", "sydney australia"
    return list(dict.fromkeys(name for name in names if name))


def offset_name(zone: str, moment: datetime) -> str:
    """ "UTC+1", "UTC−5:30": a zone's offset at a moment, the way people write it."""
    offset = moment.astimezone(ZoneInfo(zone)).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
