"""Engine creation and migrations, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"


class StorageError(RuntimeError):
    """The database cannot be used; the message is one line for the operator."""


def _sqlite_pragmas(busy_timeout_seconds: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers and the writer work at once; busy_timeout waits out short locks.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


# SQLSTATE classes of a connection that broke (08) or a server shutting down or restarting
# (57: "terminating connection due to administrator command"): passing, like a lock.
_PASSING_SQLSTATES = ("08", "57")


def _sqlstate(error: DBAPIError) -> str:
    original = error.orig
    cause = getattr(original, "__cause__", None)
    return str(getattr(original, "pgcode", None) or getattr(cause, "sqlstate", None) or "")


def is_unavailable(error: BaseException) -> bool:
    """A database that is locked, restarting or out of reach: worth a "try again in a moment"."""
    if isinstance(error, DBAPIError) and (
        error.connection_invalidated or _sqlstate(error).startswith(_PASSING_SQLSTATES)
    ):
        return True
    return isinstance(
        error,
        OperationalError
        | InterfaceError
        | DisconnectionError
        | PoolTimeout
        | OSError
        | TimeoutError,
    )


def create_engine(database_url: str, busy_timeout_seconds: float = 5.0) -> AsyncEngine:
    """An async engine for the URL; SQLite files get their folder created. Parameters are hidden
    from error messages, because they hold what people wrote and errors get logged."""
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise StorageError(f"DATABASE_URL is not a valid database URL: {error}") from error
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer at a time anyway, and a single connection
        # means a transaction never has to upgrade a read lock another writer is waiting on
        # (which SQLite refuses at once instead of waiting). Others queue for the connection.
        engine = create_async_engine(
            url,
            hide_parameters=True,
            pool_size=1,
            max_overflow=0,
            pool_timeout=busy_timeout_seconds,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_seconds))
        return engine
    # No pool_pre_ping: with asyncpg it costs three round trips per checkout (BEGIN, ping,
    # ROLLBACK), more than the step's own query. A connection that died with a server restart
    # fails its first statement instead; SQLAlchemy then replaces the pool's connections, and
    # the conversation's queries try once more (Storage), so a restart goes unnoticed there.
    return create_async_engine(
        url,
        hide_parameters=True,
        # A statement stuck behind a lock fails after this long instead of hanging the bot.
        connect_args={"command_timeout": busy_timeout_seconds},
    )


# How long the reader waits if SQLite reports the file busy (rare in WAL mode: recovery after a
# crash); it blocks the event loop meanwhile, so short, and the caller then takes the slow way.
READER_BUSY_TIMEOUT_MS = 100


def _reader_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={READER_BUSY_TIMEOUT_MS}")
    cursor.close()


def create_reader(engine: AsyncEngine) -> Engine | None:
    """For an SQLite file: a read-only connection used in the event loop's own thread, for the
    draft read every conversation step makes.

    Through aiosqlite a query takes five hops to its worker thread and back (about 0.5 ms of
    CPU); here it takes under 0.1 ms. In WAL mode a reader never waits for a writer, so the
    read cannot stall the loop, and it sees every committed write. None for PostgreSQL (its
    driver is already asynchronous) and for an in-memory database (a second connection would
    see another database)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    reader = sqlalchemy.create_engine(
        url.set(drivername="sqlite+pysqlite"), pool_size=1, max_overflow=0, hide_parameters=True
    )
    event.listen(reader, "connect", _reader_pragmas)
    return reader


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    config = _alembic_config(connection)
    known = {revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()}
    current = MigrationContext.configure(connection).get_current_heads()
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        raise StorageError(
            f"the database was written by a newer Soft Start (migration {unknown[0]}); "
            "update the bot instead of starting this version"
        )
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Brings the schema to the newest migration; refuses a database from a newer version."""
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    except StorageError:
        raise
    except (SQLAlchemyError, OSError) as error:
        raise StorageError(f"cannot use the database: {error.__class__.__name__}") from error
