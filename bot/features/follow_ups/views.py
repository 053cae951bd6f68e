"""Follow-up buttons: when to be reminded to send, how the talk went."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.handlers.callback_data import CallbackData


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

    how: Literal["well", "hard", "write", "skip"]
    message_id: int
