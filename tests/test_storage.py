"""The storage layer on its own: migrations, refusals, retention and housekeeping."""

from __future__ import annotations

import asyncio
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from bot.cli import prepare_database
from bot.core.draft import Draft, Step
from bot.storage import Storage, StorageError, create_engine, migrate
from bot.storage.common import UpdateMark
from bot.storage.database import create_reader, is_unavailable
from bot.storage.keys import Keyring
from bot.storage.models import Base
from bot.storage.sealing import place
from tests.fake_telegram import TOKEN
from tests.keys import places_in, prepared_storage
from tests.process import run_bot_to_exit


def mark(update_id: int, content: str = "") -> UpdateMark:
    """An update's mark as the redelivery guard makes it: its id and a content key."""
    return UpdateMark(update_id, f"{update_id:08x}{zlib.crc32(content.encode()):08x}")


@pytest.fixture
async def storage(database_url: str, tmp_path: Path) -> Storage:
    return await prepared_storage(database_url, tmp_path)


async def test_migrations_build_exactly_the_models(storage: Storage) -> None:
    def differences(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))

    async with storage.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    await storage.close()


async def test_migrating_twice_is_harmless(storage: Storage) -> None:
    """A restart migrates again: the schema stays the models', the version the newest, and what
    people saved stays."""
    await storage.save_draft(1, Draft().answer("anxious"), update=mark(10))

    def state(connection: Connection) -> tuple[object, list[object]]:
        context = MigrationContext.configure(connection)
        return context.get_current_heads(), list(compare_metadata(context, Base.metadata))

    async with storage.engine.connect() as connection:
        heads_before, _ = await connection.run_sync(state)
    await migrate(storage.engine)
    await migrate(storage.engine)
    async with storage.engine.connect() as connection:
        heads_after, differences = await connection.run_sync(state)
    assert heads_after == heads_before and len(heads_after) == 1  # type: ignore[arg-type]
    assert differences == []
    draft = await storage.load_draft(1)
    assert draft is not None and draft.feeling == "anxious"
    await storage.close()


async def test_a_database_from_a_newer_version_is_refused(storage: Storage) -> None:
    async with storage.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="newer Soft Start"):
        await migrate(storage.engine)
    await storage.close()


async def test_drafts_expire_and_history_is_retained_only_as_long_as_asked(
    storage: Storage,
) -> None:
    draft = Draft("sad", step=Step.REASON)
    await storage.save_draft(1, draft, update=mark(10))
    await storage.finish_draft(2, Draft("a", "b", "c", "d", Step.REVIEW), "text", update=mark(11))
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await storage.expire_drafts(later - timedelta(hours=1)) == 0
    assert await storage.expire_drafts(later) == 1
    assert await storage.load_draft(1) is None
    assert await storage.delete_history_before(later) == 1
    assert (await storage.history_page(2, 0)).total == 0
    assert await storage.was_applied(mark(11), 2)
    # The draft's steps are marked on the draft itself; only the finish left a row.
    assert await storage.prune_processed_updates(later) == 1
    assert not await storage.was_applied(mark(11), 2)
    await storage.close()


async def test_remembered_taps_are_pruned_and_claims_are_not(storage: Storage) -> None:
    window = timedelta(seconds=20)
    assert await storage.first_tap(1, "tap:heard", "42", window)
    assert not await storage.first_tap(1, "tap:heard", "42", window)  # a double tap
    assert await storage.claim_action(1, "heard", "7:1")
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await storage.prune_taps(later) == 1
    assert await storage.first_tap(1, "tap:heard", "42", window)  # remembered no more
    assert await storage.did(1, "heard", "7:1")  # a claim is kept: it stops a second delivery
    await storage.close()


async def test_applying_the_same_update_twice_is_recorded_once(storage: Storage) -> None:
    await storage.save_draft(1, Draft(), update=mark(5))
    await storage.save_draft(1, Draft("x", step=Step.REASON), update=mark(5))
    assert await storage.was_applied(mark(5), 1)
    assert (await storage.load_draft(1)) == Draft("x", step=Step.REASON)
    await storage.close()


async def test_the_drafts_latest_updates_count_as_applied_by_id_and_content(
    storage: Storage,
) -> None:
    for number in range(1, 11):
        await storage.save_draft(1, Draft(), update=mark(number))
    # The last eight are remembered; older ones cannot come again by then.
    assert all([await storage.was_applied(mark(n), 1) for n in range(3, 11)])
    assert not await storage.was_applied(mark(2), 1)
    assert not await storage.was_applied(mark(11), 1)
    assert not await storage.was_applied(mark(10), 2)  # someone else's update
    # The same id on another message (Telegram renumbered): a new update.
    assert not await storage.was_applied(mark(10, "another message"), 1)
    await storage.save_draft(1, Draft("x", step=Step.REASON), update=None)
    assert await storage.was_applied(mark(10), 1)  # a save outside an update keeps the marks
    assert await storage.latest_applied_update() == 10
    await storage.close()


async def test_a_handled_update_is_recorded_by_id_and_content(storage: Storage) -> None:
    await storage.save_draft(1, Draft(), update=None)  # the users row
    await storage.record_handled(1, mark(3))
    assert await storage.was_applied(mark(3), 1)
    assert not await storage.was_applied(mark(3, "a new update with an old id"), 1)
    await storage.record_handled(1, mark(3, "a new update with an old id"))
    assert await storage.was_applied(mark(3, "a new update with an old id"), 1)
    # Nobody's row comes back for a person without one (after /forget).
    await storage.record_handled(2, mark(4))
    assert not await storage.was_applied(mark(4), 2)
    await storage.close()


async def test_history_page_past_the_end_shows_the_last_page(storage: Storage) -> None:
    for number in range(7):
        await storage.finish_draft(1, Draft(), f"message {number}", update=mark(number))
    page = await storage.history_page(1, 99)
    assert page.page == 1 and [m.text for m in page.messages] == ["message 1", "message 0"]
    assert await storage.saved_message(2, page.messages[0].id) is None
    await storage.close()


async def test_python_m_bot_migrate(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    status, stderr = await run_bot_to_exit(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url, extra_args=["migrate"]
    )
    assert status == 0, stderr
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    await engine.dispose()
    status, stderr = await run_bot_to_exit(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url)
    assert status == 2 and "newer Soft Start" in stderr


async def test_an_unreachable_database_is_one_clear_line_for_migrate(tmp_path: Path) -> None:
    """`run` waits for a database that is not up yet (tests/test_operations.py); a one-off
    `migrate` says where it looked and stops."""
    status, stderr = await run_bot_to_exit(
        tmp_path,
        extra_args=["migrate"],
        DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/nothing",
    )
    assert status == 2
    # Where it looked, so the operator can tell a wrong host from a server that is down.
    assert "cannot use the PostgreSQL at 127.0.0.1:1" in stderr
    assert "nothing answers there" in stderr
    assert len(stderr.strip().splitlines()) == 1


async def test_on_sqlite_a_step_reads_its_draft_without_waiting_for_a_writer(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    storage = await prepared_storage(url, tmp_path, busy_timeout_seconds=0.5)
    await storage.save_draft(1, Draft("calm", step=Step.REASON), update=mark(1))
    # A long write transaction holds the bot's only writing connection...
    async with storage.engine.begin() as writer:
        sealed = (await storage.keys.key(1)).seal("not yet", place("drafts", "reason", 1))
        await writer.execute(
            text("UPDATE drafts SET reason = :sealed WHERE user_id = 1"), {"sealed": sealed}
        )
        # ...and the read neither queues behind it nor sees its uncommitted change.
        draft = await asyncio.wait_for(storage.load_draft(1), timeout=0.2)
        assert draft == Draft("calm", step=Step.REASON)
    assert await storage.load_draft(1) == Draft("calm", "not yet", step=Step.REASON)
    await storage.close()


async def test_on_sqlite_a_database_locked_by_another_program_is_a_try_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    storage = await prepared_storage(url, tmp_path, busy_timeout_seconds=0.3)
    # A tool that takes the file for itself: even WAL readers are shut out.
    other = sqlite3.connect(path)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(OperationalError) as raised:
            await storage.load_draft(1)
        assert is_unavailable(raised.value)
    finally:
        other.rollback()
        other.close()
    await storage.save_draft(1, Draft("calm", step=Step.REASON), update=mark(1))
    assert await storage.load_draft(1) == Draft("calm", step=Step.REASON)
    await storage.close()


async def test_only_sqlite_files_get_a_reader() -> None:
    engine = create_engine("postgresql+asyncpg://u:p@127.0.0.1:1/x")
    assert create_reader(engine) is None
    await engine.dispose()


async def test_what_people_were_asked_survives_the_move_to_one_conversation_state(
    database_url: str, tmp_path: Path
) -> None:
    """Migration 0009: the old "outcome:12" strings and reply columns become one state."""
    from alembic import command

    from bot.core.conversation import Awaited, Expecting
    from bot.storage.database import _alembic_config

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0008"))
        rows = [
            (1, "outcome:12", None, None, None),
            (2, "send_time:7", None, None, None),
            (3, "time_zone", 9, 5, "custom"),  # a reply being written won over the rest
            (4, "checkin", None, None, None),
            (5, None, 9, 6, "write"),
        ]
        for user, awaiting, to_user, message, kind in rows:
            await connection.execute(
                text(
                    "INSERT INTO users (id, locale, created_at, awaiting, pending_reply_to,"
                    " pending_reply_message, pending_reply_kind)"
                    " VALUES (:id, 'en', :now, :awaiting, :to, :message, :kind)"
                ),
                {
                    "id": user,
                    "now": datetime.now(UTC),
                    "awaiting": awaiting,
                    "to": to_user,
                    "message": message,
                    "kind": kind,
                },
            )
    places = places_in(tmp_path, database_url)
    await prepare_database(database_url, keys=places)
    storage = Storage(engine, Keyring.at(places))
    assert [await storage.conversation.awaited(user) for user in range(1, 6)] == [
        Awaited(Expecting.OUTCOME_NOTE, 12),
        Awaited(Expecting.SEND_TIME, 7),
        Awaited(Expecting.TALK_TIME, 5, 9),
        Awaited(Expecting.CHECKIN),
        Awaited(Expecting.PARTNER_REPLY, 6, 9),
    ]
    await storage.close()
