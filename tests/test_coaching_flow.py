"""The gentle check, /learn and the safety path, end to end."""

from __future__ import annotations

from tests.driver import FakeUser
from tests.test_compose_flow import ANSWERS, QUESTIONS, REVIEW, answer, finish, reach

CHECK = r"A gentle check on (your|what happened)"


async def answer_all(user: FakeUser, answers: list[str]) -> None:
    await reach(user, 0)
    for index, text in enumerate(answers):
        await user.send(text)
        if index < 3:
            await user.expect(QUESTIONS[index + 1])


async def test_a_finding_can_be_rewritten(alice: FakeUser) -> None:
    await answer_all(
        alice, ["hurt", "the call ran late last night", "breathing", "stop ignoring me"]
    )
    finding = await alice.expect(CHECK)
    assert "your request" in finding.text and "“stop ignoring me”" in finding.text
    assert "phones away" in finding.text
    await alice.press("✏️ Rewrite it")
    await alice.expect(r"Changing one part.*What would you appreciate")
    await alice.send("if we could put our phones away at dinner")
    review = await alice.expect(REVIEW)
    assert "I would appreciate it if we could put our phones away at dinner." in review.text
    await finish(alice, r"I feel hurt because .* phones away at dinner\.")


async def test_findings_can_be_kept_one_by_one_and_never_block(alice: FakeUser) -> None:
    answers = ["I feel like you don't care", "you never call", "breathing", "a hug"]
    await answer_all(alice, answers)
    first = await alice.expect(CHECK)
    assert "feeling" in first.text
    await alice.press("Keep my words")
    second = await alice.expect(CHECK)
    assert "what happened" in second.text
    await alice.press("Keep my words")
    third = await alice.expect(CHECK)
    # The part is quoted, never a lone "you".
    assert "what happened" in third.text and "“you never call”" in third.text
    await alice.press("Keep my words")
    review = await alice.expect(REVIEW)
    assert "I feel like you don't care because you never call." in review.text
    await finish(alice, r"I feel like you don't care because you never call\..*")


async def test_editing_a_part_checks_it_again(alice: FakeUser) -> None:
    await answer_all(alice, ANSWERS)
    await alice.expect(REVIEW)
    await alice.press("✏️ Request")
    await alice.send("call me right now")
    await alice.expect(r"A gentle check on your request: an order or a rush")
    await alice.press("Keep my words")
    await alice.expect(REVIEW)


async def test_an_old_check_button_is_stale(alice: FakeUser) -> None:
    await answer_all(alice, ["hurt", "the call", "breathing", "stop ignoring me"])
    finding = await alice.expect(CHECK)
    await alice.press("✏️ Rewrite it")
    await alice.send("a hug")
    await alice.expect(REVIEW)
    # Its buttons went when it was tapped; a client that still shows them sends this:
    await alice.press_data(finding, "check:keep:negative_request:request")
    await alice.expect_toast(r"earlier message")
    await alice.expect(REVIEW)


async def test_learn_cards_turn_both_ways_and_end_with_compose(alice: FakeUser) -> None:
    await alice.send("/learn")
    first = await alice.expect(r"Close, and still yourself.*1 of 7")
    assert first.labels == ["Next ›"]
    for number in range(2, 8):
        await alice.press("Next ›")
        await alice.expect(rf"{number} of 7")
    assert alice.last_message().labels == ["‹ Back", "Compose a soft start-up"]
    await alice.press("‹ Back")
    await alice.expect(r"6 of 7")
    await alice.press("Next ›")
    await alice.expect(r"7 of 7")
    await alice.press("Compose a soft start-up")
    await alice.expect(QUESTIONS[0])


async def test_learn_mid_flow_keeps_the_place(alice: FakeUser) -> None:
    await reach(alice, 2)
    await alice.send("/learn")
    await alice.expect(r"1 of 7")
    await alice.press("Next ›")
    await alice.expect(r"2 of 7")
    await alice.send(ANSWERS[2])
    await alice.expect(QUESTIONS[3])


async def test_words_that_point_to_danger_stop_the_coaching(alice: FakeUser) -> None:
    await reach(alice, 1)
    await alice.send("he hit me when I asked about the money")
    safety = await alice.expect(r"might not be safe")
    assert "emergency number" in safety.text and "softer" not in safety.text
    assert safety.labels[0] == "Continue where I was"
    await alice.press("Continue where I was")
    await alice.expect(QUESTIONS[1])
    await answer(alice, 1)
    await finish(alice)


async def test_safety_outside_the_composer_and_from_help(alice: FakeUser) -> None:
    await alice.send("i dont want to be alive anymore")
    safety = await alice.expect(r"in a lot of pain")
    assert "Continue where I was" not in safety.labels
    await alice.send("/help")
    await alice.press("If you don't feel safe")
    await alice.expect(r"emergency number")


async def test_gentle_look_alikes_do_not_trigger_safety(alice: FakeUser) -> None:
    await reach(alice, 1)
    await alice.send("this deadline is killing me")
    await alice.expect(QUESTIONS[2])
