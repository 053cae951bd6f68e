"""Check-in buttons."""

from __future__ import annotations

from dataclasses import dataclass

from bot.handlers.callback_data import CallbackData


@dataclass(frozen=True)
class CheckinFeeling(CallbackData, prefix="ci"):
    index: int
