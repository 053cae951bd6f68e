"""Times and zones as people type them: "21:30", "9pm", "9:30 am", "UTC+2", "Europe/Berlin"."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def parse_clock(text: str) -> time | None:
    """A wall-clock time, or None if the text is not one."""
    found = _CLOCK.match(text.replace("\u202f", " "))
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
