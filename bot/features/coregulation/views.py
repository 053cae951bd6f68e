"""Co-regulation's buttons and the reminders' words."""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from datetime import time
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.content import Texts
from bot.features.listening.views import HeardOffer
from bot.features.sharing.views import PartnerAnswer, PartnerWrite
from bot.handlers.callback_data import CallbackData
from bot.handlers.keyboards import grid

# How much of the partner's message a come-back reminder quotes.
ABOUT_LENGTH = 120


@dataclass(frozen=True)
class ComeBack(CallbackData, prefix="cb"):
    """After "I need a little time": when to be reminded to come back to the message."""

    when: Literal["hour", "evening", "tomorrow", "none"]
    message_id: int


Slot = Literal["evening", "tomorrow", "weekend", "typed"]


@dataclass(frozen=True)
class TalkAnswer(CallbackData, prefix="tk"):
    """A time to talk the partner offered: "works for me", or another time. `at` is the
    moment in minutes since 1970 (0: not on a clock: typed in words, or offered before either
    clock was known); `slot` how it was offered; `offer` tells one offer from another (each
    is answered once, whichever button)."""

    choice: Literal["yes", "other"]
    message_id: int
    at: int
    slot: Slot
    offer: int
    # A typed clock time with no clock known to place it on yet: 1 + days from the day it was
    # offered x 1440 + minutes past midnight (0: none).
    clock: int = 0


def clock_code(days: int, at: time) -> int:
    return 1 + days * 1440 + at.hour * 60 + at.minute


def clock_of(code: int) -> tuple[int, time]:
    days, minutes = divmod(code - 1, 1440)
    return days, time(minutes // 60, minutes % 60)


def come_back_keyboard(texts: Texts, message_id: int) -> InlineKeyboardMarkup:
    return grid(
        [
            (texts.come_back_hour_button, ComeBack("hour", message_id).pack()),
            (texts.come_back_evening_button, ComeBack("evening", message_id).pack()),
        ],
        [(texts.come_back_tomorrow_button, ComeBack("tomorrow", message_id).pack())],
        [(texts.come_back_none_button, ComeBack("none", message_id).pack())],
    )


def talk_answer_keyboard(
    texts: Texts, message_id: int, at: int, slot: Slot, clock: int = 0
) -> InlineKeyboardMarkup:
    offer = secrets.randbelow(1_000_000)
    yes = TalkAnswer("yes", message_id, at, slot, offer, clock)
    other = TalkAnswer("other", message_id, at, slot, offer, clock)
    return grid([(texts.talk_yes_button, yes.pack())], [(texts.talk_other_button, other.pack())])


def come_back_reminder(
    texts: Texts, name: str, about: str, message_id: int, *, can_hear: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The moment chosen to come back: the message it is about, and the ways to answer."""
    text = texts.come_back_reminder.format(
        name=html.escape(name), about=html.escape(about, quote=False)
    )
    rows = [[(texts.heard_button, HeardOffer(message_id).pack())]] if can_hear else []
    rows.append([(texts.reply_talk_button, PartnerAnswer("talk", message_id).pack())])
    rows.append([(texts.reply_write_button, PartnerWrite("write", message_id).pack())])
    return text, grid(*rows)
