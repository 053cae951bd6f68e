"""Pairing's buttons: invite, revoke, end, and the invite's Accept/Decline codec."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal

from bot.content import Texts
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


def notice(texts: Texts, payload: dict[str, Any]) -> str:
    """What the other person did, from the outbox: accepted, declined, ended the pairing."""
    template = {
        "accepted_inviter": texts.accepted_inviter,
        "declined_inviter": texts.declined_inviter,
        "pairing_ended_by_partner": texts.pairing_ended_by_partner,
        "pairing_ended_plain": texts.pairing_ended_plain,
    }[str(payload["text"])]
    return template.format(name=html.escape(str(payload.get("name", ""))))
