"""The inbox: an update is kept before Telegram hears "received", handled from the database by
any replica, one chat's updates in order; webhook mode with its secret and health check."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.cli import prepare_database
from bot.serve import SECRET_HEADER, Serving
from bot.settings import Settings
from bot.storage import Storage, create_engine
from bot.storage.inbox import Arrived, InboxRepository
from bot.storage.keys import Keyring, key_places
from bot.storage.models import InboxRow
from tests.balancer import RoundRobin
from tests.conftest import FakeClock, bot_running
from tests.driver import FakeUser, eventually
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.keys import TEST_DATA_KEY
from tests.postgres import free_port
from tests.process import BotProcess, run_bot_to_exit
from tests.test_compose_flow import ANSWERS, QUESTIONS

SECRET = "a-secret_for-the-webhook-0123456789"
LEASE = timedelta(seconds=30)


async def _inbox_rows(application: Any) -> int:
    storage = application.bot_data["services"].storage
    async with storage.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(InboxRow)) or 0)


def _start_update(user_id: int, update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
        },
    }


def _webhook(settings: Settings) -> tuple[Settings, str]:
    """Settings for webhook mode on a free local port, and the webhook's URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    hooked = settings.model_copy(
        update={
            "webhook_url": url,
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_secret": SecretStr(SECRET),
        }
    )
    return hooked, url


async def test_webhook_mode_refuses_a_wrong_secret_and_keeps_what_telegram_sends(
    settings: Settings, telegram: FakeTelegram, clock: FakeClock
) -> None:
    hooked, url = _webhook(settings)
    async with bot_running(hooked, telegram, clock) as application:
        assert telegram.webhook is not None
        assert telegram.webhook["url"] == url and telegram.webhook["secret_token"] == SECRET
        assert "callback_query" in telegram.webhook["allowed_updates"]
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "not-the-secret"}):
                async with session.post(url, json=_start_update(666, 9000), headers=headers) as r:
                    assert r.status == 401
            async with session.get(f"http://127.0.0.1:{hooked.webhook_port}/healthz") as r:
                assert r.status == 200
                health = await r.json()
                assert health["database"] is True and health["workers"] is True
            assert await _inbox_rows(application) == 0
            assert 666 not in telegram.messages

            alice = FakeUser(telegram, 1001, "Alice")
            await alice.send("/start")
            await alice.expect(r"Hi Alice")
            assert await _inbox_rows(application) == 1
            assert telegram.webhook_posts and telegram.webhook_posts[-1][1] == 200

            # The workers stop: the load balancer is told this replica is not healthy.
            inbox = application.bot_data["inbox"]
            assert inbox._looking is not None
            inbox._looking.cancel()
            await asyncio.sleep(0.05)
            async with session.get(f"http://127.0.0.1:{hooked.webhook_port}/healthz") as r:
                assert r.status == 503
                assert (await r.json())["workers"] is False


async def _repository(database_url: str, tmp_path: Path) -> tuple[InboxRepository, Storage]:
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        data_key=SecretStr(TEST_DATA_KEY),
        key_store_url=f"sqlite+aiosqlite:///{tmp_path / 'keys' / 'softstart-keys.sqlite3'}",
        database_url=database_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    await prepare_database(settings.database_url, keys=settings.key_places())
    storage = Storage(create_engine(settings.database_url), Keyring.at(settings.key_places()))
    return storage.inbox, storage


def _arrived(update_id: int, chat: int) -> Arrived:
    return Arrived(update_id, f"{update_id:016x}", chat, chat, f'{{"update_id": {update_id}}}')


async def test_one_chat_at_a_time_in_order_whichever_replica_looks(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.storage.inbox")
    inbox, storage = await _repository(database_url, tmp_path)
    now = datetime.now(UTC)
    try:
        # Telegram sends update 2 twice (a retry): it is kept once.
        batch = [_arrived(1, 10), _arrived(2, 10), _arrived(3, 10), _arrived(4, 20)]
        assert await inbox.store(batch, now) == 4
        assert await inbox.store([_arrived(2, 10)], now) == 0

        first = await inbox.claim("one", now, LEASE, 10)
        assert [(hand.update_id, hand.chat_id) for hand in first] == [(1, 10), (4, 20)]
        assert await inbox.open(first[0]) == '{"update_id": 1}' and first[0].attempts == 1
        # Another replica finds nothing: each chat has an update in hand.
        assert await inbox.claim("two", now, LEASE, 10) == []

        # Done with 1: the chat's next one comes with it, in order.
        following = await inbox.finish(first[0], "one", now, LEASE)
        assert following is not None and following.update_id == 2

        # Replica "one" dies: once its lease ran out, "two" takes its updates (a second try).
        later = now + LEASE + timedelta(seconds=1)
        retaken = await inbox.claim("two", later, LEASE, 10)
        assert sorted((hand.update_id, hand.attempts) for hand in retaken) == [(2, 2), (4, 2)]

        # An earlier update that arrives late (another connection was slower) waits while a
        # later one of its chat is in hand: never two of one chat side by side.
        assert [hand.update_id for hand in await inbox.claim("one", later, LEASE, 10, 30)] == []
        await inbox.store([_arrived(9, 30)], later)
        assert [hand.update_id for hand in await inbox.claim("one", later, LEASE, 10)] == [9]
        await inbox.store([_arrived(8, 30)], later)
        caplog.clear()
        assert await inbox.claim("two", later, LEASE, 10) == []
        # Not even tried (the unique index below is the second line of defence, not the first).
        assert "met another replica" not in caplog.text

        # The database itself refuses a second update of one chat in hand.
        with pytest.raises(IntegrityError):
            async with storage.engine.begin() as connection:
                await connection.execute(
                    update(InboxRow)
                    .where(InboxRow.update_id == 3)
                    .values(claimed_by="three", claimed_until=later + LEASE)
                )

        # What is in hand goes back at a stop, and is found again.
        assert await inbox.give_back("two") == 2
        assert await inbox.give_back("one") == 1
        # Given back, the late one goes first: its chat's order is by Telegram's numbering.
        taken = await inbox.claim("one", later, LEASE, 10)
        assert sorted(hand.update_id for hand in taken) == [2, 4, 8]

        # Kept and taken at once (PostgreSQL): the first of a chat with nothing else waiting.
        new, taken = await inbox.store_and_take(
            [_arrived(20, 50), _arrived(21, 50), _arrived(22, 10)], later, "one", LEASE
        )
        assert new == 3
        postgres = storage.engine.dialect.name == "postgresql"
        assert [hand.update_id for hand in taken] == ([20] if postgres else [])
        async with storage.engine.begin() as connection:
            await connection.execute(text("DELETE FROM inbox WHERE update_id IN (20, 21, 22)"), {})

        # Handled rows are pruned; waiting ones stay.
        async with storage.engine.begin() as connection:
            await connection.execute(text("UPDATE inbox SET done_at = :at"), {"at": now})
            await connection.execute(
                text("UPDATE inbox SET done_at = NULL WHERE update_id = 3"), {}
            )
        assert await inbox.prune(now + timedelta(seconds=1)) == 5
        assert await inbox.waiting() == 1
    finally:
        await storage.close()


def _process_settings(telegram: FakeTelegram, database_url: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "DATABASE_URL": database_url,
        "DATA_KEY": TEST_DATA_KEY,
        "POLL_TIMEOUT_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }


async def test_killed_right_after_a_poll_every_update_of_the_batch_is_handled_after_restart(
    tmp_path: Path, telegram: FakeTelegram, database_url: str
) -> None:
    """The bot fetched a batch, confirmed it to Telegram with its next poll, and was killed
    while answering: after the restart every update of the batch is answered (once)."""
    settings = _process_settings(telegram, database_url)
    people = [FakeUser(telegram, 3000 + n, f"Person{n}") for n in range(5)]
    bot = BotProcess(tmp_path, **settings)
    await bot.start()
    try:
        await people[0].send("/start")
        await people[0].expect(r"Hi Person0", timeout=30)
        stalls = [telegram.stall(person.id) for person in people[1:]]
        sent = [await person.send("/start") for person in people[1:]]

        async def batch_confirmed_and_in_hand() -> bool | None:
            confirmed = telegram.confirmed_offset > max(sent)
            answering = {chat for _, chat in telegram.stalled_calls} == {p.id for p in people[1:]}
            return (confirmed and answering) or None

        await eventually(batch_confirmed_and_in_hand, "the batch confirmed, replies under way")
        await bot.kill()
        for stall in stalls:
            stall.set()
        bot = BotProcess(tmp_path, **settings)
        await bot.start()
        for person in people[1:]:
            await person.expect(rf"Hi {person.first_name}", timeout=30)
        await asyncio.sleep(0.5)
        for person in people:
            greetings = [m for m in telegram.messages[person.id].values() if "Hi " in m.text]
            assert len(greetings) == 1, person.first_name
    finally:
        assert await bot.stop() == 0, bot.stderr


async def test_a_second_bot_on_one_sqlite_file_is_refused_with_one_line(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'softstart.sqlite3'}"
    settings = _process_settings(telegram, database)
    first = BotProcess(tmp_path, **settings)
    await first.start()
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
        status, stderr = await run_bot_to_exit(tmp_path, given=settings)
        assert status == 2, stderr
        assert "SQLite serves one process" in stderr and "need PostgreSQL" in stderr
        assert "Traceback" not in stderr
    finally:
        assert await first.stop() == 0, first.stderr


PEOPLE = 50
KILL_AFTER_STEPS = 60


async def test_two_replicas_share_the_work_and_one_killed_mid_run_loses_nothing(
    tmp_path: Path, telegram: FakeTelegram, postgres_server: Any
) -> None:
    """Two bot processes on one PostgreSQL behind a round-robin balancer, in webhook mode; 50
    people compose at once; one replica is SIGKILLed mid-run and started again. Every
    conversation completes with each person's answers in their places, none twice."""
    ports = [free_port(), free_port()]
    balancer = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    await balancer.start()
    database = await postgres_server.create_database()
    key_store = await postgres_server.create_database()
    reminded = await _due_check_ins(database, key_store, REMINDED)
    for person in reminded:
        telegram.talked.add(person)
    shared = {
        **_process_settings(telegram, database),
        "KEY_STORE_URL": key_store,
        "WEBHOOK_URL": f"http://127.0.0.1:{balancer.port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "INBOX_LEASE_SECONDS": "2",
        # The check-ins go out in the first seconds, before the kill: a reminder a killed
        # replica had claimed waits for its own (longer) lease, by design (README).
        "RATE_LIMIT_PER_SECOND": "300",
    }

    def replica(index: int) -> BotProcess:
        folder = tmp_path / f"replica-{index}"
        folder.mkdir(exist_ok=True)
        return BotProcess(folder, **shared, WEBHOOK_PORT=str(ports[index]))

    replicas = [replica(0), replica(1)]
    for process in replicas:
        await process.start()
    for port in ports:
        await _healthy(port)
    people = [FakeUser(telegram, 4000 + n, f"P{n}") for n in range(PEOPLE)]
    steps = 0
    kill_now = asyncio.Event()

    async def compose(person: FakeUser) -> None:
        nonlocal steps
        name = person.first_name
        answers = ["anxious", f"the call ({name})", f"breathing ({name})", f"a hug ({name})"]
        await person.send("/compose")
        await person.expect(QUESTIONS[0], timeout=60)
        for index, answer in enumerate(answers):
            await person.send(answer)
            await person.expect(QUESTIONS[index + 1], timeout=60)
            steps += 1
            if steps == KILL_AFTER_STEPS:
                kill_now.set()
        review = person.last_message().text
        assert f"I feel anxious because the call ({name})." in review, review
        assert f"I'm breathing ({name}). I would appreciate a hug ({name})." in review, review
        assert review.count(f"({name})") == 3, review

    async def every_check_in_sent() -> bool | None:
        return all(telegram.messages[person] for person in reminded) or None

    async def kill_and_restart() -> None:
        await eventually(every_check_in_sent, "every due check-in sent", timeout=30)
        await kill_now.wait()
        await replicas[0].kill()
        await asyncio.sleep(1)
        replicas[0] = replica(0)
        await replicas[0].start()

    try:
        await asyncio.gather(kill_and_restart(), *(compose(person) for person in people))
        assert all(balancer.answered), "both replicas answered Telegram"
        await asyncio.sleep(1)
        doubled = [person for person in reminded if len(telegram.messages[person]) != 1]
        assert not doubled, f"check-ins sent twice: {doubled}"
    finally:
        for process in replicas:
            await process.stop()
        await balancer.stop()
    output = "".join(process.stderr for process in replicas)
    assert "Traceback" not in output, output


REMINDED = 40


async def _due_check_ins(database: str, key_store: str, count: int) -> list[int]:
    """`count` people whose daily check-in was due a minute ago, in a database made ready as
    `soft-start migrate` makes it."""
    places = key_places(database, data_key=TEST_DATA_KEY, key_store_url=key_store)
    await prepare_database(database, keys=places)
    storage = Storage(create_engine(database), Keyring.at(places))
    due = datetime.now(UTC) - timedelta(minutes=1)
    people = [6000 + n for n in range(count)]
    try:
        for person in people:
            await storage.reminders.save_daily(
                person, at=time(21, 0), weekdays=frozenset(range(1, 8)), next_fire_at=due
            )
    finally:
        await storage.close()
    return people


async def _healthy(port: int, timeout: float = 30) -> None:
    async def answers() -> bool | None:
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/healthz") as response,
            ):
                return response.status == 200 or None
        except aiohttp.ClientError:
            return None

    await eventually(answers, f"replica on port {port} healthy", timeout=timeout)


async def test_an_update_a_dead_replica_had_saved_is_not_applied_again_and_the_question_comes(
    alice: FakeUser, running_bot: Any
) -> None:
    """A replica saved Alice's answer and died before it marked the update done (perhaps
    before her next question went out). Another takes the update once the lease ran out: the
    answer is not applied a second time (it would become the next part), and the question she
    waits for is asked."""
    await alice.send("/compose")
    await alice.expect(QUESTIONS[0])
    update_id = await alice.send("anxious")
    await alice.expect(QUESTIONS[1])
    storage = running_bot.bot_data["services"].storage
    await _handled_again(storage, running_bot, update_id)
    await alice.expect(QUESTIONS[1])  # asked again
    assert (await storage.load_draft(alice.id)).reason == ""
    for index, words in enumerate(ANSWERS[1:], start=1):
        await alice.send(words)
        await alice.expect(QUESTIONS[index + 1])
    review = alice.last_message().text
    assert "I feel anxious because the call ran late last night." in review, review


async def test_a_tap_a_dead_replica_had_saved_gets_the_question_again_not_an_apology(
    alice: FakeUser, running_bot: Any
) -> None:
    await alice.send("/compose")
    await alice.expect(QUESTIONS[0])
    update_id = await alice.press("hurt")
    await alice.expect(QUESTIONS[1])
    storage = running_bot.bot_data["services"].storage
    await _handled_again(storage, running_bot, update_id)
    await alice.expect(QUESTIONS[1])
    assert "went wrong" not in alice.all_text()
    assert (await storage.load_draft(alice.id)).feeling == "hurt"


async def _handled_again(storage: Any, application: Any, update_id: int) -> None:
    """As if the replica that handled `update_id` died before marking it done."""

    async def marked_done() -> bool | None:
        async with storage.engine.connect() as connection:
            done = await connection.scalar(
                select(InboxRow.done_at).where(InboxRow.update_id == update_id)
            )
        return done is not None or None

    await eventually(marked_done, "the update marked done")
    async with storage.engine.begin() as connection:
        await connection.execute(
            update(InboxRow)
            .where(InboxRow.update_id == update_id)
            .values(
                done_at=None,
                claimed_by="a-dead-replica",
                claimed_until=datetime.now(UTC) - timedelta(seconds=1),
            )
        )
    application.bot_data["inbox"]._woken.set()


async def test_replicas_started_together_on_a_new_database_all_prepare_it(
    tmp_path: Path, postgres_server: Any
) -> None:
    """`docker compose up`: every replica migrates at the same moment; one does it, the
    others wait for it (an advisory lock), none fails."""
    database = await postgres_server.create_database()
    settings = {
        "DATABASE_URL": database,
        "DATA_KEY": TEST_DATA_KEY,
        "KEY_STORE_URL": await postgres_server.create_database(),
    }
    runs = await asyncio.gather(
        *(run_bot_to_exit(tmp_path, extra_args=["migrate"], given=settings) for _ in range(4))
    )
    assert [status for status, _ in runs] == [0, 0, 0, 0], [stderr for _, stderr in runs]


async def test_two_replicas_on_one_port_the_second_is_one_line(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    port = free_port()

    def settings(name: str) -> dict[str, str]:
        folder = tmp_path / name
        folder.mkdir()
        return {
            **_process_settings(telegram, f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}"),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }

    first = BotProcess(tmp_path, **settings("one"))
    await first.start()
    try:
        await _healthy(port)
        status, stderr = await run_bot_to_exit(tmp_path, given=settings("two"))
        assert status == 2, stderr
        assert f"cannot listen on 127.0.0.1:{port}" in stderr and "WEBHOOK_PORT" in stderr
        assert "Traceback" not in stderr
    finally:
        assert await first.stop() == 0, first.stderr


async def test_a_poller_that_removed_the_webhook_is_undone_and_said_out_loud(
    settings: Settings, telegram: FakeTelegram, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    hooked, url = _webhook(settings)
    async with bot_running(hooked, telegram, clock) as application:
        assert telegram.webhook is not None and telegram.webhook["url"] == url
        # A bot started by mistake with long polling on the same token: it says so...
        poller = Serving(settings, application=None, clock=clock)
        try:
            await poller.bot.initialize()
            await poller._warn_if_webhook_set()
        finally:
            await poller.application.bot.shutdown()
            await poller.application.bot_data["services"].storage.close()
        assert "a webhook was set for this bot" in caplog.text
        # ...and removes the webhook; the replica sets it again at its next look.
        await telegram._api_deleteWebhook({})
        await application.bot_data["serving"]._keep_webhook(None)
        assert telegram.webhook is not None and telegram.webhook["url"] == url
        assert "setting it again" in caplog.text


async def test_a_tap_answered_by_a_replica_that_died_is_no_failure_for_the_next(
    alice: FakeUser, telegram: FakeTelegram, running_bot: Any
) -> None:
    """Telegram refuses a second answer to a tap ("query is too old"): when the replica that
    answered it died, the one handling it again goes on instead of failing the step."""
    await alice.send("/compose")
    await alice.expect(QUESTIONS[0])
    await alice.press("hurt")
    await alice.expect(QUESTIONS[1])
    query = next(reversed(telegram.callback_updates))
    bot = running_bot.bot
    bot._answered.clear()  # this process never answered it: another did
    assert await bot.answer_callback_query(query) is False
    assert telegram.callback_answers[query] == 2  # refused by Telegram, as the fake says
    telegram.callback_answers[query] = 1  # the one answer the person saw


async def test_a_command_a_dead_replica_had_saved_is_said_to_have_gone_through(
    alice: FakeUser, running_bot: Any
) -> None:
    """/cancel saved the draft (kept, outside the composer), then its replica died before the
    answer went out: handled again, it is not applied twice and the person hears that it
    went through instead of nothing."""
    await alice.send("/compose")
    await alice.expect(QUESTIONS[0])
    await alice.send("anxious")
    await alice.expect(QUESTIONS[1])
    update_id = await alice.send("/cancel")
    await alice.expect(r"kept your draft")
    storage = running_bot.bot_data["services"].storage
    await _handled_again(storage, running_bot, update_id)
    await alice.expect(r"what you just sent went through; nothing is lost")
    await alice.send("/compose")
    await alice.expect(r"Pick it up where you left off")
