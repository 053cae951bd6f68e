"""The reminders through PTB's real JobQueue, no `tick()` by hand: the regular run soon after
start, and the early wake-up when something is due before the next regular run.

The bot's clock flows like real time here (the JobQueue waits in real seconds), starting a few
seconds before a reminder is due.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.app import DISPATCH_EVERY
from tests.conftest import FakeClock, bot_running
from tests.driver import FakeUser
from tests.fake_telegram import FakeTelegram
from tests.test_reminders_flow import BERLIN, NUDGE, set_berlin_at_21

# Well under the regular interval: a nudge this soon came from the early wake-up.
SOONER = 10.0
assert SOONER < DISPATCH_EVERY / 2


async def test_a_reminder_due_in_seconds_wakes_the_job_queue_early(
    settings: Any, telegram: FakeTelegram, clock: FakeClock
) -> None:
    async with bot_running(settings, telegram, clock):
        alice = FakeUser(telegram, 1001, "Alice")
        await alice.send("/reminders")
        await alice.expect(r"your time zone")
        await alice.send("Berlin")
        await alice.expect(r"Your reminders")
        # The regular run (a second after start) has passed; the next is a minute away.
        clock.set(datetime(2026, 3, 27, 20, 59, 57, tzinfo=BERLIN))
        clock.flow()
        await alice.press("🕘 Set the time")
        await alice.press("21:00")
        await alice.expect(r"The next one comes in 1 min \(21:00\)")
        await alice.expect(NUDGE, timeout=SOONER)


async def test_what_fell_due_while_the_bot_was_down_goes_out_on_the_first_run(
    settings: Any, telegram: FakeTelegram, clock: FakeClock
) -> None:
    alice = FakeUser(telegram, 1001, "Alice")
    async with bot_running(settings, telegram, clock):
        await set_berlin_at_21(alice)
    clock.set(datetime(2026, 3, 27, 21, 0, 30, tzinfo=BERLIN))
    clock.flow()
    async with bot_running(settings, telegram, clock):
        await alice.expect(NUDGE, timeout=SOONER)
