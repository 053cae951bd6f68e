"""Tables. Changes go through a new Alembic migration in storage/migrations/versions/."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    """One person who talks to the bot. No names are kept: Telegram sends them with every update."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class DraftRow(Base):
    """The draft being composed: the truth for the conversation's step (one per user)."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    feeling: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    regulation: Mapped[str] = mapped_column(Text, default="")
    request: Mapped[str] = mapped_column(Text, default="")
    step: Mapped[str] = mapped_column(String(16))
    editing: Mapped[bool] = mapped_column(Boolean, default=False)
    # False after /cancel: the draft is kept, but the user is not inside the conversation.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The update that last changed the draft, so a redelivered update is not applied twice.
    last_update_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now, index=True
    )


class MessageRow(Base):
    """A finished soft start-up: the user's history."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    feeling: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    regulation: Mapped[str] = mapped_column(Text)
    request: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
