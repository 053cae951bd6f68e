"""Reminders' and check-ins' button codecs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.handlers.callback_data import CallbackData, Key

QUIET_NONE = "rm:quiet:none"


@dataclass(frozen=True)
class ZoneChoice(CallbackData, prefix="rm:tz"):
    zone: Key


@dataclass(frozen=True)
class DailyTime(CallbackData, prefix="rm:at"):
    at: time


@dataclass(frozen=True)
class ToggleDay(CallbackData, prefix="rm:day"):
    day: int  # ISO weekday, Monday = 1


@dataclass(frozen=True)
class QuietChoice(CallbackData, prefix="rm:quiet"):
    start: time
    end: time


@dataclass(frozen=True)
class Pause(CallbackData, prefix="rm:pause"):
    days: int
