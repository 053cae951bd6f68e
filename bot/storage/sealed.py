"""Sealed columns (models.SEALED_COLUMNS): sealing and opening a row's texts, and sealing the
plain texts an older version left in the database."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.keys import Keyring
from bot.storage.models import SEALED_COLUMNS, Base, SealingRow
from bot.storage.sealing import DataKey, Unreadable, place

log = logging.getLogger(__name__)


def owner_column(table: str) -> str:
    return "id" if table == "users" else "user_id"


def has_row_ids(table: str) -> bool:
    """Tables with many rows per person (an `id` besides the person's): the row's id is part of
    each text's place."""
    return owner_column(table) != "id" and "id" in Base.metadata.tables[table].c


def seal_values(
    key: DataKey, table: str, user_id: int, values: Mapping[str, Any], row: int | None = None
) -> dict[str, Any]:
    """`values` with its sealed columns sealed for their place."""
    sealed = SEALED_COLUMNS[table]
    return {
        name: key.seal(value, place(table, name, user_id, row)) if name in sealed else value
        for name, value in values.items()
    }


def open_text(
    key: DataKey | None, table: str, column: str, user_id: int, sealed: str, row: int | None = None
) -> str:
    if not sealed:
        return ""
    if key is None:
        raise Unreadable(f"{table}.{column}: the person's data key is gone")
    return key.open(sealed, place(table, column, user_id, row))


def open_or_empty(
    key: DataKey | None, table: str, column: str, user_id: int, sealed: str, row: int | None = None
) -> str:
    """A text that no longer opens (changed outside the bot, or restored from a backup after
    its key was shredded) reads as not written: a safety plan's part, words kept for later.
    Better an empty part than a screen that fails every time (its help lines with it)."""
    try:
        return open_text(key, table, column, user_id, sealed, row)
    except Unreadable:
        log.warning("user=%s: %s.%s does not open; treated as empty", user_id, table, column)
        return ""


async def sealed_with_if_there(engine: AsyncEngine) -> str | None:
    """The same for check-config, on a database that may not be migrated yet."""
    try:
        return await sealed_with(engine)
    except SQLAlchemyError:
        return None


async def sealed_with(engine: AsyncEngine) -> str | None:
    """The key store the database's texts were sealed with; None if they are not sealed yet."""
    async with engine.connect() as connection:
        found = await connection.scalar(select(SealingRow.store_id).where(SealingRow.id == 1))
    return str(found) if found is not None else None


async def seal_existing(engine: AsyncEngine, keys: Keyring, store_id: str) -> int:
    """Seals every plain text an older version wrote, in one transaction, and records that the
    database is sealed (with `store_id`'s keys). Returns how many rows changed."""
    changed = 0
    tables = Base.metadata.tables
    async with engine.begin() as connection:
        for name, columns in SEALED_COLUMNS.items():
            table = tables[name]
            owner = table.c[owner_column(name)]
            ids = [table.c.id] if has_row_ids(name) else []
            rows = (
                await connection.execute(select(owner.label("owner"), *ids, *table.c[columns]))
            ).all()
            for row in rows:
                # Nothing was sealed before the sealing row exists (this runs in one
                # transaction), so every text here is plain.
                plain = {column: getattr(row, column) for column in columns if getattr(row, column)}
                if not plain:
                    continue
                row_id = row.id if ids else None
                key = await keys.key(row.owner)
                where = owner == row.owner
                if ids:
                    where = where & (table.c.id == row_id)
                await connection.execute(
                    update(table)
                    .where(where)
                    .values(seal_values(key, name, row.owner, plain, row_id))
                )
                changed += 1
        await connection.execute(
            Base.metadata.tables["sealing"]
            .insert()
            .values(id=1, store_id=store_id, sealed_at=datetime.now(UTC))
        )
    if changed:
        log.info("sealed the texts of %d rows an earlier version kept in plain text", changed)
    return changed
