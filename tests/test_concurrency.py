"""Many people at once, each typing quickly: handled concurrently, each in order."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.driver import FakeUser, eventually
from tests.fake_telegram import FakeTelegram
from tests.test_compose_flow import QUESTIONS

USERS = 25


async def test_back_to_back_answers_from_many_users_stay_in_order(
    telegram: FakeTelegram, running_bot: Any
) -> None:
    inbox = running_bot.bot_data["inbox"]
    users = [FakeUser(telegram, 5000 + n, f"User{n}") for n in range(USERS)]

    async def compose_without_waiting(user: FakeUser) -> None:
        await user.send("/compose")
        await user.expect(QUESTIONS[0])
        # Four answers in a row, without waiting for the questions in between.
        for part in ("tense", "the call", "walking", "a hug"):
            await user.send(f"{part} ({user.first_name})")
        review = await user.expect(r"Here is your soft start-up", timeout=20)
        name = user.first_name
        assert review.text.count(name) == 4
        assert f"I feel tense ({name}) because the call ({name})." in review.text
        assert f"I'm walking ({name}). I would appreciate a hug ({name})." in review.text

    await asyncio.gather(*(compose_without_waiting(user) for user in users))

    async def nothing_in_hand() -> bool | None:
        return inbox.in_hand == {} or None

    await eventually(nothing_in_hand, "every update marked done")


async def test_a_slow_answer_to_one_chat_does_not_hold_up_another(
    telegram: FakeTelegram, running_bot: Any
) -> None:
    """Alice's phone is on a slow network: the bot waits for Telegram's answer to her question.
    Bob must get his reply meanwhile, not after the bot gives up on Alice's (no timing: the
    fake holds Alice's answer until Bob has his, and says whether the bot still waits)."""
    alice, bob = FakeUser(telegram, 5101, "Alice"), FakeUser(telegram, 5102, "Bob")
    held = telegram.hold("sendMessage", chat_id=alice.id)
    try:
        await alice.send("/compose")

        async def alice_question_in_flight() -> bool | None:
            return held.arrived or None

        await eventually(alice_question_in_flight, "the bot sending Alice her question")
        await bob.send("/compose")
        await bob.expect(QUESTIONS[0])
        assert held.bot_still_waiting, "Bob's reply waited until the bot gave up on Alice's"
    finally:
        held.release()
    await alice.expect(QUESTIONS[0])
