"""History, export, forget, redelivered updates and a busy database, end to end."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.handlers.context import Services
from bot.storage import create_engine
from bot.storage.models import Base
from tests.driver import FakeUser
from tests.fake_telegram import FakeTelegram
from tests.test_compose_flow import ANSWERS, QUESTIONS, REASON_Q, answer, finish, reach


def storage_of(application: Any) -> Any:
    found = application.bot_data["services"]
    assert isinstance(found, Services)
    return found.storage


async def compose_one(user: FakeUser, feeling: str) -> None:
    await reach(user, 0)
    await user.send(feeling)
    await user.expect(QUESTIONS[1])
    await answer(user, 1)
    await finish(user, rf"I feel {feeling} because .*")


async def test_history_pages_and_shows_a_message_again(alice: FakeUser) -> None:
    await alice.send("/history")
    await alice.expect(r"No saved messages yet")
    feelings = ["sad", "tired", "hurt", "tense", "lonely", "worried", "anxious"]
    for feeling in feelings:
        await compose_one(alice, feeling)
    await alice.send("/history")
    first = await alice.expect(r"page 1 of 2")
    assert "I feel anxious" in first.text and "I feel sad" not in first.text
    assert first.text.index("I feel anxious") < first.text.index("I feel worried")
    await alice.press("Older ›")
    second = await alice.expect(r"page 2 of 2")
    assert "I feel sad" in second.text and "I feel tired" in second.text
    # Buttons are told apart by feeling and what happened, not all "I feel ... because".
    label = next(label for label in second.labels if label.startswith("sad · the call ran"))
    assert len(set(second.labels)) == len(second.labels)
    await alice.press(label)
    await alice.expect(r"^From .*ready to copy")
    await alice.expect(r"^I feel sad because the call ran late last night\.")
    await alice.press("‹ Newer")
    await alice.expect(r"page 1 of 2")


async def test_history_never_shows_another_users_message(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await compose_one(alice, "sad")
    saved = await storage_of(running_bot).history_page(alice.id, 0)
    await bob.send("/history")
    await bob.expect(r"No saved messages yet")
    forged = alice.last_message()
    await bob.press_data(forged, f"history:show:{saved.messages[0].id}")
    await bob.expect_toast(r"earlier message")
    assert "I feel sad" not in bob.all_text()


async def test_export_sends_json_and_markdown(alice: FakeUser) -> None:
    await compose_one(alice, "hurt")
    await reach(alice, 1)
    await alice.send("/export")
    await alice.expect(r"everything I keep about you")
    data = json.loads(await alice.expect_document("soft-start-data.json"))
    assert data["user_id"] == alice.id
    assert data["messages"][0]["text"].startswith("I feel hurt because")
    assert data["draft"]["feeling"] == "anxious" and data["draft"]["step"] == "reason"
    markdown = (await alice.expect_document("soft-start-messages.md")).decode()
    assert "# My soft start-ups" in markdown and "I feel hurt because" in markdown


async def _seed_everything(application: Any, user_id: int, other_id: int) -> None:
    """Rows in every table, so the /forget scan has something to find."""
    storage = storage_of(application)
    async with storage.engine.begin() as connection:
        now = datetime(2026, 11, 28, 10, tzinfo=UTC)
        for uid in (user_id, other_id):
            await connection.execute(
                text(
                    "INSERT INTO users (id, locale, created_at) VALUES (:id, 'en', :now) "
                    "ON CONFLICT DO NOTHING"
                ),
                {"id": uid, "now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO checkins (user_id, feeling, note, created_at) "
                    "VALUES (:id, 'ok', '', :now)"
                ),
                {"id": uid, "now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO reminders (user_id, kind, weekdays, status, unanswered, payload) "
                    "VALUES (:id, 'daily', '1234567', 'scheduled', 0, '{}')"
                ),
                {"id": uid},
            )
            await connection.execute(
                text(
                    "INSERT INTO invites (token_hash, inviter_id, created_at, expires_at, revoked)"
                    " VALUES (:hash, :id, :now, :now, false)"
                ),
                {"hash": f"hash-{uid}", "id": uid, "now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO done_actions (user_id, action, target, done_at)"
                    " VALUES (:id, 'send', '1:2', :now)"
                ),
                {"id": uid, "now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO safety_plans (user_id, signs, calm, people, place, updated_at)"
                    " VALUES (:id, 'signs', 'tea', 'my sister', 'her flat', :now)"
                ),
                {"id": uid, "now": now},
            )
            # Each keeps their own copy of what was said back; it names the other one.
            await connection.execute(
                text(
                    "INSERT INTO reflections (user_id, role, partner_id, message_id, attempt,"
                    " text, heard, correction, status, created_at)"
                    " VALUES (:id, 'listener', :other, 1, 1, '', '', '', 'sent', :now)"
                ),
                {"id": uid, "other": other_id if uid == user_id else user_id, "now": now},
            )
        await connection.execute(
            text("INSERT INTO pairings (inviter_id, partner_id, created_at) VALUES (:a, :b, :now)"),
            {"a": user_id, "b": other_id, "now": now},
        )


async def _rows_naming(application: Any, user_id: int) -> dict[str, int]:
    """How many rows in each table have the user's id in any column."""
    found: dict[str, int] = {}
    async with storage_of(application).engine.connect() as connection:
        for name, table in Base.metadata.tables.items():
            rows = (await connection.execute(table.select())).mappings().all()
            count = sum(1 for row in rows if user_id in row.values())
            if count:
                found[name] = count
    return found


async def test_forget_deletes_every_row_about_the_user(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await compose_one(alice, "sad")
    await compose_one(bob, "tired")
    await reach(alice, 2)
    await _seed_everything(running_bot, alice.id, bob.id)
    assert set(await _rows_naming(running_bot, alice.id)) == set(Base.metadata.tables) - {
        "alembic_version",
        "sealing",  # one row about the database itself
        "replicas",  # the bot processes running on it
    }
    await alice.send("/forget")
    confirm = await alice.expect(r"can't be undone")
    # Honest about what it cannot reach: what a partner already received.
    assert "already delivered to a partner stay in their Telegram chat" in confirm.text
    await alice.press("Yes, delete everything")
    done = await alice.expect(r"Everything I kept about you is deleted")
    assert "already sent to a partner stay in their chat" in done.text
    assert await _rows_naming(running_bot, alice.id) == {}
    bob_rows = await _rows_naming(running_bot, bob.id)
    assert {"users", "messages", "checkins", "reminders", "invites", "reflections"} <= set(bob_rows)
    assert "pairings" not in bob_rows
    await alice.send("anything")
    await alice.expect(r"I've kept your words")
    await alice.send("/history")
    await alice.expect(r"No saved messages yet")


async def test_forget_can_be_declined_mid_flow(alice: FakeUser) -> None:
    await reach(alice, 1)
    await alice.send("/forget")
    await alice.press("No, keep it")
    await alice.expect(r"nothing was deleted")
    await answer(alice, 1)
    await finish(alice)


async def test_other_commands_mid_flow_keep_the_place(alice: FakeUser) -> None:
    await reach(alice, 2)
    await alice.send("/history")
    await alice.expect(r"No saved messages yet")
    await alice.send("/start")
    await alice.expect(r"Hi Alice")
    await alice.send(ANSWERS[2])
    await alice.expect(QUESTIONS[3])


async def test_a_redelivered_update_is_not_applied_twice(
    alice: FakeUser, telegram: FakeTelegram, running_bot: Any
) -> None:
    await reach(alice, 0)
    feeling_update = await alice.send("anxious")
    await alice.expect(REASON_Q)
    telegram.redeliver(feeling_update)
    await answer(alice, 1)
    await alice.press("✅ Done")
    await alice.expect(r"^I feel anxious because the call ran late last night\.")
    done_update = max(telegram.delivered)
    telegram.redeliver(done_update)
    await alice.send("/history")
    history = await alice.expect(r"page 1 of 1")
    assert history.text.count("I feel") == 1
    page = await storage_of(running_bot).history_page(alice.id, 0)
    assert page.total == 1


async def test_a_locked_database_gets_a_kind_try_again_and_nothing_is_lost(
    alice: FakeUser, running_bot: Any, database_url: str
) -> None:
    await reach(alice, 1)
    # Another process holding the database: a separate engine, as a backup tool would be.
    engine = create_engine(database_url)
    async with engine.connect() as locker:
        transaction = await locker.begin()
        if engine.dialect.name == "sqlite":
            await locker.execute(text("DELETE FROM processed_updates WHERE update_id = -1"))
        else:
            await locker.execute(text("LOCK TABLE drafts IN ACCESS EXCLUSIVE MODE"))
        await alice.send(ANSWERS[1])
        if engine.dialect.name == "sqlite":
            # Nothing can be written, not even to the inbox: the answer stays with Telegram
            # (unconfirmed) until the lock is gone, then goes in on its own. Nothing to resend.
            seen = len(alice.telegram.events[alice.id])
            await asyncio.sleep(2)
            assert len(alice.telegram.events[alice.id]) == seen
            await transaction.rollback()
            await alice.expect(QUESTIONS[2], timeout=10)
        else:
            await alice.expect(r"busy right now.*nothing is lost", timeout=10)
            await transaction.rollback()
    await engine.dispose()
    await answer(alice, 2 if engine.dialect.name == "sqlite" else 1)
    await finish(alice)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_postgresql_restart_goes_unnoticed_in_the_conversation(
    alice: FakeUser, running_bot: Any, database_url: str
) -> None:
    await reach(alice, 1)
    assert await _end_every_connection(database_url)
    await answer(alice, 1)
    await finish(alice)
    # Outside the conversation too: the inbox meets the dead connections first, keeps the
    # update on a fresh one, and the handler finds the pool renewed. No "send that again".
    assert await _end_every_connection(database_url)
    await alice.send("/history")
    await alice.expect(r"I feel")
    assert "busy" not in alice.all_text()


async def _end_every_connection(database_url: str) -> int:
    """What a server restart does to the bot's pooled connections: every one of them dies."""
    engine = create_engine(database_url)
    async with engine.connect() as admin:
        ended = await admin.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await engine.dispose()
    return int(ended or 0)


@pytest.mark.parametrize("step", [0, 2, 4])
async def test_an_expired_draft_is_explained(alice: FakeUser, running_bot: Any, step: int) -> None:
    await reach(alice, step)
    await storage_of(running_bot).expire_drafts(datetime.now(UTC) + timedelta(seconds=1))
    if step == 4:
        await alice.press("✅ Done")
    else:
        await alice.send(ANSWERS[step])
    await alice.expect(r"draft isn't here any more")
    await alice.send("/compose")
    await alice.expect(QUESTIONS[0])
