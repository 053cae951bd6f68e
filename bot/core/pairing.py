"""Pairing two people: invite tokens and the rules for accepting one."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

INVITE_LIFETIME = timedelta(hours=48)
# 24 random bytes: 192 bits, 32 characters in a deep link (Telegram allows 64).
TOKEN_BYTES = 24
DEEP_LINK_PREFIX = "pair_"


def new_invite_token() -> str:
    """An unguessable single-use token for a deep link (URL-safe, no padding)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_answer_key() -> str:
    """For the Accept and Decline buttons of one invite shown to one person: 128 random bits,
    22 characters. Only its hash is stored, and the invite remembers whom it was shown to."""
    return secrets.token_urlsafe(16)


def hash_token(token: str) -> str:
    """Only the hash is stored, so a leaked database cannot be used to pair. URL-safe base64
    (43 characters), short enough to ride in a button's callback data."""
    digest = hashlib.sha256(token.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class InviteProblem(StrEnum):
    """Why an invite cannot be accepted."""

    NOT_FOUND = "not_found"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"
    OWN = "own"
    INVITER_PAIRED = "inviter_paired"
    ALREADY_PAIRED = "already_paired"


@dataclass(frozen=True)
class Invite:
    token_hash: str
    inviter_id: int
    inviter_name: str
    expires_at: datetime
    used: bool
    revoked: bool


def invite_problem(
    invite: Invite | None,
    user_id: int,
    now: datetime,
    *,
    inviter_paired: bool,
    user_paired: bool,
) -> InviteProblem | None:
    """What stops `user_id` from accepting `invite` now, or None if nothing does."""
    if invite is None:
        return InviteProblem.NOT_FOUND
    if invite.inviter_id == user_id:
        return InviteProblem.OWN
    if invite.revoked:
        return InviteProblem.REVOKED
    if invite.used:
        return InviteProblem.USED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    if inviter_paired:
        return InviteProblem.INVITER_PAIRED
    if user_paired:
        return InviteProblem.ALREADY_PAIRED
    return None


@dataclass(frozen=True)
class Partner:
    user_id: int
    name: str
