"""Check-in buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.content import Texts
from bot.features.compose import views as compose_views
from bot.handlers.callback_data import CallbackData
from bot.handlers.keyboards import grid


@dataclass(frozen=True)
class CheckinFeeling(CallbackData, prefix="ci"):
    index: int


def nudge(
    texts: Texts, moment: datetime, zone: str, user_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The daily nudge: its words vary by day, but are the same all day for one person."""
    today = moment.astimezone(ZoneInfo(zone)).date().toordinal()
    text = texts.nudges[(today + user_id) % len(texts.nudges)]
    return text, grid(
        [(texts.nudge_checkin_button, "nd:checkin")],
        [(texts.nudge_compose_button, compose_views.COMPOSE)],
        [(texts.nudge_breathe_button, "nd:breathe")],
        [(texts.nudge_snooze_button, "nd:snooze"), (texts.nudge_skip_button, "nd:skip")],
    )


def pause_offer(texts: Texts) -> tuple[str, InlineKeyboardMarkup]:
    """After three nudges with no answer: pause, another time, or keep them."""
    return texts.pause_offer, grid(
        [(texts.offer_pause_button, "of:pause")],
        [(texts.offer_time_button, "of:time")],
        [(texts.offer_keep_button, "of:keep")],
    )
