"""The key store: every person's data key, wrapped by the master key (bot/storage/sealing.py).

It lives apart from the database (by default an SQLite file in the bot's data folder), so that a
backup of the database holds sealed texts but no key to them: once /forget has deleted a
person's data key here, restoring an older copy of the database brings back nothing readable
of theirs. Back the key store up apart from the database, and keep those copies briefly.

Tables here are created as they are (no migrations): two small tables that only this module
reads.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.common import insert_for
from bot.storage.database import (
    PRIVATE_FILE,
    PRIVATE_FOLDER,
    StorageError,
    create_engine,
    reason,
    reclaim_deleted,
    where,
)
from bot.storage.sealing import BadMasterKey, DataKey, MasterKey, Unreadable, new_master_key_text

log = logging.getLogger(__name__)

MASTER_KEY_FILE = "softstart.key"
KEY_STORE_FILE = "softstart-keys.sqlite3"
# Held (shared) by every running bot, taken alone by rotate-key: no rotation under a live bot.
LOCK_FILE = "softstart.lock"
# Data keys kept open in memory: a person's step needs theirs without a read of the key store.
CACHED_KEYS = 10_000

STORE = MetaData()
DATA_KEYS = Table(
    "data_keys",
    STORE,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("key_id", LargeBinary(4), nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    # Which master key wrapped it (MasterKey.id): rotation re-wraps them all.
    Column("master_id", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
FACTS = Table(
    "key_store",
    STORE,
    Column("name", String(32), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)


class KeyProblem(StorageError):
    """The keys cannot be used; one line for the operator (exit 2, never a start that would
    write plain text or seal with a key nobody keeps)."""


@dataclass(frozen=True)
class KeyPlaces:
    """Where the master key and the key store are (from the settings, see `key_places`)."""

    master_text: str | None
    master_file: Path
    store_url: str
    # True when the master key file was named (DATA_KEY_FILE) rather than the default.
    file_named: bool = False
    database_url: str = ""

    @property
    def master_named(self) -> str:
        """Where the master key comes from, in words for the operator."""
        if self.master_text is not None:
            return "DATA_KEY"
        return f"the key file {self.master_file.resolve()}"

    @property
    def lock_file(self) -> Path:
        """Beside the key store file (whatever folder a command starts in); for a key store on
        a server, in the data folder (so only bots started there are seen)."""
        if self.store_is_file:
            return Path(make_url(self.store_url).database or "").parent / LOCK_FILE
        return data_folder(self.database_url or "sqlite://") / LOCK_FILE

    @property
    def store_is_file(self) -> bool:
        return make_url(self.store_url).get_backend_name() == "sqlite"

    @property
    def store_file_missing(self) -> bool:
        return self.store_is_file and not Path(make_url(self.store_url).database or "").exists()


def data_folder(database_url: str) -> Path:
    """The bot's own folder: an SQLite database's folder, else the working directory (in the
    container, its /data volume)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).parent
    return Path.cwd()


def key_places(
    database_url: str,
    data_key: str | None = None,
    data_key_file: Path | None = None,
    key_store_url: str | None = None,
) -> KeyPlaces:
    # The key store stays in the data folder wherever the master key comes from: a key file is
    # often on a read-only mount (a container secret), and moving it must not orphan the store.
    folder = data_folder(database_url)
    store = key_store_url or f"sqlite+aiosqlite:///{folder / KEY_STORE_FILE}"
    return KeyPlaces(
        master_text=data_key,
        master_file=data_key_file or folder / MASTER_KEY_FILE,
        store_url=store,
        file_named=data_key_file is not None,
        database_url=database_url,
    )


def read_master_key(places: KeyPlaces, tighten: bool = True) -> MasterKey | None:
    """The master key from DATA_KEY, else from its file; None when neither exists yet."""
    if places.master_text is not None:
        try:
            return MasterKey.from_text(places.master_text)
        except BadMasterKey as error:
            raise KeyProblem(f"DATA_KEY is not a key `soft-start keygen` made ({error})") from error
    try:
        text = places.master_file.read_text(encoding="utf-8")
        if tighten:
            _tighten(places.master_file)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KeyProblem(
            f"cannot read the data key file {places.master_file}: {reason(error)}"
        ) from error
    try:
        return MasterKey.from_text(text)
    except BadMasterKey as error:
        raise KeyProblem(
            f"{places.master_file} does not hold a key `soft-start keygen` made ({error})"
        ) from error


def _tighten(path: Path) -> None:
    """A key file others can read is made the bot's user's alone (like the database files)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        try:
            path.chmod(mode & ~0o077)
        except OSError:
            log.warning("the key file %s can be read by others: chmod 600 it", path.resolve())
            return
        log.warning("the key file %s could be read by others; made it 0600", path.resolve())


def write_master_key(path: Path, text: str) -> None:
    """A new key file, readable by the bot's user only, written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    draft = path.with_name(path.name + ".part")
    descriptor = os.open(draft, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(draft, path)


class Keyring:
    """People's data keys: made on first use, opened from the key store, kept in memory."""

    def __init__(self, master: MasterKey, store: AsyncEngine) -> None:
        self._master = master
        self.store = store
        self._open: OrderedDict[int, DataKey] = OrderedDict()

    @classmethod
    def at(cls, places: KeyPlaces) -> Keyring:
        """The keyring of a prepared key store (`prepare_keys` ran: the master key exists)."""
        master = read_master_key(places)
        if master is None:
            raise KeyProblem(f"no data key: neither DATA_KEY nor the file {places.master_file}")
        return cls(master, create_engine(places.store_url))

    async def close(self) -> None:
        await self.store.dispose()

    async def key(self, user_id: int) -> DataKey:
        """The person's data key; a new one the first time they write anything."""
        found = self._open.get(user_id)
        if found is not None:
            self._open.move_to_end(user_id)
            return found
        found = await self._read(user_id) or await self._make(user_id)
        self._keep(user_id, found)
        return found

    async def existing_key(self, user_id: int) -> DataKey | None:
        """The person's data key if they have one (reading never makes one)."""
        found = self._open.get(user_id)
        if found is None:
            found = await self._read(user_id)
            if found is not None:
                self._keep(user_id, found)
        return found

    def _keep(self, user_id: int, key: DataKey) -> None:
        self._open[user_id] = key
        self._open.move_to_end(user_id)
        while len(self._open) > CACHED_KEYS:
            self._open.popitem(last=False)

    async def _read(self, user_id: int) -> DataKey | None:
        async with self.store.connect() as connection:
            row = (
                await connection.execute(
                    select(DATA_KEYS.c.key_id, DATA_KEYS.c.wrapped).where(
                        DATA_KEYS.c.user_id == user_id
                    )
                )
            ).one_or_none()
        if row is None:
            return None
        return DataKey(row.key_id, self._master.unwrap(user_id, row.wrapped))

    async def _make(self, user_id: int) -> DataKey:
        key_id, raw = DataKey.new_raw()
        async with self.store.begin() as connection:
            # Never a key wrapped by a master key the store no longer uses (rotate-key run
            # while this bot ran): read under a share lock, which waits for a rotation.
            current = await connection.scalar(
                select(FACTS.c.value).where(FACTS.c.name == "master_id").with_for_update(read=True)
            )
            if current is not None and current.decode() != self._master.id:
                log.error("the master key was rotated while this bot ran: restart it")
                raise KeyProblem(
                    "the master key was rotated while this bot ran: restart it with the new key"
                )
            await connection.execute(
                insert_for(connection)(DATA_KEYS)
                .values(
                    user_id=user_id,
                    key_id=key_id,
                    wrapped=self._master.wrap(user_id, raw),
                    master_id=self._master.id,
                    created_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing(index_elements=[DATA_KEYS.c.user_id])
            )
        # Two first steps at once (or two replicas): the one that landed is everyone's key.
        made = await self._read(user_id)
        assert made is not None
        return made

    async def forget(self, user_id: int) -> None:
        """Crypto-shredding: the person's data key is gone, and with it every copy of their
        words (backups, old WAL frames, replicas). Committed before their rows are deleted."""
        self._open.pop(user_id, None)
        async with self.store.begin() as connection:
            await connection.execute(delete(DATA_KEYS).where(DATA_KEYS.c.user_id == user_id))
        # The key's bytes out of the key store's -wal as well (secure_delete zeroed the page).
        await reclaim_deleted(self.store)

    async def rotate(self, new: MasterKey) -> int:
        """Every data key re-wrapped under `new`, in one transaction; the texts are untouched.
        Returns how many keys were re-wrapped."""
        async with self.store.begin() as connection:
            # The new master key's id first: its row lock makes a running bot's new key wait
            # for this rotation, and then refuse (see _make).
            await _set_fact(connection, "master_id", new.id.encode())
            await _set_fact(connection, "check", new.check_value())
            rows = (
                await connection.execute(select(DATA_KEYS.c.user_id, DATA_KEYS.c.wrapped))
            ).all()
            for row in rows:
                try:
                    raw = self._master.unwrap(row.user_id, row.wrapped)
                except Unreadable as error:
                    raise KeyProblem(
                        f"the data key of user {row.user_id} does not open with the current "
                        "master key; nothing was changed"
                    ) from error
                await connection.execute(
                    update(DATA_KEYS)
                    .where(DATA_KEYS.c.user_id == row.user_id)
                    .values(wrapped=new.wrap(row.user_id, raw), master_id=new.id)
                )
        self._master = new
        self._open.clear()
        await reclaim_deleted(self.store)
        return len(rows)


async def _set_fact(connection: AsyncConnection, name: str, value: bytes) -> None:
    await connection.execute(
        insert_for(connection)(FACTS)
        .values(name=name, value=value)
        .on_conflict_do_update(index_elements=[FACTS.c.name], set_={"value": value})
    )


async def store_facts(store: AsyncEngine) -> dict[str, bytes]:
    """The key store's own facts (its id, the master key's check), its tables made if new."""
    try:
        async with store.begin() as connection:
            await connection.run_sync(STORE.create_all)
            rows = (await connection.execute(select(FACTS.c.name, FACTS.c.value))).all()
    except SQLAlchemyError as error:
        raise KeyProblem(
            f"cannot use the key store ({where(store.url)}): {reason(error)}"
        ) from error
    return {row.name: row.value for row in rows}


async def prepare_keys(places: KeyPlaces, sealed_with: str | None) -> tuple[MasterKey, str]:
    """Checks (or on a first start, makes) the master key and the key store; returns the master
    key and the key store's id. `sealed_with` is the key store the database's texts were sealed
    with (None: nothing sealed yet)."""
    if places.database_url and _same_database(places.store_url, places.database_url):
        raise KeyProblem(_STORE_IN_DATABASE)
    store = create_engine(places.store_url)
    try:
        try:
            if await _holds_the_database(store):
                raise KeyProblem(_STORE_IN_DATABASE)
        except SQLAlchemyError as error:
            raise KeyProblem(
                f"cannot use the key store ({where(store.url)}): {reason(error)}"
            ) from error
        facts = await store_facts(store)
        store_id = facts.get("store_id", b"").decode() or None
        if sealed_with is not None and sealed_with != store_id:
            raise KeyProblem(_another_store(store.url))
        master = read_master_key(places)
        if master is None:
            if places.file_named:
                raise KeyProblem(_missing_named_file(places))
            if store_id is not None:
                raise KeyProblem(_no_key(places, store.url))
            master = _first_master_key(places)
        check = facts.get("check")
        if check is not None and not master.opens(check):
            raise KeyProblem(_wrong_key(places))
        strangers = await _wrapped_by_others(store, master)
        if strangers:
            raise KeyProblem(_strangers(strangers))
        if store_id is None:
            store_id = secrets.token_hex(8)
            async with store.begin() as connection:
                await _set_fact(connection, "store_id", store_id.encode())
                await _set_fact(connection, "check", master.check_value())
        if facts.get("master_id") is None:
            async with store.begin() as connection:
                await _set_fact(connection, "master_id", master.id.encode())
        return master, store_id
    finally:
        await store.dispose()


async def key_status(places: KeyPlaces, sealed_with: str | None) -> str:
    """For check-config, changing nothing on disk: where the keys are and whether they fit the
    database (`sealed_with`: the key store its texts were sealed with, None if none yet). Raises
    KeyProblem with the very line the start would stop with."""
    if places.database_url and _same_database(places.store_url, places.database_url):
        raise KeyProblem(_STORE_IN_DATABASE)
    master = read_master_key(places, tighten=False)
    if master is None and places.file_named:
        raise KeyProblem(_missing_named_file(places))
    facts: dict[str, bytes] = {}
    strangers = 0
    url = make_url(places.store_url)
    if not places.store_file_missing:
        store = create_engine(places.store_url, prepare_file=False)
        try:
            if await _holds_the_database(store):
                raise KeyProblem(_STORE_IN_DATABASE)
            async with store.connect() as connection:
                rows = await connection.execute(select(FACTS.c.name, FACTS.c.value))
                facts = {row.name: row.value for row in rows}
            if master is not None:
                strangers = await _wrapped_by_others(store, master)
        except SQLAlchemyError:
            facts = {}  # no key store tables yet: made at the first start
        finally:
            await store.dispose()
    store_id = facts.get("store_id", b"").decode() or None
    if sealed_with is not None and sealed_with != store_id:
        raise KeyProblem(_another_store(url))
    check = facts.get("check")
    if master is None:
        if check is not None:
            raise KeyProblem(_no_key(places, url))
        return f"master key not there yet: made at the first start at {places.master_named}"
    if check is not None and not master.opens(check):
        raise KeyProblem(_wrong_key(places))
    if strangers:
        raise KeyProblem(_strangers(strangers))
    state = "opens the key store" if check is not None else "key store made at the first start"
    note = ""
    if places.master_text is None and stat.S_IMODE(places.master_file.stat().st_mode) & 0o077:
        note = "; the key file can be read by others (made 0600 at the next start)"
    return f"master key from {places.master_named}, {state} ({where(url)}){note}"


def _another_store(url: URL) -> str:
    return (
        f"the texts in the database were sealed with another key store than the one at "
        f"{where(url)}: point KEY_STORE_URL at the key store that belongs to this database"
    )


def _no_key(places: KeyPlaces, url: URL) -> str:
    return (
        f"no data key: set DATA_KEY or DATA_KEY_FILE, or put the key back at "
        f"{places.master_file.resolve()} (the key store at {where(url)} needs it)"
    )


def _wrong_key(places: KeyPlaces) -> str:
    return (
        f"the master key ({places.master_named}) is not the key this key store was sealed with"
        + _half_rotated(places)
    )


def _strangers(count: int) -> str:
    return (
        f"{count} data key(s) in the key store were wrapped by another master key than the "
        "one given: start with the key they were wrapped with"
    )


_STORE_IN_DATABASE = (
    "KEY_STORE_URL names the database itself: the key store must live apart from it "
    "(otherwise every backup of the database carries its keys)"
)


def _missing_named_file(places: KeyPlaces) -> str:
    return (
        f"DATA_KEY_FILE names {places.master_file.resolve()}, which does not exist (a typo, or "
        "a secret not mounted yet?); `soft-start keygen` prints a new key for a first start"
    )


async def _holds_the_database(store: AsyncEngine) -> bool:
    """The bot's own tables in the key store: it is the database under another spelling
    (localhost for 127.0.0.1, say)."""
    async with store.connect() as connection:
        return await connection.run_sync(lambda sync: inspect(sync).has_table("sealing"))


def _same_database(one: str, other: str) -> bool:
    first, second = make_url(one), make_url(other)
    if first.get_backend_name() != second.get_backend_name():
        return False
    if first.get_backend_name() == "sqlite":
        return Path(first.database or "").resolve() == Path(second.database or "").resolve()
    return (first.host, first.port, first.database) == (second.host, second.port, second.database)


async def _wrapped_by_others(store: AsyncEngine, master: MasterKey) -> int:
    async with store.connect() as connection:
        found = await connection.scalar(
            select(func.count()).select_from(DATA_KEYS).where(DATA_KEYS.c.master_id != master.id)
        )
    return int(found or 0)


@contextmanager
def bot_running(places: KeyPlaces, alone: bool = False) -> Iterator[None]:
    """Held by a running bot (shared: several may share the data folder); `alone` (rotate-key)
    fails at once while any bot holds it. Not on Windows (no flock)."""
    if os.name == "nt":
        yield
        return
    import fcntl

    path = places.lock_file
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB if alone else fcntl.LOCK_SH)
        except BlockingIOError:
            raise KeyProblem(
                "a bot is running on this data folder: stop it (every one sharing this key "
                "store) before rotating the key"
            ) from None
        yield
    finally:
        os.close(descriptor)


def _half_rotated(places: KeyPlaces) -> str:
    pending = places.master_file.with_name(places.master_file.name + ".new")
    if pending.exists():
        return f" (a rotation did not finish: the new key is in {pending})"
    return ""


def _first_master_key(places: KeyPlaces) -> MasterKey:
    """A first start with no key at all: make one in the bot's data folder, 0600, and say so
    loudly. Refusing to start would break the two-command set-up; starting without sealing
    would write plain text. The operator should keep a copy elsewhere (see the README)."""
    text = new_master_key_text()
    try:
        write_master_key(places.master_file, text)
    except OSError as error:
        raise KeyProblem(
            f"cannot write a new data key to {places.master_file}: {reason(error)} "
            "(or set DATA_KEY; `soft-start keygen` makes one)"
        ) from error
    log.warning(
        "made a new data key at %s: what people write is sealed with it. Keep a copy of it "
        "somewhere safe away from this machine and its backups; without it nobody can read "
        "the saved texts",
        places.master_file.resolve(),
    )
    return MasterKey.from_text(text)


__all__ = [
    "KeyPlaces",
    "KeyProblem",
    "Keyring",
    "Unreadable",
    "key_places",
    "prepare_keys",
]
