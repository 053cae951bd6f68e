"""Repair after a hard talk: calm first, three answers, a message that owns one's part, saved
and shared like any other (and said back whole by a listening partner)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.content import Content
from bot.core.repair import compose_repair
from tests.conftest import FakeClock
from tests.driver import FakeUser, eventually
from tests.test_reminders_flow import at_berlin, dispatcher_of, set_berlin_at_21
from tests.test_sharing import pair, send_to
from tests.test_your_data import storage_of


@pytest.mark.parametrize(
    ("part", "thanks", "again", "said"),
    [
        (
            "raised my voice",
            "you stayed and listened",
            "if we could try again tomorrow after dinner",
            "I know I raised my voice, and I'm sorry. I appreciate that you stayed and listened. "
            "I would appreciate it if we could try again tomorrow after dinner.",
        ),
        (
            "I walked away mid-sentence.",
            "your patience",
            "a hug and a second try",
            "I know I walked away mid-sentence, and I'm sorry. I appreciate your patience. "
            "I would appreciate a hug and a second try.",
        ),
        (
            "i said you never help",
            "u made tea after",
            "can we talk again on sunday?",
            "I know I said you never help, and I'm sorry. I appreciate that u made tea after. "
            "Can we talk again on sunday?",
        ),
    ],
)
def test_a_repair_message_owns_thanks_and_asks(
    content: Content, part: str, thanks: str, again: str, said: str
) -> None:
    words = content.words.repair.built()
    assert compose_repair(part, thanks, again, words, content.phrasing) == said


async def test_after_a_hard_talk_a_repair_message(
    alice: FakeUser, bob: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await set_berlin_at_21(alice)
    await pair(alice, bob)
    await send_to(alice, bob)

    async def how_did_it_go_scheduled() -> bool | None:
        return bool(await storage_of(running_bot).reminders.one_shots(alice.id)) or None

    # "How did it go?" is scheduled right after "Sent to Bob".
    await eventually(how_did_it_go_scheduled, "the 'how did it go?' reminder")
    await at_berlin(clock, 28, 19)
    await dispatcher_of(running_bot).tick()
    asked = await alice.expect(r"How did the conversation")
    await alice.press("It was hard", asked)
    hard = await alice.expect(r"Hard talks happen to every couple")
    assert hard.labels == ["🩹 Write a repair message"]
    await alice.press("🩹 Write a repair message", hard)
    calm = await alice.expect(r"First, a minute for yourself")
    assert calm.labels == ["🫁 One-minute breathing", "I'm ready"]
    await alice.press("🫁 One-minute breathing", calm)
    await alice.expect(r"One minute of breathing")
    await alice.press("I'm ready", calm)
    await alice.expect(r"1 of 3")
    await alice.send("raised my voice")
    await alice.expect(r"2 of 3")
    # A look at /history in between keeps the place.
    await alice.send("/history")
    await alice.expect(r"Your soft start-ups")
    await alice.send("you stayed and listened")
    await alice.expect(r"3 of 3")
    await alice.send("if we could try again tomorrow after dinner")
    await alice.expect(r"Your repair message, saved in /history")
    message = await alice.expect(r"^I know I raised my voice, and I'm sorry\.")
    assert "💌 Send to Bob" in message.labels
    await alice.press("💌 Send to Bob", message)
    await bob.expect(r"Alice wrote you a soft start-up:.*I know I raised my voice")
    await bob.press("💬 Say what I heard")
    offer = await bob.expect(r"Here it is in your voice")
    assert "I hear that you know you raised your voice, and you're sorry." in offer.text
    assert "You appreciate that I stayed and listened." in offer.text
    await alice.send("/history")
    page = await alice.expect(r"Your soft start-ups")
    assert "I know I raised my voice" in page.text
