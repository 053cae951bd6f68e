"""People first: a person's answer never waits behind a reminder fan-out, the total stays within
Telegram's budget, and reminders are never starved."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter

from bench.fanout import DUE_AT, seed
from bot.sending import PeopleFirstRateLimiter, in_background
from bot.settings import Settings
from tests.conftest import FakeClock, bot_running
from tests.driver import FakeUser
from tests.fake_telegram import FakeTelegram


class Recorder:
    """A stand-in for the HTTP call behind the limiter: notes which send went out when."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float]] = []
        self.refuse_next = 0

    async def send(self, label: str) -> bool:
        if self.refuse_next:
            self.refuse_next -= 1
            raise RetryAfter(1)
        self.sent.append((label, time.monotonic()))
        return True


async def _until(condition: Callable[[], bool], timeout: float = 20) -> None:
    for _ in range(int(timeout * 100)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def _send(
    limiter: PeopleFirstRateLimiter, recorder: Recorder, label: str, chat: int, background: bool
) -> None:
    async def request() -> Any:
        await limiter.process_request(
            recorder.send, (label,), {}, "sendMessage", {"chat_id": chat}, None
        )

    if background:
        with in_background():
            await request()
    else:
        await request()


async def test_a_persons_answer_goes_out_next_while_a_fan_out_waits() -> None:
    limiter = PeopleFirstRateLimiter(20)
    recorder = Recorder()
    fan_out = [
        asyncio.create_task(_send(limiter, recorder, f"nudge-{n}", 5000 + n, background=True))
        for n in range(60)
    ]
    await _until(lambda: len(recorder.sent) >= 25)  # the burst is spent; now at the rate
    before = len(recorder.sent)
    await _send(limiter, recorder, "answer", 1001, background=False)
    labels = [label for label, _ in recorder.sent]
    # Sent within a slot or two of asking; in one queue it would wait behind ~35 nudges.
    assert labels.index("answer") - before <= 2, labels
    for task in fan_out:
        task.cancel()
    await limiter.shutdown()


async def test_the_total_stays_within_the_rate_and_reminders_keep_their_floor() -> None:
    rate = 20.0
    limiter = PeopleFirstRateLimiter(rate, background_floor=0.2)
    recorder = Recorder()
    people = [
        asyncio.create_task(_send(limiter, recorder, "answer", 1000 + n, background=False))
        for n in range(200)
    ]
    nudges = [
        asyncio.create_task(_send(limiter, recorder, "nudge", 5000 + n, background=True))
        for n in range(200)
    ]
    await asyncio.sleep(2)
    for task in people + nudges:
        task.cancel()
    await limiter.shutdown()
    times = [moment for _, moment in recorder.sent]
    # In any one-second window: at most the rate, plus the room kept for a person's step
    # (ROOM_FOR_A_STEP - 1 = 2), plus one for rounding at the window's edges.
    for index, start in enumerate(times):
        in_window = sum(1 for moment in times[index:] if moment < start + 1)
        assert in_window <= rate + 3, in_window
    nudges_sent = sum(1 for label, _ in recorder.sent if label == "nudge")
    # People wanted every slot; reminders still had their floor (20% of 20/s over ~2 s).
    assert nudges_sent >= 0.2 * rate * 1.5, nudges_sent
    assert len(recorder.sent) - nudges_sent > nudges_sent  # and people had the most


async def test_reminders_to_one_chat_are_paced() -> None:
    limiter = PeopleFirstRateLimiter(100, chat_pause_seconds=0.3)
    recorder = Recorder()
    await asyncio.gather(
        *(_send(limiter, recorder, f"to-same-{n}", 42, background=True) for n in range(3))
    )
    await limiter.shutdown()
    moments = [moment for _, moment in recorder.sent]
    assert all(later - earlier >= 0.25 for earlier, later in itertools.pairwise(moments))


async def test_a_429_pauses_every_send_then_tries_again() -> None:
    limiter = PeopleFirstRateLimiter(100)
    recorder = Recorder()
    recorder.refuse_next = 1
    started = time.monotonic()
    first = asyncio.create_task(_send(limiter, recorder, "refused-then-sent", 1, False))
    await asyncio.sleep(0.1)
    await _send(limiter, recorder, "other", 2, background=False)
    await first
    await limiter.shutdown()
    sent = dict(recorder.sent)
    assert sent["other"] - started >= 1.0  # waited out Telegram's pause too
    assert "refused-then-sent" in sent


async def test_a_check_in_fan_out_does_not_hold_up_a_person_composing(
    settings: Settings, telegram: FakeTelegram, clock: FakeClock
) -> None:
    """The real dispatcher job sends 40 due check-ins at 20/s (two seconds of fan-out) while
    Alice answers a question: her answer comes next, not after the nudges."""
    slow = settings.model_copy(update={"rate_limit_per_second": 20.0})
    clock.set(DUE_AT + timedelta(seconds=5))
    async with bot_running(slow, telegram, clock) as application:
        alice = FakeUser(telegram, 1001, "Alice")
        await alice.send("/compose")
        await alice.expect(r"How are you feeling")
        await seed(slow.database_url, 40)
        (job,) = application.job_queue.get_jobs_by_name("dispatch")
        fan_out = asyncio.create_task(job.run(application))

        def nudges() -> int:
            return sum(
                1
                for call in telegram.calls_of("sendMessage")
                if int(call.params["chat_id"]) >= 2_000_000
            )

        await _until(lambda: nudges() >= 8)
        before = nudges()
        await alice.send("anxious")
        await alice.expect(r"What happened")
        # One queue would put her answer behind the ~30 nudges still waiting.
        assert nudges() - before <= 3, nudges() - before
        await fan_out
        assert nudges() == 40  # and every nudge went out, once
