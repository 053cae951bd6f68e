"""Pairing's buttons: invite, revoke, end, and the invite's Accept/Decline codec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.handlers.callback_data import CallbackData, Key

PARTNER_INVITE = "partner:invite"
PARTNER_REVOKE = "partner:revoke"
PARTNER_END = "partner:end"
PARTNER_END_YES = "partner:end:yes"
PARTNER_END_NO = "partner:end:no"


@dataclass(frozen=True)
class InviteAnswer(CallbackData, prefix="pair"):
    """Accept or Decline an invite: the key of the offer made to this person (only its hash
    is stored)."""

    answer: Literal["yes", "no"]
    key: Key
