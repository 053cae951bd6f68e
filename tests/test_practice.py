"""/practice: the exercises agree with the gentle check, answers nobody wrote into the content
are read sensibly, and the whole round works end to end."""

from __future__ import annotations

import pytest

from bot.content import Content
from bot.core.practice import Exercise, Kind, read_answer
from tests.driver import FakeUser
from tests.test_compose_flow import QUESTIONS, reach


def _read(content: Content, exercise: Exercise, answer: str) -> object:
    return read_answer(
        exercise,
        answer,
        content.rules,
        content.signals,
        content.words.feelings.words,
        content.words.faux_feelings,
    )


def test_there_are_enough_exercises_across_the_check(content: Content) -> None:
    exercises = content.exercises
    assert len(exercises) >= 30
    shown_rules = {exercise.rule for exercise in exercises if exercise.kind is Kind.REWRITE}
    assert shown_rules == {rule.name for rule in content.rules}
    assert {exercise.kind for exercise in exercises} == set(Kind)


@pytest.mark.parametrize("index", range(37))
def test_each_exercise_shows_what_it_says_and_its_model_is_soft(
    content: Content, index: int
) -> None:
    exercise = content.exercises[index]
    if exercise.kind is Kind.REWRITE:
        assert content.checks.explained(exercise.rule)
        assert any(
            rule.name == exercise.rule and rule.match(exercise.shown) for rule in content.rules
        )
    assert _read(content, exercise, exercise.model).soft, exercise.model  # type: ignore[attr-defined]
    assert not _read(content, exercise, exercise.shown).soft, exercise.shown  # type: ignore[attr-defined]


# Answers written for this test, not taken from the content: (exercise kind, answer, soft?).
ANSWERS = [
    (
        Kind.REWRITE,
        "I feel sad because we didn't eat together this week. Could we have dinner on Friday?",
        True,
    ),
    (Kind.REWRITE, "I'm lonely in the evenings lately. I'd love a walk with you after work.", True),
    (
        Kind.REWRITE,
        "i felt embarrassed when the joke was about me. can we talk tonight if ur free",
        True,
    ),
    (Kind.REWRITE, "I feel hurt. Please could you ask how my day went?", True),
    (Kind.REWRITE, "You never ask about my day.", False),
    (Kind.REWRITE, "I feel like you don't love me anymore. Could we talk?", False),
    (Kind.REWRITE, "I feel frustrated because the kitchen is a mess.", False),  # no request
    (Kind.REWRITE, "Could you take the bins out tonight?", False),  # no feeling
    (Kind.REWRITE, "I feel tired. Oh great, another night of dishes. Could you help?", False),
    (Kind.REWRITE, "I feel tired. Could you cook? Or is that too much to ask?", False),
    (Kind.REWRITE, "I feel ignored when you don't text. Could you text me?", False),  # faux
    (Kind.REWRITE, "I'm feeling really tired lately. Would you be up for cooking twice?", True),
    (Kind.REWRITE, "I get anxious when it's late. Could u text me pls?", True),
    (
        Kind.REWRITE,
        "I feel worn out. Could we take turns with dinner this week?",
        True,
    ),
    (Kind.REQUEST, "could u plan smth for us this wknd pls", True),
    (Kind.REQUEST, "Could we cook together on Sundays?", True),
    (Kind.REQUEST, "I would love a hug when I get home.", True),
    (Kind.REQUEST, "Stop being so lazy.", False),
    (Kind.REQUEST, "Call me right now.", False),
    (Kind.REQUEST, "You should help more.", False),
]


@pytest.mark.parametrize(("kind", "answer", "soft"), ANSWERS)
def test_answers_nobody_wrote_into_the_content_are_read_sensibly(
    content: Content, kind: Kind, answer: str, soft: bool
) -> None:
    exercise = next(exercise for exercise in content.exercises if exercise.kind is kind)
    assert _read(content, exercise, answer).soft is soft  # type: ignore[attr-defined]


def test_a_feeling_answer(content: Content) -> None:
    exercise = next(exercise for exercise in content.exercises if exercise.kind is Kind.FEELING)
    again = _read(content, exercise, "rejected")
    assert again.faux is not None and again.faux.word == "rejected"  # type: ignore[attr-defined]
    assert _read(content, exercise, "lonely, mostly").feelings == ("lonely",)  # type: ignore[attr-defined]
    unknown = _read(content, exercise, "wobbly")
    assert unknown.soft and unknown.feelings == ()  # type: ignore[attr-defined]


async def test_a_round_of_practice(alice: FakeUser) -> None:
    await alice.send("/practice")
    await alice.expect(r"Short exercises for a calm moment")
    first = await alice.expect(r"Exercise 1 of 37 · Rewrite it as a soft start-up")
    assert "You never help with dinner" in first.text
    assert first.labels == ["💡 A hint", "Show me one way", "Done for now"]
    hint = first.buttons[0]["callback_data"]
    await alice.press_data(first, hint)
    await alice.press_data(first, hint)  # a double tap: one hint
    await alice.expect(r"💡 Start with how you feel")
    await alice.expect_toast(r"just below")
    await alice.send("idk")
    await alice.expect(r"Give it a go in a sentence or two")
    await alice.send("You always leave the cooking to me, so could you do it for once?")
    read = await alice.expect(r"Nearly there")
    assert "• Try naming your feeling first" in read.text
    assert "✓ It asks for something clear" in read.text
    assert "“You always” reads as a verdict" in read.text and "One way to say it" in read.text
    assert read.labels == ["Next ›", "Try this one again", "Done for now"]
    await alice.press("Try this one again", read)
    await alice.expect(r"Exercise 1 of 37")
    await alice.send("i feel tired when i cook alone, could u cook on tuesdays pls")
    soft = await alice.expect(r"That's a soft start-up")
    await alice.press("Next ›", soft)
    second = await alice.expect(r"Exercise 2 of 37 · Turn this complaint")
    # An old exercise's buttons while another is current: said, not shown again.
    await alice.press_data(first, first.buttons[1]["callback_data"])
    await alice.expect_toast(r"That exercise is behind you")
    await alice.press("Show me one way", second)
    await alice.expect(r"One way to say it")
    # Typing after it is one more try at the same exercise.
    await alice.send("Could we plan a date night together this month?")
    await alice.expect(r"That's a request someone can say yes to")
    await alice.press("Done for now")
    await alice.expect(r"picks up where you left off")
    # Nothing is waiting for an answer any more, and the next round starts where she left off,
    # without the introduction.
    await alice.send("thanks")
    await alice.expect(r"kept your words|I'm here")
    await alice.send("/practice")
    third = await alice.expect(r"Exercise 3 of 37 · This names what someone did")
    assert alice.all_text().count("Short exercises") == 1  # the introduction, once
    await alice.send("rejected")
    faux = await alice.expect(r"Nearly there")
    assert "“rejected” still says what someone did" in faux.text
    await alice.press("Try this one again", faux)
    await alice.expect(r"Exercise 3 of 37")
    await alice.send("sad and lonely")
    await alice.expect(r"Yes: sad and lonely\. That's a feeling")
    assert third is not None


async def test_round_again_after_the_last_one(alice: FakeUser) -> None:
    await alice.send("/practice")
    await alice.expect(r"Exercise 1 of 37")
    last = None
    for _ in range(36):
        await alice.press("Show me one way")
        await alice.press("Next ›")
        last = await alice.expect(r"Exercise \d+ of 37")
    assert last is not None and "Exercise 37 of 37" in last.text
    await alice.press("Show me one way")
    await alice.press("Next ›")
    await alice.expect(r"every exercise once")
    await alice.expect(r"Exercise 1 of 37")


async def test_practice_in_the_middle_of_a_soft_start_up(alice: FakeUser) -> None:
    """Practice steps out of the composer: nothing typed there becomes the draft's next part,
    and the draft waits for /compose."""
    await reach(alice, 1)
    await alice.send("/practice")
    await alice.expect(r"Exercise 1 of 37")
    await alice.send("I feel tired when I cook alone. Could you cook on Tuesdays?")
    await alice.expect(r"That's a soft start-up")
    await alice.press("Show me one way")
    await alice.send("I feel anxious when it's late. Could you text me?")
    await alice.expect(r"That's a soft start-up")
    await alice.press("Done for now")
    await alice.expect(r"picks up where you left off")
    await alice.expect(r"Your soft start-up is waiting where you left it: /compose")
    await alice.send("/compose")
    await alice.press("Continue my draft")
    await alice.expect(QUESTIONS[1])
    await alice.send("the call ran late last night")
    await alice.expect(QUESTIONS[2])
    draft = alice.all_text()
    assert "Could you cook on Tuesdays" not in draft.split("/compose")[-1]
