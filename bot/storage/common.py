"""Small helpers every repository uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.storage.models import User


class UpdateMark(NamedTuple):
    """An update as Telegram would deliver it again: its id, and a key of 16 hex digits over
    the id and what the update carries (chat and message id, or callback query id), so that
    a new update that reuses an old id after Telegram renumbers is not taken for the old one."""

    id: int
    key: str


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def insert_for_dialect(name: str) -> Callable[..., Any]:
    """INSERT with ON CONFLICT support for a database kind ("postgresql" or "sqlite")."""
    return pg_insert if name == "postgresql" else sqlite_insert


def insert_for(session: AsyncSession | AsyncConnection) -> Callable[..., Any]:
    """INSERT with ON CONFLICT support for the session's (or connection's) database."""
    dialect = (
        session.dialect if isinstance(session, AsyncConnection) else session.get_bind().dialect
    )
    return insert_for_dialect(dialect.name)


async def ensure_user(session: AsyncSession | AsyncConnection, user_id: int) -> None:
    """Creates the users row if it is not there yet (within the caller's transaction)."""
    await session.execute(
        insert_for(session)(User)
        .values(id=user_id, locale="en", created_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=[User.id])
    )
