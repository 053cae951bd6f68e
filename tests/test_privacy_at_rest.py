"""Privacy at rest: what people write is sealed in the database (bot/storage/sealing.py), /forget
shreds the person's data key so that no copy of the database opens their words any more, and a
text moved or changed outside the bot gets a kind answer instead of a crash."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli import main, prepare_database
from bot.core.draft import Draft
from bot.settings import Settings
from bot.storage import Storage, create_engine
from bot.storage.database import _alembic_config
from bot.storage.keys import KEY_STORE_FILE, KeyProblem, Keyring, bot_running, key_places
from bot.storage.sealing import MasterKey, Unreadable, new_master_key_text
from tests.conftest import FakeClock
from tests.driver import FakeUser
from tests.keys import TEST_DATA_KEY, places_in
from tests.postgres import PostgresServer
from tests.process import run_bot_to_exit
from tests.test_compose_flow import ANSWERS, FEELING_Q, REASON_Q, REGULATION_Q
from tests.test_reminders_flow import dispatcher_of, set_berlin_at_21
from tests.test_sharing import pair, send_to
from tests.test_your_data import compose_one, storage_of

TOKEN = "700000001:AAHfakeTokenForTestsOnly0123456789abcd"
CHECKIN_NOTE = "weary but hopeful after the long shift"
SAID_MORE = "the rota changed again without asking me"
PLAN_PART = "my cousin Mirela on the corner of Lindenweg"
KEPT_WORDS = "honestly the bins again, every single week"
REPLY = "I hear that the evening felt long for you"
NEW_REASON = "the holiday plans changed last week"
REFLECTED = "I hear that the late call left you waiting alone"
CORRECTION = "more that nobody told me when it would end"
# Everything the two people write below; none of it may be found in the database's bytes.
WRITTEN = [
    *ANSWERS[1:],
    CHECKIN_NOTE,
    SAID_MORE,
    PLAN_PART,
    KEPT_WORDS,
    REPLY,
    NEW_REASON,
    REFLECTED,
    CORRECTION,
]


async def _write_everything(alice: FakeUser, bob: FakeUser) -> None:
    """A conversation sent to a partner, what the partner heard (and "not quite"), their
    written reply, a check-in note, a part of the safety plan, words kept for later, and a
    draft in progress."""
    await bob.send(KEPT_WORDS)
    await bob.expect(r"I've kept your words")
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("💬 Say what I heard")
    await bob.press("✏️ Say it my way")
    await bob.expect(r"In your own words")
    await bob.send(REFLECTED)
    await bob.press("💌 Send it to Alice")
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Not quite", reflection)
    await alice.expect(r"What did Bob miss")
    await alice.send(CORRECTION)
    await bob.expect(r"not quite it yet")
    await bob.press("✍️ Write a reply")
    await bob.expect(r"saying back what you heard")
    await bob.send(REPLY)
    await bob.expect(r"Sent to Alice")
    await alice.expect(rf"Bob replied:\s+{REPLY}")
    await alice.send("/checkin")
    await alice.expect(r"How are you feeling")
    await alice.send(CHECKIN_NOTE)
    await alice.expect(rf"Saved to your journal: {CHECKIN_NOTE}")
    await alice.press("✍️ Want to say more?")
    await alice.expect(r"I'm listening")
    await alice.send(SAID_MORE)
    await alice.expect(r"Added to today's check-in")
    await alice.send("/safety")
    await alice.expect(r"Your safety plan")
    await alice.press("✏️ People I can call")
    await alice.send(PLAN_PART)
    await alice.expect(r"Saved to your safety plan")
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    await alice.send("tired")
    await alice.expect(REASON_Q)
    await alice.send(NEW_REASON)
    await alice.expect(REGULATION_Q)


def _database_bytes(settings: Settings, dump_to: Path) -> bytes:
    """The database as a thief would have it: the SQLite file and its -wal, or a pg_dump."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        files = Path(url.database).parent.glob(Path(url.database).name + "*")
        return b"".join(path.read_bytes() for path in files)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "--file", str(dump_to), plain], check=True)
    return dump_to.read_bytes()


async def test_no_written_word_is_in_the_database_its_wal_or_a_dump(
    alice: FakeUser, bob: FakeUser, running_bot: Any, settings: Settings, tmp_path: Path
) -> None:
    await _write_everything(alice, bob)
    found = _database_bytes(settings, tmp_path / "dump.sql")
    # The search works: the database's own words are there, and so is what is not sealed.
    assert b"drafts" in found and b"safety_plans" in found
    for words in WRITTEN:
        assert words.encode() not in found, words
    # The person still reads all of it, through the bot.
    await alice.send("/journal")
    await alice.expect(f"{CHECKIN_NOTE}: {SAID_MORE}")
    await alice.send("/export")
    exported = (await alice.expect_document("soft-start-data.json")).decode()
    for words in (ANSWERS[1], CHECKIN_NOTE, PLAN_PART, NEW_REASON):
        assert words in exported


async def _restored_copy(settings: Settings, tmp_path: Path, postgres: Any) -> str:
    """A backup taken now, restored into a database of its own: its URL."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        copy = tmp_path / "backup.sqlite3"
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        return f"sqlite+aiosqlite:///{copy}"
    dump = tmp_path / "backup.sql"
    _database_bytes(settings, dump)
    server: PostgresServer = postgres
    restored = await server.create_database()
    plain = make_url(restored).set(drivername="postgresql").render_as_string(hide_password=False)
    restore = ["psql", "-q", "-f", str(dump), plain]
    await asyncio.to_thread(subprocess.run, restore, check=True, capture_output=True)
    return restored


async def test_after_forget_a_restored_backup_opens_everyone_s_words_but_theirs(
    alice: FakeUser,
    bob: FakeUser,
    running_bot: Any,
    settings: Settings,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    await compose_one(alice, "sad")
    await compose_one(bob, "tired")
    postgres = (
        request.getfixturevalue("postgres_server")
        if settings.database_url.startswith("postgresql")
        else None
    )
    backup = await _restored_copy(settings, tmp_path, postgres)
    await alice.send("/forget")
    await alice.press("Yes, delete everything")
    await alice.expect(r"deleted")
    # The backup, opened with the bot's own key store after the /forget.
    restored = Storage(create_engine(backup), Keyring.at(settings.key_places()))
    try:
        page = await restored.history_page(bob.id, 0)
        assert page.messages[0].text.startswith("I feel tired because")
        # Alice's rows are back, but nothing of hers opens: left out, not shown, not a crash.
        gone = await restored.history_page(alice.id, 0)
        assert gone.total == 1 and gone.messages == []
        with pytest.raises(Unreadable):
            (await restored.keys.key(alice.id)).open(
                (await _raw_texts(restored, alice.id))[0], "messages.text"
            )
        raw = await _raw_texts(restored, alice.id)
        assert raw and all(value.startswith("ss1.") for value in raw)
    finally:
        await restored.close()


async def _raw_texts(storage: Storage, user_id: int) -> list[str]:
    async with storage.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT text FROM messages WHERE user_id = :id"), {"id": user_id}
        )
        return [row.text for row in rows]


async def test_after_forget_the_key_is_gone_from_the_key_store_file_too(
    alice: FakeUser, running_bot: Any, settings: Settings
) -> None:
    await compose_one(alice, "sad")
    store = settings.key_places().store_url.partition(":///")[2]
    with sqlite3.connect(store) as connection:
        (wrapped,) = connection.execute(
            "SELECT wrapped FROM data_keys WHERE user_id = ?", (alice.id,)
        ).fetchone()
    await alice.send("/forget")
    await alice.press("Yes, delete everything")
    await alice.expect(r"deleted")
    found = b"".join(path.read_bytes() for path in Path(store).parent.glob(KEY_STORE_FILE + "*"))
    assert wrapped not in found


async def test_a_text_moved_to_another_row_or_person_is_left_out_not_a_crash(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await compose_one(alice, "sad")
    await compose_one(alice, "hurt")
    await compose_one(bob, "tired")
    storage = storage_of(running_bot)
    async with storage.engine.begin() as connection:
        rows = (
            await connection.execute(text("SELECT id, user_id, text FROM messages ORDER BY id"))
        ).all()
        alice_first, alice_second, bob_only = rows
        # Alice's first text copied over her second, and over Bob's.
        for target in (alice_second, bob_only):
            await connection.execute(
                text("UPDATE messages SET text = :sealed WHERE id = :id"),
                {"sealed": alice_first.text, "id": target.id},
            )
    # What opens is shown; what does not is left out, instead of failing the whole list.
    await alice.send("/history")
    shown = await alice.expect(r"Your soft start-ups")
    assert "I feel sad" in shown.text and "I feel hurt" not in shown.text
    await bob.send("/history")
    await bob.expect(r"No saved messages yet")
    assert "I feel sad" not in bob.all_text()
    # The rest of the bot goes on as before.
    await alice.send("/compose")
    await alice.expect(FEELING_Q)


async def test_a_draft_that_does_not_open_is_taken_for_gone_not_resumed_with_holes(
    alice: FakeUser, running_bot: Any
) -> None:
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    await alice.send("tired")
    await alice.expect(REASON_Q)
    storage = storage_of(running_bot)
    async with storage.engine.begin() as connection:
        await connection.execute(
            text("UPDATE drafts SET feeling = 'ss1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'")
        )
    assert await storage.load_draft(alice.id) is None
    assert (await storage.export(alice.id)).draft is None  # /export agrees with the chat
    await alice.send("the plans changed")
    await alice.expect(r"draft isn't here any more")
    await alice.send("/compose")
    await alice.expect(FEELING_Q)


async def test_texts_an_older_version_kept_in_plain_are_sealed_when_it_migrates(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0012"))
        now = datetime(2026, 11, 1, 10, tzinfo=UTC)
        for statement in (
            "INSERT INTO users (id, locale, created_at, pending_text) VALUES (1, 'en', :now, "
            "'kept plain words')",
            "INSERT INTO drafts (user_id, feeling, reason, regulation, request, step, editing, "
            "active, kept_checks, updated_at) VALUES (1, 'low', 'plain reason words', '', '', "
            "'regulation', false, true, 'blame:reason', :now)",
            "INSERT INTO messages (user_id, feeling, reason, regulation, request, text, "
            "created_at) VALUES (1, 'low', 'r', 'g', 'q', 'plain message words', :now)",
            "INSERT INTO checkins (user_id, feeling, note, kind, created_at) VALUES (1, 'ok', "
            "'plain note words', 'checkin', :now)",
            "INSERT INTO safety_plans (user_id, signs, calm, people, place, updated_at) VALUES "
            "(1, 'plain signs words', '', '', '', :now)",
        ):
            await connection.execute(text(statement), {"now": now})
    await engine.dispose()
    places = places_in(tmp_path, database_url)
    await prepare_database(database_url, keys=places)
    await prepare_database(database_url, keys=places)  # twice: nothing is sealed twice
    storage = Storage(create_engine(database_url), Keyring.at(places))
    try:
        async with storage.engine.connect() as connection:
            for table, column in [
                ("users", "pending_text"),
                ("drafts", "reason"),
                ("drafts", "kept_checks"),
                ("messages", "text"),
                ("checkins", "note"),
                ("safety_plans", "signs"),
            ]:
                value = await connection.scalar(text(f"SELECT {column} FROM {table}"))
                assert value.startswith("ss1.") and "plain" not in value
        draft = await storage.load_draft(1)
        assert draft is not None and draft.reason == "plain reason words"
        assert draft.kept == frozenset({"blame:reason"})
        assert (await storage.history_page(1, 0)).messages[0].text == "plain message words"
        assert (await storage.reminders.journal(1, 5))[0].note == "plain note words"
        assert await storage.conversation.held_text(1) == "kept plain words"
        assert "plain signs words" in str(await storage.safety.plan(1))
    finally:
        await storage.close()


# --- the operator's side ----------------------------------------------------------------------


def _environment(tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'softstart.sqlite3'}",
        **more,
    }


async def test_a_first_start_makes_a_private_key_and_a_wrong_or_missing_one_stops_it(
    tmp_path: Path,
) -> None:
    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given=_environment(tmp_path)
    )
    assert status == 0, stderr
    key_file = tmp_path / "data" / "softstart.key"
    assert "made a new data key at" in stderr and key_file.stat().st_mode & 0o777 == 0o600
    MasterKey.from_text(key_file.read_text())

    other = new_master_key_text()
    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given=_environment(tmp_path, DATA_KEY=other)
    )
    assert status == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert "is not the key this key store was sealed with" in stderr and other not in stderr

    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given=_environment(tmp_path, DATA_KEY="sskey1_short")
    )
    assert status == 2 and "DATA_KEY is not a key `soft-start keygen` made" in stderr

    key_file.rename(tmp_path / "elsewhere.key")
    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given=_environment(tmp_path)
    )
    # Never a silent new key that would seal with a stranger to the key store.
    assert status == 2 and "no data key" in stderr and not key_file.exists()

    shutil.move(tmp_path / "data" / KEY_STORE_FILE, tmp_path / "store-elsewhere")
    status, stderr = await run_bot_to_exit(
        tmp_path,
        extra_args=["migrate"],
        given=_environment(tmp_path, DATA_KEY_FILE=str(tmp_path / "elsewhere.key")),
    )
    assert status == 2 and "sealed with another key store" in stderr


def test_keygen_prints_a_new_key_each_time(capsys: pytest.CaptureFixture[str]) -> None:
    main(["keygen"])
    main(["keygen"])
    first, second = capsys.readouterr().out.split()
    assert first != second
    assert MasterKey.from_text(first).id != MasterKey.from_text(second).id


async def test_rotate_key_rewraps_every_data_key_without_touching_texts(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'softstart.sqlite3'}"
    places = key_places(database_url)  # the defaults, as the bot below finds them
    storage = await _storage_with(database_url, places)
    await storage.finish_draft(7, Draft("calm"), "a message kept over the rotation", update=None)
    sealed_before = await _raw_texts(storage, 7)
    await storage.close()
    old_key = places.master_file.read_text()

    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["rotate-key"], given=_environment(tmp_path)
    )
    assert status == 0, stderr
    assert places.master_file.read_text() != old_key
    assert places.master_file.stat().st_mode & 0o777 == 0o600

    storage = Storage(create_engine(database_url), Keyring.at(places))
    try:
        assert await _raw_texts(storage, 7) == sealed_before  # the texts were not rewritten
        page = await storage.history_page(7, 0)
        assert page.messages[0].text == "a message kept over the rotation"
    finally:
        await storage.close()
    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given=_environment(tmp_path, DATA_KEY=old_key.strip())
    )
    assert status == 2 and "is not the key" in stderr


async def _storage_with(database_url: str, places: Any) -> Storage:
    await prepare_database(database_url, keys=places)
    return Storage(create_engine(database_url), Keyring.at(places))


async def test_a_reminder_of_a_message_that_does_not_open_is_dropped_quietly(
    alice: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await set_berlin_at_21(alice)
    await compose_one(alice, "sad")
    await alice.press("⏰ Remind me to send it")
    await alice.press("In an hour")
    await alice.expect(r"I'll remind you today at 14:00")
    async with storage_of(running_bot).engine.begin() as connection:
        await connection.execute(text("UPDATE messages SET text = 'ss1.AAAAAAAAAAAAAAAAAAAAAAAA'"))
    before = alice.all_text()
    clock.advance(hours=1)
    tick = await dispatcher_of(running_bot).tick()
    # Nothing to remind of (done with, like a deleted message's), not an error tried again at
    # every run.
    assert tick.counts["error"] == 0 and alice.all_text() == before, tick
    clock.advance(minutes=5)
    tick = await dispatcher_of(running_bot).tick()
    assert tick.counts["error"] == 0 and alice.all_text() == before, tick


async def test_rotate_key_refuses_while_a_bot_runs_and_a_stranger_key_stops_the_start(
    tmp_path: Path,
) -> None:
    environment = _environment(tmp_path)
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], given=environment)
    assert status == 0, stderr
    places = key_places(environment["DATABASE_URL"])
    with bot_running(places):  # as `soft-start run` holds it
        status, stderr = await run_bot_to_exit(
            tmp_path, extra_args=["rotate-key"], given=environment
        )
    assert status == 2 and "a bot is running on this data folder" in stderr, stderr
    key_file = tmp_path / "data" / "softstart.key"
    assert not (tmp_path / "data" / "softstart.key.new").exists()
    # A data key wrapped by another master key (a rotation that raced a bot): refused at start.
    store = sqlite3.connect(places.store_url.partition(":///")[2])
    with store:
        store.execute(
            "INSERT INTO data_keys (user_id, key_id, wrapped, master_id, created_at) "
            "VALUES (99, x'00000000', x'00', 'someone-else', '2026-11-01')"
        )
    store.close()
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], given=environment)
    assert status == 2 and "wrapped by another master key" in stderr, stderr
    assert key_file.exists()


async def test_keys_settings_that_cannot_work_are_one_line_each(tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    database = environment["DATABASE_URL"]
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], given=environment)
    assert status == 0, stderr
    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given={**environment, "KEY_STORE_URL": database}
    )
    assert status == 2 and "names the database itself" in stderr, stderr

    missing = tmp_path / "secrets" / "softstart.key"
    status, stderr = await run_bot_to_exit(
        tmp_path, extra_args=["migrate"], given={**environment, "DATA_KEY_FILE": str(missing)}
    )
    assert status == 2 and f"DATA_KEY_FILE names {missing}, which does not exist" in stderr

    # The key moved to a file elsewhere (a read-only secret): the key store stays in the data
    # folder, and a key file others could read is made private.
    secret = tmp_path / "secrets" / "softstart.key"
    secret.parent.mkdir()
    (tmp_path / "data" / "softstart.key").rename(secret)
    secret.chmod(0o644)
    given = {**environment, "DATA_KEY_FILE": str(secret)}
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], given=given)
    assert status == 0, stderr
    assert (tmp_path / "data" / KEY_STORE_FILE).exists()
    assert not (tmp_path / "secrets" / KEY_STORE_FILE).exists()
    assert secret.stat().st_mode & 0o777 == 0o600 and "could be read by others" in stderr


async def test_check_config_says_what_the_start_would_refuse(tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], given=environment)
    assert status == 0, stderr
    shutil.move(tmp_path / "data" / KEY_STORE_FILE, tmp_path / "store-elsewhere")
    arguments = ["check-config", "--offline"]
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=arguments, given=environment)
    assert status == 2 and "sealed with another key store" in stderr, stderr
    assert not (tmp_path / "data" / KEY_STORE_FILE).exists()  # checking changed nothing


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_key_store_on_postgresql_for_bots_that_share_one(
    database_url: str, tmp_path: Path, postgres_server: PostgresServer
) -> None:
    store_url = await postgres_server.create_database()
    places = key_places(database_url, data_key=TEST_DATA_KEY, key_store_url=store_url)
    await prepare_database(database_url, keys=places)
    storage = Storage(create_engine(database_url), Keyring.at(places))
    try:
        await storage.finish_draft(5, Draft("calm"), "kept in a shared key store", update=None)
        assert (await storage.history_page(5, 0)).messages[0].text == "kept in a shared key store"
        await storage.forget(5, datetime.now(UTC))
        async with storage.keys.store.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM data_keys")) == 0
    finally:
        await storage.close()


async def test_a_bot_that_missed_a_rotation_makes_no_key_under_the_old_master(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'softstart.sqlite3'}"
    places = places_in(tmp_path, database_url)
    running = await _storage_with(database_url, places)  # the bot, still on the old key
    await running.finish_draft(1, Draft("calm"), "written before the rotation", update=None)
    rotating = Keyring.at(places)
    await rotating.rotate(MasterKey.from_text(new_master_key_text()))
    await rotating.close()
    try:
        # Its open keys still open (they are the same keys, only wrapped anew)...
        assert (await running.history_page(1, 0)).messages[0].text == "written before the rotation"
        # ...but a new person's key is not wrapped by a master key nobody will keep.
        with pytest.raises(KeyProblem, match="rotated while this bot ran"):
            await running.keys.key(2)
    finally:
        await running.close()


async def test_check_config_refuses_what_the_start_refuses(tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    arguments = ["check-config", "--offline"]
    status, stderr = await run_bot_to_exit(
        tmp_path,
        extra_args=arguments,
        given={**environment, "KEY_STORE_URL": environment["DATABASE_URL"]},
    )
    assert status == 2 and "names the database itself" in stderr, stderr
    missing = tmp_path / "secrets" / "softstart.key"
    for asked in (arguments, ["migrate"]):
        status, stderr = await run_bot_to_exit(
            tmp_path, extra_args=asked, given={**environment, "DATA_KEY_FILE": str(missing)}
        )
        # Even on a first start: a named key file is never made up.
        assert status == 2 and "which does not exist" in stderr, stderr
        assert not missing.exists() and not missing.parent.exists()
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=["migrate"], given=environment)
    assert status == 0, stderr
    store = sqlite3.connect(tmp_path / "data" / KEY_STORE_FILE)
    with store:
        store.execute(
            "INSERT INTO data_keys (user_id, key_id, wrapped, master_id, created_at) "
            "VALUES (99, x'00000000', x'00', 'someone-else', '2026-11-01')"
        )
    store.close()
    status, stderr = await run_bot_to_exit(tmp_path, extra_args=arguments, given=environment)
    assert status == 2 and "wrapped by another master key" in stderr, stderr


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_the_database_under_another_spelling_is_no_key_store(
    database_url: str, tmp_path: Path
) -> None:
    await prepare_database(database_url, keys=places_in(tmp_path, database_url))
    other_spelling = database_url.replace("127.0.0.1", "localhost")
    assert other_spelling != database_url
    places = key_places(database_url, data_key=TEST_DATA_KEY, key_store_url=other_spelling)
    with pytest.raises(KeyProblem, match="names the database itself"):
        await prepare_database(database_url, keys=places)
