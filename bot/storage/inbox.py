"""`Storage.inbox`: updates kept from the moment Telegram delivers them until they are handled,
and the replicas (bot processes) that share the database.

Claiming is one statement: the oldest waiting update of each chat that has none in hand, rows
locked with SKIP LOCKED on PostgreSQL, so replicas never take the same update and one chat's
updates go one at a time, in order (a partial unique index makes that a rule of the database).
What only speeds things up (a claim, a done mark, a renewed lease) is committed without waiting
for the disk on PostgreSQL: lost in a crash, it only means the update is handled again, which
the redelivery guard makes harmless. Storing an update is committed durably: Telegram is told
"received" only after that.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import (
    DateTime,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import aliased

from bot.storage.common import insert_for
from bot.storage.keys import Keyring
from bot.storage.models import InboxRow, ReplicaRow
from bot.storage.sealing import Unreadable, place

log = logging.getLogger(__name__)
INBOX = InboxRow.__table__
OTHER = aliased(InboxRow, name="earlier")


@dataclass(frozen=True)
class Arrived:
    """An update as it came, to be kept: `payload` is its JSON (sealed when stored)."""

    update_id: int
    key: str
    chat_id: int
    user_id: int
    payload: str


@dataclass(frozen=True)
class InHand:
    """An update this replica claimed; `sealed` is its payload as kept (`InboxRepository.open`
    opens it, when the replica does not still have the update in memory from receiving it)."""

    row: int
    update_id: int
    chat_id: int
    user_id: int
    attempts: int
    sealed: str


def _where(user_id: int, update_id: int) -> str:
    return place("inbox", "payload", user_id, update_id)


def _claimable(now: Any, chat_id: Any = None) -> Select[int]:
    """Ids of the updates a replica may take now: not done, not in anyone's hand (or in the
    hand of one whose lease ran out), and nothing earlier of the same chat waiting or in hand."""
    earlier_or_in_hand = exists().where(
        OTHER.chat_id == InboxRow.chat_id,
        OTHER.done_at.is_(None),
        OTHER.id != InboxRow.id,
        or_(
            OTHER.update_id < InboxRow.update_id,
            and_(OTHER.update_id == InboxRow.update_id, OTHER.id < InboxRow.id),
            OTHER.claimed_until >= now,
        ),
    )
    query = select(InboxRow.id).where(
        InboxRow.done_at.is_(None),
        or_(InboxRow.claimed_until.is_(None), InboxRow.claimed_until < now),
        ~earlier_or_in_hand,
    )
    if chat_id is not None:
        query = query.where(InboxRow.chat_id == chat_id)
    return query.order_by(InboxRow.id)


def _claim_values(
    replica: str, now: datetime, lease: timedelta, limit: int, chat_id: int | None
) -> dict[str, Any]:
    """The parameters of `_claiming`'s statement."""
    return {
        "now": now,
        "until": now + lease,
        "replica": replica,
        "limit": limit,
        "of_chat": chat_id,
    }


def _claiming(postgres: bool, one_chat: bool) -> Update:
    """Claims up to :limit updates (of :of_chat) for :replica until :until, as of :now."""
    now = bindparam("now", type_=DateTime(timezone=True))
    chosen = _claimable(now, bindparam("of_chat") if one_chat else None).limit(bindparam("limit"))
    if postgres:
        chosen = chosen.with_for_update(skip_locked=True, of=InboxRow)
    return (
        update(InboxRow)
        .where(InboxRow.id.in_(chosen.scalar_subquery()))
        .values(
            claimed_by=bindparam("replica"),
            claimed_until=bindparam("until", type_=DateTime(timezone=True)),
            attempts=InboxRow.attempts + 1,
        )
        .returning(
            InboxRow.id,
            InboxRow.update_id,
            InboxRow.chat_id,
            InboxRow.user_id,
            InboxRow.attempts,
            InboxRow.payload,
        )
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Compiled:
    """A statement as PostgreSQL gets it: its SQL, its parameters' order, their fixed values."""

    sql: str
    order: tuple[str, ...]
    fixed: dict[str, Any]


class _Driver:
    """PostgreSQL's hot statements as asyncpg runs them, compiled once: the inbox adds three
    statements to every update, and SQLAlchemy's per-statement work would cost about as much
    CPU as the handler itself (bench/replicas.py). Connections come from SQLAlchemy's pools;
    one that breaks is invalidated there and reported as the database being out of reach."""

    STORE = (
        "INSERT INTO inbox (update_id, key, chat_id, user_id, payload, received_at, attempts) "
        "SELECT u.*, 0 FROM unnest($1::bigint[], $2::varchar[], $3::bigint[], $4::bigint[], "
        "$5::text[], $6::timestamptz[]) AS u ON CONFLICT (key) DO NOTHING RETURNING id"
    )
    # Kept, and taken by this replica at once where the chat has nothing else waiting or in
    # hand (the person waited for the last answer: the usual case): no claim afterwards.
    STORE_AND_TAKE = (
        "INSERT INTO inbox (update_id, key, chat_id, user_id, payload, received_at, attempts, "
        "claimed_by, claimed_until) "
        "SELECT u.update_id, u.key, u.chat_id, u.user_id, u.payload, u.received_at, "
        "CASE WHEN t.free THEN 1 ELSE 0 END, CASE WHEN t.free THEN $8 END, "
        "CASE WHEN t.free THEN $9::timestamptz END "
        "FROM unnest($1::bigint[], $2::varchar[], $3::bigint[], $4::bigint[], $5::text[], "
        "$6::timestamptz[], $7::bool[]) AS u(update_id, key, chat_id, user_id, payload, "
        "received_at, first) "
        "CROSS JOIN LATERAL (SELECT u.first AND NOT EXISTS (SELECT 1 FROM inbox j "
        "WHERE j.chat_id = u.chat_id AND j.done_at IS NULL) AS free) AS t "
        "ON CONFLICT (key) DO NOTHING "
        "RETURNING id, update_id, chat_id, user_id, attempts, payload, claimed_by IS NOT NULL"
    )
    # Done, and whether anything of the chat waits (only then is a claim worth a round trip).
    DONE = (
        "UPDATE inbox SET done_at = $1 WHERE id = $2 RETURNING EXISTS (SELECT 1 FROM inbox j "
        "WHERE j.chat_id = inbox.chat_id AND j.done_at IS NULL AND j.id <> inbox.id)"
    )

    def __init__(self, engine: AsyncEngine) -> None:
        self.claim_any = self._compiled(engine, _claiming(True, one_chat=False))
        self.claim_chat = self._compiled(engine, _claiming(True, one_chat=True))

    @staticmethod
    def _compiled(engine: AsyncEngine, statement: Update) -> Compiled:
        compiled = statement.compile(dialect=engine.dialect)
        return Compiled(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))

    @staticmethod
    @asynccontextmanager
    async def connection(engine: AsyncEngine) -> AsyncIterator[Any]:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            try:
                yield raw.driver_connection
            except asyncpg.UniqueViolationError as error:
                raise IntegrityError("inbox", None, error) from None
            except (
                asyncpg.PostgresConnectionError,
                asyncpg.InterfaceError,
                # "another operation is in progress", seen once on a connection that outlived
                # a server restart: that connection is done for, the database is not.
                asyncpg.InternalClientError,
                OSError,
            ) as error:
                await connection.invalidate()
                raise DisconnectionError(f"inbox: {error.__class__.__name__}") from None

            except asyncpg.PostgresError as error:
                if str(getattr(error, "sqlstate", "")).startswith(("08", "57")):
                    await connection.invalidate()
                    raise DisconnectionError(f"inbox: {error.__class__.__name__}") from None
                raise

    @staticmethod
    async def claim(driver: Any, compiled: Compiled, values: dict[str, Any]) -> list[InHand]:
        given = {**compiled.fixed, **values}
        rows = await driver.fetch(compiled.sql, *(given[name] for name in compiled.order))
        return sorted((InHand(*row) for row in rows), key=lambda hand: hand.row)


class InboxRepository:
    def __init__(
        self, engine: AsyncEngine, keys: Keyring, quick: AsyncEngine | None = None
    ) -> None:
        self._engine = engine
        self._keys = keys
        self._postgres = engine.dialect.name == "postgresql"
        # PostgreSQL: each statement here is atomic on its own, so it runs without BEGIN and
        # COMMIT around it (one round trip); what only speeds things up (claims, done marks,
        # leases) on `quick` connections, whose commits do not wait for the disk
        # (database.create_quick_engine). SQLite: the bot's one connection, in transactions.
        self._durable = engine
        self._quick = quick or engine
        self._driver: _Driver | None = None
        if self._postgres:
            self._durable = engine.execution_options(isolation_level="AUTOCOMMIT")
            if quick is None:
                self._quick = self._durable
            self._driver = _Driver(engine)
        self._claims = {chat: _claiming(self._postgres, chat) for chat in (False, True)}

    async def close(self) -> None:
        if self._quick not in (self._engine, self._durable):
            await self._quick.dispose()

    async def store(self, arrived: Sequence[Arrived], now: datetime) -> int:
        """Keeps the updates (sealed), once each however often Telegram sends them; durably
        committed when this returns. Returns how many were new."""
        if not arrived:
            return 0
        rows = []
        for item in arrived:
            key = await self._keys.key(item.user_id)
            rows.append(
                {
                    "update_id": item.update_id,
                    "key": item.key,
                    "chat_id": item.chat_id,
                    "user_id": item.user_id,
                    "payload": key.seal(item.payload, _where(item.user_id, item.update_id)),
                    "received_at": now,
                    "attempts": 0,
                }
            )
        if self._driver is not None:
            columns = ("update_id", "key", "chat_id", "user_id", "payload", "received_at")
            async with self._driver.connection(self._durable) as driver:
                new = await driver.fetch(
                    _Driver.STORE, *([row[name] for row in rows] for name in columns)
                )
            return len(new)
        async with self._durable.begin() as connection:
            insert = insert_for(connection)(InboxRow).on_conflict_do_nothing(
                index_elements=[InboxRow.key]
            )
            result = await connection.execute(insert.returning(InboxRow.id), rows)
            return len(result.all())

    async def store_and_take(
        self, arrived: Sequence[Arrived], now: datetime, replica: str, lease: timedelta
    ) -> tuple[int, list[InHand]]:
        """`store`, and on PostgreSQL the new updates whose chats have nothing else waiting
        or in hand are claimed for `replica` in the same statement (returned). Should two
        replicas take one chat's updates in the same instant, the database refuses the
        statement and they are kept unclaimed instead."""
        if self._driver is None or not arrived:
            return await self.store(arrived, now), []
        seen: set[int] = set()
        first = []
        for item in arrived:
            first.append(item.chat_id not in seen)
            seen.add(item.chat_id)
        sealed = await self._sealed(arrived, now)
        try:
            async with self._driver.connection(self._durable) as driver:
                rows = await driver.fetch(
                    _Driver.STORE_AND_TAKE,
                    *(list(column) for column in zip(*sealed, strict=True)),
                    first,
                    replica,
                    now + lease,
                )
        except IntegrityError:
            log.info("inbox: another replica took this chat at the same moment")
            return await self.store(arrived, now), []
        taken = [InHand(*row[:6]) for row in rows if row[6]]
        return len(rows), taken

    async def _sealed(self, arrived: Sequence[Arrived], now: datetime) -> list[tuple[Any, ...]]:
        """Rows (update_id, key, chat_id, user_id, sealed payload, received_at), to store."""
        rows = []
        for item in arrived:
            key = await self._keys.key(item.user_id)
            sealed = key.seal(item.payload, _where(item.user_id, item.update_id))
            rows.append((item.update_id, item.key, item.chat_id, item.user_id, sealed, now))
        return rows

    async def claim(
        self, replica: str, now: datetime, lease: timedelta, limit: int, chat_id: int | None = None
    ) -> list[InHand]:
        """Takes up to `limit` updates (of one chat, if given) for `replica` until now + lease."""
        if limit <= 0:
            return []
        if self._driver is not None:
            async with self._driver.connection(self._quick) as driver:
                return await self._pg_claim(driver, replica, now, lease, limit, chat_id)
        async with self._quick.begin() as connection:
            return await self._claim(connection, replica, now, lease, limit, chat_id)

    async def _pg_claim(
        self,
        driver: Any,
        replica: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        chat_id: int | None,
    ) -> list[InHand]:
        assert self._driver is not None
        compiled = self._driver.claim_any if chat_id is None else self._driver.claim_chat
        try:
            return await _Driver.claim(
                driver, compiled, _claim_values(replica, now, lease, limit, chat_id)
            )
        except asyncpg.UniqueViolationError:
            log.info("inbox: a claim met another replica's; looking again later")
            return []

    async def _claim(
        self,
        connection: AsyncConnection,
        replica: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        chat_id: int | None,
    ) -> list[InHand]:
        statement = self._claims[chat_id is not None]
        values = _claim_values(replica, now, lease, limit, chat_id)
        try:
            async with connection.begin_nested():
                rows = (await connection.execute(statement, values)).all()
        except IntegrityError:
            # Two replicas took the same chat's updates in the same instant; the database kept
            # one. The other is found again at the next look.
            log.info("inbox: a claim met another replica's; looking again later")
            return []
        return sorted((InHand(*row) for row in rows), key=lambda hand: hand.row)

    async def open(self, hand: InHand) -> str | None:
        """The update's JSON; None when it no longer opens (its sender used /forget meanwhile,
        which shreds their key)."""
        key = await self._keys.existing_key(hand.user_id)
        try:
            if key is None:
                raise Unreadable("the sender's data key is gone")
            return key.open(hand.sealed, _where(hand.user_id, hand.update_id))
        except Unreadable:
            return None

    async def finish(
        self, hand: InHand, replica: str, now: datetime, lease: timedelta
    ) -> InHand | None:
        """The update is handled; the chat's next waiting update, if any, is claimed in the
        same transaction (so the chat goes on without another look)."""
        if self._driver is not None:
            async with self._driver.connection(self._quick) as driver:
                waiting = await driver.fetchval(_Driver.DONE, now, hand.row)
                if not waiting:
                    return None
                # Each statement commits on its own: this one sees the update done.
                taken = await self._pg_claim(driver, replica, now, lease, 1, hand.chat_id)
            return taken[0] if taken else None
        async with self._quick.begin() as connection:
            await connection.execute(
                update(InboxRow).where(InboxRow.id == hand.row).values(done_at=now)
            )
        async with self._quick.begin() as connection:
            taken = await self._claim(connection, replica, now, lease, 1, hand.chat_id)
        return taken[0] if taken else None

    async def extend(self, replica: str, now: datetime, lease: timedelta) -> int:
        """Renews the leases of every update this replica has in hand."""
        async with self._quick.begin() as connection:
            result = await connection.execute(
                update(InboxRow)
                .where(InboxRow.claimed_by == replica, InboxRow.done_at.is_(None))
                .values(claimed_until=now + lease)
            )
            return int(result.rowcount or 0)

    async def give_back(self, replica: str | None = None, row: int | None = None) -> int:
        """Updates in this replica's hand (every replica's, with None: at the start of the only
        process SQLite allows) go back to waiting, for whoever looks next."""
        statement = update(InboxRow).where(
            InboxRow.done_at.is_(None), InboxRow.claimed_by.is_not(None)
        )
        if replica is not None:
            statement = statement.where(InboxRow.claimed_by == replica)
        if row is not None:
            statement = statement.where(InboxRow.id == row)
        async with self._engine.begin() as connection:
            result = await connection.execute(statement.values(claimed_by=None, claimed_until=None))
            return int(result.rowcount or 0)

    async def waiting(self) -> int:
        """Updates not handled yet (waiting or in hand)."""
        async with self._engine.connect() as connection:
            found = await connection.scalar(
                select(func.count()).select_from(INBOX).where(InboxRow.done_at.is_(None))
            )
            return int(found or 0)

    async def prune(self, before: datetime) -> int:
        """Handled updates older than `before` go (kept until then to recognise a redelivery)."""
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(InboxRow).where(InboxRow.done_at < before))
            return int(result.rowcount or 0)

    # --- replicas --------------------------------------------------------------------------

    async def seen(self, replica: str, now: datetime, alive_within: timedelta) -> int:
        """Notes that `replica` is alive; returns how many replicas are (itself included).
        Replicas not seen for a day are forgotten."""
        async with self._quick.begin() as connection:
            await connection.execute(
                insert_for(connection)(ReplicaRow)
                .values(id=replica, started_at=now, seen_at=now)
                .on_conflict_do_update(index_elements=[ReplicaRow.id], set_={"seen_at": now})
            )
            await connection.execute(
                delete(ReplicaRow).where(ReplicaRow.seen_at < now - timedelta(days=1))
            )
            found = await connection.scalar(
                select(func.count())
                .select_from(ReplicaRow.__table__)
                .where(ReplicaRow.seen_at >= now - alive_within)
            )
            return max(1, int(found or 0))

    async def leave(self, replica: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(ReplicaRow).where(ReplicaRow.id == replica))

    async def reachable(self) -> bool:
        """For the health check: one round trip."""
        async with self._engine.connect() as connection:
            await connection.scalar(select(1))
        return True


__all__ = ["Arrived", "InHand", "InboxRepository"]
