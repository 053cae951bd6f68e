"""Check-in buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.content import Texts
from bot.core.compose import utf16_length
from bot.features.compose import views as compose_views
from bot.handlers.callback_data import CallbackData
from bot.handlers.keyboards import grid


@dataclass(frozen=True)
class CheckinFeeling(CallbackData, prefix="ci"):
    index: int


@dataclass(frozen=True)
class CheckinPage(CallbackData, prefix="cipage"):
    """The check-in's feelings: the first page (0), or the rest (1)."""

    page: int


SAY_MORE = "ci:more"


def after_checkin(texts: Texts, say_more: bool = True) -> InlineKeyboardMarkup:
    """A gentle next step once the feeling is noted: say more about it, a minute of
    breathing, or a soft start-up; or nothing (the buttons can be left)."""
    rows = [
        [(texts.checkin_more_button, SAY_MORE)],
        [(texts.nudge_breathe_button, "nd:breathe")],
        [(texts.nudge_compose_button, compose_views.COMPOSE)],
    ]
    return grid(*(rows if say_more else rows[1:]))


@dataclass(frozen=True)
class JournalPage(CallbackData, prefix="journal"):
    """The journal from its `start`-th newest entry on."""

    start: int


# A journal page stays well inside Telegram's 4,096 UTF-16 units (the title and buttons too).
JOURNAL_PAGE_UNITS = 3_500


def journal_page(
    texts: Texts, lines: list[str], start: int, more: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the journal: entry `start` on, as many as fit; Older when more wait."""
    shown = [texts.journal_title]
    for line in lines:
        if len(shown) > 1 and utf16_length("\n".join([*shown, line])) > JOURNAL_PAGE_UNITS:
            more = True
            break
        shown.append(line)
    count = len(shown) - 1
    buttons = []
    if start > 0:
        buttons.append((texts.newer_button, JournalPage(0).pack()))
    if more:
        buttons.append((texts.older_button, JournalPage(start + count).pack()))
    return "\n".join(shown), grid(buttons) if buttons else None


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
