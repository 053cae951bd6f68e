"""Engine creation and migrations, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
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
log = logging.getLogger(__name__)
# What people write is in these files: only the bot's own user may read them.
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


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
        # Deleted rows (a /forget, an edited draft) are overwritten with zeros, not left in
        # free pages of the file for anyone with a copy of it to read.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return on_connect


def _private_sqlite_file(database: str) -> None:
    """The folder made 0700 when the bot creates it, the file created 0600 before SQLite opens
    it (SQLite gives its -wal and -shm the file's mode), and files left readable by others from
    an earlier version tightened."""
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=PRIVATE_FOLDER)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    for suffix in _SQLITE_COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists() and stat.S_IMODE(companion.stat().st_mode) & 0o077:
            companion.chmod(stat.S_IMODE(companion.stat().st_mode) & ~0o077)


async def reclaim_deleted(engine: AsyncEngine) -> None:
    """After a deletion (/forget): SQLite's -wal still holds the deleted words until it is
    checkpointed; copy its pages into the file (where secure_delete zeroed them) and empty it.
    PostgreSQL reuses the space at its next vacuum (autovacuum)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    try:
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = result.one()[0]
    except SQLAlchemyError as error:
        # The deletion itself is committed; the next automatic checkpoint does this.
        log.warning("checkpoint after a deletion failed: %s", error.__class__.__name__)
        return
    if busy:
        # A reader was still on an older snapshot; the next checkpoint (SQLite runs one every
        # 1000 pages) copies it.
        log.warning("the write-ahead log could not be emptied at once after a deletion")


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


def create_engine(
    database_url: str, busy_timeout_seconds: float = 5.0, *, prepare_file: bool = True
) -> AsyncEngine:
    """An async engine for the URL; SQLite files get their folder created. Parameters are hidden
    from error messages, because they hold what people wrote and errors get logged."""
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise StorageError(f"DATABASE_URL is not a valid database URL: {error}") from error
    if url.get_backend_name() == "sqlite":
        if prepare_file and url.database and url.database != ":memory:":
            try:
                _private_sqlite_file(url.database)
            except OSError as error:
                raise StorageError(
                    f"cannot create the SQLite file {Path(url.database).resolve()}: {reason(error)}"
                ) from error
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


def create_quick_engine(engine: AsyncEngine, busy_timeout_seconds: float = 5.0) -> AsyncEngine:
    """PostgreSQL: connections for statements that only speed things up (the inbox's claims
    and done marks): each statement its own transaction, and commits that do not wait for the
    disk (lost in a crash, the update is only handled again). SQLite: the engine itself."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_async_engine(
        engine.url,
        hide_parameters=True,
        isolation_level="AUTOCOMMIT",
        pool_size=4,
        connect_args={
            "command_timeout": busy_timeout_seconds,
            "server_settings": {"synchronous_commit": "off"},
        },
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
        raise StorageError(unusable(engine, error)) from error


async def schema_status(engine: AsyncEngine) -> str:
    """Whether the database is reachable and how far its schema is (for check-config)."""
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_schema_status)
    except StorageError:
        raise
    except (SQLAlchemyError, OSError) as error:
        raise StorageError(unusable(engine, error)) from error


def _schema_status(connection: Connection) -> str:
    script = ScriptDirectory.from_config(_alembic_config(connection))
    current = set(MigrationContext.configure(connection).get_current_heads())
    if current == set(script.get_heads()):
        return "reachable, schema up to date"
    known = {revision.revision for revision in script.walk_revisions()}
    if current - known:
        return "reachable, written by a newer Soft Start: update the bot"
    return "reachable, migrations to apply (soft-start migrate, or at the next start)"


def where(url: URL) -> str:
    """The database in words, no password: an SQLite file by its absolute path."""
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "SQLite in memory"
        return f"SQLite file {Path(url.database).resolve()}"
    return (
        f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432} "
        f"(database {url.database}, user {url.username})"
    )


def unusable(engine: AsyncEngine, error: BaseException) -> str:
    """One line for the operator: where the database is and what went wrong, no password."""
    return f"cannot use the {where(engine.url)}: {reason(error)}"


def _root(error: BaseException) -> BaseException:
    root: BaseException = error
    while True:
        inner = getattr(root, "orig", None) or root.__cause__
        if inner is None or inner is root:
            return root
        root = inner


# What the operator should read for the errors seen most, by class name (the drivers' own
# classes, so no import of asyncpg here).
_IN_WORDS = {
    "ConnectionRefusedError": "nothing answers there (is the server running? is the port right?)",
    "gaierror": "the host name is not known",
    "InvalidPasswordError": "the server refused the user or the password",
    "InvalidAuthorizationSpecificationError": "the server refused this user",
    "InvalidCatalogNameError": "that database does not exist on the server (create it first)",
    "CannotConnectNowError": "the server is starting up",
    "TooManyConnectionsError": "the server has no connection slot left",
    "ClientConfigurationError": "the ssl setting in DATABASE_URL is not usable",
    "TimeoutError": "no answer in time",
    "PermissionError": "permission denied (the bot's user must be able to write there)",
}


def reason(error: BaseException) -> str:
    """The innermost cause in words where they are known, else its name (and the operating
    system's words)."""
    root = _root(error)
    name = root.__class__.__name__
    if name in _IN_WORDS:
        return _IN_WORDS[name]
    if name == "ConnectionError" and "SSL" in str(root):
        return "the server does not offer SSL (try sslmode=disable on a private network)"
    if isinstance(root, OSError) and root.strerror:
        return f"{name} ({root.strerror})"
    return name


# SQLSTATEs of a server that is there but not ready yet: worth waiting for at start-up.
_STARTING_SQLSTATES = ("08", "57P03")


def not_up_yet(error: BaseException) -> bool:
    """A database that is not reachable yet (a server still starting, a network not up): the
    bot waits for it at start-up. A refused password or a missing database is not this."""
    root = _root(error)
    if isinstance(root, ConnectionRefusedError | TimeoutError | ConnectionResetError):
        return True
    if root.__class__.__name__ in {"gaierror", "CannotConnectNowError"}:
        return True
    sqlstate = str(getattr(root, "sqlstate", None) or getattr(root, "pgcode", None) or "")
    return sqlstate.startswith(_STARTING_SQLSTATES)
