"""Tables. Changes go through a new Alembic migration in storage/migrations/versions/.

Every table that holds something about a person has a `user_id` (or two, for a pairing), so that
/forget can remove every row about them in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.core.reflect import LEFT


def utc_now() -> datetime:
    return datetime.now(UTC)


def _user_fk(**kwargs: Any) -> Mapped[int]:
    return mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), **kwargs)


class Base(DeclarativeBase):
    pass


class User(Base):
    """One person who talks to the bot. No names are kept: Telegram sends them with every update."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # What the user's next typed text answers (bot/core/conversation.py): what ("time_zone",
    # "reply", ...), whom it goes to (a reply to the partner), which message it is about.
    awaiting: Mapped[str | None] = mapped_column(String(32), default=None)
    awaiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    pending_reply_to: Mapped[int | None] = mapped_column(BigInteger, default=None)
    pending_reply_message: Mapped[int | None] = mapped_column(Integer, default=None)
    # A text typed right after something arrived from the partner, waiting for "send it?".
    pending_text: Mapped[str | None] = mapped_column(Text, default=None)
    # Quiet hours "HH:MM" (local).
    quiet_start: Mapped[str | None] = mapped_column(String(5), default=None)
    quiet_end: Mapped[str | None] = mapped_column(String(5), default=None)
    # The country whose help lines the person chose (ISO code); None: from their time zone.
    help_country: Mapped[str | None] = mapped_column(String(2), default=None)


class DraftRow(Base):
    """The draft being composed: the truth for the conversation's step (one per user)."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = _user_fk(primary_key=True)
    feeling: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    regulation: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[str] = mapped_column(Text, default="")
    step: Mapped[str] = mapped_column(String(16))
    editing: Mapped[bool] = mapped_column(Boolean, default=False)
    # False after /cancel: the draft is kept, but the user is not inside the conversation.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Findings of the gentle check the user kept, space-separated "rule:part" keys.
    kept_checks: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now, index=True
    )
    # The newest update that changed this draft (read at start-up for the fast "newer than
    # anything applied" check).
    update_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The keys (update id and content, see UpdateMark) of the last few updates that changed
    # this draft, newest first, space-separated: a redelivered step is recognised by its key,
    # written by the step's own statement, so no processed_updates row is needed on the hot
    # path. Ids alone are not enough: Telegram renumbers updates after a week of silence.
    recent_updates: Mapped[str | None] = mapped_column(Text, default=None)


class MessageRow(Base):
    """A finished soft start-up: the user's history."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _user_fk(index=True)
    feeling: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    regulation: Mapped[str] = mapped_column(Text)
    request: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )


class ProcessedUpdate(Base):
    """An update whose change is saved, so that Telegram redelivering it changes nothing.
    Written in the same transaction as the change itself."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The update's key (id and content): after a renumbering an id can come back for a new
    # update, which must not be taken for the old one.
    update_key: Mapped[str | None] = mapped_column(String(16), default=None)
    user_id: Mapped[int] = _user_fk(index=True)
    applied_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )


class InboxRow(Base):
    """An update as Telegram delivered it, kept until it is handled (bot/inbox.py): Telegram
    hears "received" only once it is here, and any replica's worker handles it from here, one
    chat's updates strictly in order. What people wrote is in `payload`: sealed with the
    sender's data key. Handled rows stay two days (a redelivery is recognised by `key`)."""

    __tablename__ = "inbox"
    __table_args__ = (
        # The updates waiting, per chat in order: what workers look through.
        Index(
            "ix_inbox_waiting",
            "chat_id",
            "update_id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
        # One update per chat in hand at a time, whichever replica holds it: the database
        # itself keeps a person's updates from being handled side by side.
        Index(
            "ix_inbox_one_in_hand",
            "chat_id",
            unique=True,
            postgresql_where=text("done_at IS NULL AND claimed_by IS NOT NULL"),
            sqlite_where=text("done_at IS NULL AND claimed_by IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger)
    # The update's key over its id and content (redelivery.update_mark): Telegram's retries
    # of one update are stored once.
    key: Mapped[str] = mapped_column(String(16), unique=True)
    # Whose turn the update waits for (concurrency.chat_key), and who sent it (/forget).
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # Not indexed (as `done_at`): each index is written again at every claim and done mark;
    # /forget and the hourly pruning read the (small, pruned) table through.
    user_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # The replica handling it, until when (renewed while it works); a claim that ran out
    # belongs to a replica that died, and another takes the update.
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ReplicaRow(Base):
    """A running bot process on this database, seen every few seconds: the replicas share
    Telegram's per-bot send budget by how many are alive."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SafetyPlanRow(Base):
    """A person's private safety plan: one row, one column per part (bot/core/safety.py)."""

    __tablename__ = "safety_plans"

    user_id: Mapped[int] = _user_fk(primary_key=True)
    signs: Mapped[str] = mapped_column(Text, default="")
    calm: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class CheckinRow(Base):
    """A check-in: how the user felt at a moment, with an optional note (their journal)."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _user_fk(index=True)
    feeling: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    # "checkin", or "outcome" for how a conversation went.
    kind: Mapped[str] = mapped_column(String(16), default="checkin", server_default="checkin")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )


class ReminderRow(Base):
    """One scheduled nudge. The dispatcher claims due rows by `next_fire_at` (UTC)."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _user_fk(index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Local wall-clock time "HH:MM" and weekdays "1234567" (ISO, Monday = 1) for daily ones.
    local_time: Mapped[str | None] = mapped_column(String(5), default=None)
    weekdays: Mapped[str] = mapped_column(String(7), default="1234567")
    next_fire_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    unanswered: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text, default="{}")


class PairingRow(Base):
    """Two people who accepted to receive each other's messages. One partner at a time."""

    __tablename__ = "pairings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inviter_id: Mapped[int] = _user_fk(unique=True)
    partner_id: Mapped[int] = _user_fk(unique=True)
    # First names as they were when the pairing began, to say who the partner is.
    inviter_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    partner_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class InviteRow(Base):
    """A single-use pairing invite. Only a hash of the token is kept."""

    __tablename__ = "invites"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    inviter_id: Mapped[int] = _user_fk(index=True)
    # Shown to the invited person: "Sam invites you…".
    inviter_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who opened the link last, and a hash of the key on the Accept/Decline buttons they were
    # shown: neither a copy of the database nor a glimpse of the button lets anyone else pair.
    offered_to: Mapped[int | None] = mapped_column(BigInteger, default=None)
    answer_key_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)


class DoneAction(Base):
    """Something a person did once that must not happen twice when they tap again (a slow
    phone, an old message): delivering a message to a partner, answering it. Claimed before
    it is done, released if it could not be done."""

    __tablename__ = "done_actions"

    user_id: Mapped[int] = _user_fk(primary_key=True)
    # What was done ("send", "reply:thanks", ...) and to what ("<message id>:<pairing id>").
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SealingRow(Base):
    """One row once the texts are sealed: the key store whose data keys sealed them (a
    database started with another key store is refused instead of sealing with strangers)."""

    __tablename__ = "sealing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    store_id: Mapped[str] = mapped_column(String(32))
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ReflectionRow(Base):
    """ "What I heard": a listener's reflection of a soft start-up, kept once for each of the
    two people (their own copy, sealed with their own key, so /forget removes only theirs).
    The listener's copy keeps the message they heard; the speaker's has it in `messages`."""

    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _user_fk(index=True)
    # "listener" (I said back what I heard) or "speaker" (they said back what they heard).
    role: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int] = mapped_column(BigInteger)
    # The soft start-up it answers (the speaker's message id).
    message_id: Mapped[int] = mapped_column(Integer, index=True)
    # The other person's copy (None once they removed it).
    counterpart_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # 1 for the first reflection of a message, 2 after a "not quite", and so on.
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text, default="")
    heard: Mapped[str] = mapped_column(Text, default="")
    correction: Mapped[str] = mapped_column(Text, default="")
    # "sent", then "understood" or "not_quite".
    status: Mapped[str] = mapped_column(String(12), default="sent")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


# What people write, sealed with their data key (bot/storage/sealing.py), by table. Rows of
# these tables with an `id` carry it in the sealed text's place; the others are one per person.
SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("pending_text",),
    "drafts": ("feeling", "reason", "regulation", "request", "kept_checks"),
    "messages": ("feeling", "reason", "regulation", "request", "text"),
    "checkins": ("feeling", "note"),
    "safety_plans": ("signs", "calm", "people", "place"),
    "reflections": ("text", "heard", "correction"),
}

# Another person's rows that name someone, by the column that names them, with what /forget
# writes instead: the rows stay (they are the other person's own copy of a reflection), the
# one who left is no longer named, nor is their copy pointed to.
OTHERS_NAMING: dict[str, tuple[str, dict[str, Any]]] = {
    "reflections": ("partner_id", {"partner_id": LEFT, "counterpart_id": None}),
}

# Every table with rows about a person, and the columns that name them; /forget and its test
# walk this list, so a new table cannot be forgotten silently.
USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "pending_reply_to"),
    "drafts": ("user_id",),
    "messages": ("user_id",),
    "processed_updates": ("user_id",),
    "checkins": ("user_id",),
    "reminders": ("user_id",),
    "pairings": ("inviter_id", "partner_id"),
    "invites": ("inviter_id", "offered_to"),
    "done_actions": ("user_id",),
    "safety_plans": ("user_id",),
    "reflections": ("user_id",),
    "inbox": ("user_id",),
}
