"""Words typed before /compose are kept: a soft start-up can start from them, or they go to the
journal. A greeting is just a greeting."""

from __future__ import annotations

import json

from tests.driver import FakeUser
from tests.test_compose_flow import ANSWERS, QUESTIONS, REVIEW

VENT = "i'm so done, the dishes sat there all weekend again"
OFFER = r"I've kept your words"


async def test_words_typed_first_can_start_a_soft_start_up(alice: FakeUser) -> None:
    await alice.send(VENT)
    offer = await alice.expect(OFFER)
    assert offer.labels == ["🌱 Start a soft start-up with this", "📓 Keep it in my journal"]
    await alice.press("🌱 Start a soft start-up with this")
    await alice.expect(QUESTIONS[0])
    await alice.send("tired")
    reason = await alice.expect(r"You wrote: i'm so done, the dishes sat there all weekend again")
    assert reason.labels[0] == "✅ Keep these words"
    await alice.press("✅ Keep these words")
    await alice.expect(QUESTIONS[2])
    await alice.send(ANSWERS[2])
    await alice.expect(QUESTIONS[3])
    await alice.send(ANSWERS[3])
    # Checked gently like any other part: the review (or a finding first) carries the words.
    await alice.expect(r"A gentle check|" + REVIEW)
    assert "the dishes sat there all weekend again" in alice.all_text()


async def test_the_words_can_be_replaced_by_typing(alice: FakeUser) -> None:
    await alice.send(VENT)
    await alice.press("🌱 Start a soft start-up with this")
    await alice.send("tired")
    await alice.expect(r"You wrote:")
    await alice.send("the dishes were left in the sink over the weekend")
    await alice.expect(QUESTIONS[2])


async def test_words_typed_first_can_go_to_the_journal_once(alice: FakeUser) -> None:
    await alice.send(VENT)
    offer = await alice.expect(OFFER)
    await alice.press("📓 Keep it in my journal", offer)
    await alice.press("📓 Keep it in my journal", offer)  # a double tap
    saved = await alice.expect(r"Saved to your journal: i'm so done")
    assert "checking in" not in saved.text
    await alice.expect_toast(r"earlier message")
    await alice.send("/journal")
    journal = await alice.expect(r"i'm so done")
    assert journal.text.count("i'm so done") == 1


async def test_a_greeting_gets_the_pointer_and_a_question_the_help(alice: FakeUser) -> None:
    await alice.send("hi there!")
    reply = await alice.expect(r"/compose starts one")
    assert reply.labels == []
    await alice.send("how does this work?")
    await alice.expect(r"/help says what I can do")
    await alice.send("fed up")  # short, but not a greeting: kept
    await alice.expect(OFFER)


async def test_words_typed_one_after_another_are_all_kept(alice: FakeUser) -> None:
    await alice.send(VENT)
    first = await alice.expect(OFFER)
    await alice.send("and the laundry is still in the machine since tuesday")
    await alice.expect(OFFER)
    await alice.press("📓 Keep it in my journal", first)  # the older offer: nothing is lost
    saved = await alice.expect(r"Saved to your journal")
    assert "dishes sat there" in saved.text and "laundry is still" in saved.text


async def test_kept_words_are_in_the_export(alice: FakeUser) -> None:
    await alice.send(VENT)
    await alice.expect(OFFER)
    await alice.send("/export")
    data = json.loads(await alice.expect_document("soft-start-data.json"))
    assert data["kept_words"] == VENT


async def test_too_much_at_once_says_so(alice: FakeUser) -> None:
    await alice.send("so much " * 130)
    await alice.expect(r"up to 1000 characters")


async def test_with_a_draft_kept_only_the_journal_is_offered(alice: FakeUser) -> None:
    await alice.send("/compose")
    await alice.send("anxious")
    await alice.expect(QUESTIONS[1])
    await alice.send("/cancel")
    await alice.expect(r"kept your draft")
    await alice.send(VENT)
    offer = await alice.expect(r"Your unfinished soft start-up is waiting")
    assert offer.labels == ["📓 Keep it in my journal"]


async def test_compose_typed_instead_of_tapping_the_offer_keeps_the_words(
    alice: FakeUser,
) -> None:
    await alice.send(VENT)
    await alice.expect(OFFER)
    await alice.send("/compose")  # instead of "Start a soft start-up with this"
    await alice.expect(QUESTIONS[0])
    await alice.send("tired")
    reason = await alice.expect(r"You wrote: i'm so done, the dishes sat there all weekend again")
    assert reason.labels[0] == "✅ Keep these words"
