"""/history's button codecs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.handlers.callback_data import CallbackData


@dataclass(frozen=True)
class HistoryPage(CallbackData, prefix="history:page"):
    page: int


@dataclass(frozen=True)
class HistoryShow(CallbackData, prefix="history:show"):
    message_id: int


@dataclass(frozen=True)
class HistoryHeard(CallbackData, prefix="history:heard"):
    """A message the person heard and said back: their own copy of it."""

    reflection_id: int
