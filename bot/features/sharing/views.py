"""Sharing's button codecs: send to the partner, the partner's answers."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal

from bot.handlers.callback_data import CallbackData, PersonId


@dataclass(frozen=True)
class SendToPartner(CallbackData, prefix="share:partner"):
    """ "Send to {partner}" under a finished message: which message, and who it is for (their
    user id: pairing ids can come back after a pairing is deleted), so a button made for one
    partner never delivers to the next one."""

    message_id: int
    partner_id: PersonId


@dataclass(frozen=True)
class PartnerAnswer(CallbackData, prefix="reply"):
    """The partner's one-tap answer to a delivered message ("talk" opens the times)."""

    kind: Literal["thanks", "talk", "time", "evening", "tomorrow", "weekend"]
    message_id: int


@dataclass(frozen=True)
class ConfirmReply(CallbackData, prefix="rc"):
    """ "Send it to {partner}?" for a text typed right after their message: about which
    message, and which text (a checksum: a newer text makes this button old)."""

    choice: Literal["send", "keep"]
    message_id: int
    text_sum: int


def text_sum(text: str) -> int:
    """A short checksum of a held text, for ConfirmReply."""
    return zlib.crc32(text.encode()) % 1_000_000_000


@dataclass(frozen=True)
class PartnerWrite(CallbackData, prefix="reply"):
    """ "Write a reply" (or "write back"), or "I'll type a time": the next text goes over."""

    kind: Literal["write", "custom"]
    message_id: int
