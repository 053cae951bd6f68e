"""/learn's button codec."""

from __future__ import annotations

from dataclasses import dataclass

from bot.handlers.callback_data import CallbackData


@dataclass(frozen=True)
class LearnCard(CallbackData, prefix="learn"):
    index: int
