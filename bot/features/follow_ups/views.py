"""Follow-up buttons: when to be reminded to send, how the talk went."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.content import Texts
from bot.handlers.callback_data import CallbackData
from bot.handlers.keyboards import grid


@dataclass(frozen=True)
class AskSendWhen(CallbackData, prefix="fu:ask"):
    """ "Remind me to send it" under a finished message."""

    message_id: int


@dataclass(frozen=True)
class SendWhen(CallbackData, prefix="fu"):
    when: Literal["hour", "evening", "morning", "type"]
    message_id: int


@dataclass(frozen=True)
class Outcome(CallbackData, prefix="oc"):
    """How the talk about a message went."""

    how: Literal["well", "hard", "write", "later", "skip"]
    message_id: int


def send_now(texts: Texts, message: str) -> str:
    """ "A calm moment to send it", with the message quoted."""
    quoted = html.escape(message, quote=False)
    return f"{texts.send_now_nudge}\n\n<blockquote>{quoted}</blockquote>"


def outcome_question(texts: Texts, message_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """ "How did it go?" about one message."""
    return texts.outcome_question, grid(
        [(texts.outcome_well_button, Outcome("well", message_id).pack())],
        [(texts.outcome_hard_button, Outcome("hard", message_id).pack())],
        [(texts.outcome_write_button, Outcome("write", message_id).pack())],
        [
            (texts.outcome_later_button, Outcome("later", message_id).pack()),
            (texts.outcome_skip_button, Outcome("skip", message_id).pack()),
        ],
    )
