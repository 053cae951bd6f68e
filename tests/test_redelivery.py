"""Telegram delivers an update again after a crash, and renumbers updates after a week of
silence: the bot must apply a repeat once, and never take a new update for an old one."""

from __future__ import annotations

from typing import Any

from bot.settings import Settings
from tests.conftest import FakeClock, bot_running
from tests.driver import FakeUser
from tests.fake_telegram import FakeTelegram
from tests.test_compose_flow import ANSWERS, QUESTIONS, answer, finish, reach
from tests.test_your_data import storage_of


async def test_after_telegram_renumbers_updates_the_next_message_and_tap_are_answered(
    settings: Settings, telegram: FakeTelegram, clock: FakeClock
) -> None:
    alice = FakeUser(telegram, 1001, "Alice")
    async with bot_running(settings, telegram, clock):
        await reach(alice, 4)
        await finish(alice)
        await reach(alice, 1)  # a second soft start-up, waiting for what happened
    assert max(telegram.delivered) > 3

    # A week of silence later, the bot starts again and Telegram numbers updates afresh.
    telegram.renumber(3)
    async with bot_running(settings, telegram, clock) as application:
        typed = await alice.send(ANSWERS[1])
        assert typed == 3
        await alice.expect(QUESTIONS[2])
        await alice.press("taking a few slow breaths")
        await alice.expect(QUESTIONS[3])
        # A genuine repeat of the renumbered update still changes nothing.
        telegram.redeliver(typed)
        await answer(alice, 3)
        await finish(alice)
        assert (await storage_of(application).history_page(alice.id, 0)).total == 2


async def test_a_redelivered_update_outside_the_composer_is_not_handled_again(
    alice: FakeUser, telegram: FakeTelegram, running_bot: Any
) -> None:
    await alice.send("/reminders")
    await alice.expect(r"your time zone")
    typed = await alice.send("Berlin")
    await alice.expect(r"Time zone set: Europe/Berlin")
    await alice.expect(r"Your reminders")
    telegram.redeliver(typed)
    await alice.send("/journal")  # handled after the repeat: one person's updates are in order
    await alice.expect(r"journal")
    said = [e.message.text for e in telegram.events[alice.id] if e.kind == "message" and e.message]
    assert sum("Time zone set" in text for text in said) == 1, said
    outside = r"I'm here when you want"
    assert not any(outside in text for text in said), said
