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
    assert _read(content, exercise, "lonely, mostly").feeling == "lonely"  # type: ignore[attr-defined]
    unknown = _read(content, exercise, "wobbly")
    assert unknown.soft and unknown.feeling is None  # type: ignore[attr-defined]


async def test_a_round_of_practice(alice: FakeUser) -> None:
    await alice.send("/practice")
    await alice.expect(r"Short exercises for a calm moment")
    first = await alice.expect(r"Exercise 1 of 37 · Rewrite it as a soft start-up")
    assert "You never help with dinner" in first.text
    assert first.labels == ["💡 A hint", "Show me one way", "Done for now"]
    await alice.press("💡 A hint", first)
    await alice.expect(r"💡 Start with how you feel")
    await alice.send("You always leave the cooking to me, so could you do it for once?")
    read = await alice.expect(r"Nearly there")
    assert "• Try naming your feeling first" in read.text
    assert "✓ It asks for something clear" in read.text
    assert "a verdict" in read.text and "One way to say it" in read.text
    assert read.labels == ["Next ›", "Try this one again", "Done for now"]
    await alice.press("Try this one again", read)
    await alice.expect(r"Exercise 1 of 37")
    await alice.send("I feel tired when I cook alone. Could you cook on Tuesdays?")
    soft = await alice.expect(r"That's a soft start-up")
    await alice.press("Next ›", soft)
    second = await alice.expect(r"Exercise 2 of 37")
    await alice.press("Show me one way", second)
    await alice.expect(r"One way to say it")
    await alice.press("Done for now")
    await alice.expect(r"Nice practice")
    # Nothing is waiting for an answer any more, and the next round starts where she left off.
    await alice.send("thanks")
    await alice.expect(r"kept your words|I'm here")
    await alice.send("/practice")
    await alice.expect(r"Exercise 3 of 37")


async def test_a_feeling_exercise_and_the_last_one(alice: FakeUser) -> None:
    await alice.send("/practice")
    await alice.expect(r"Exercise 1 of 37")
    # Straight to the feelings: the last exercises.
    last = None
    for _ in range(36):
        await alice.press("Show me one way")
        await alice.press("Next ›")
        last = await alice.expect(r"Exercise \d+ of 37")
    assert last is not None and "Exercise 37 of 37" in last.text
    await alice.send("rejected")
    faux = await alice.expect(r"Nearly there")
    assert "“rejected” still says what someone did" in faux.text
    await alice.press("Try this one again")
    await alice.send("disappointed")
    await alice.expect(r"Yes: disappointed is a feeling")
    await alice.press("Next ›")
    await alice.expect(r"every exercise once")
    await alice.expect(r"Exercise 1 of 37")


async def test_practice_in_the_middle_of_a_soft_start_up(alice: FakeUser) -> None:
    await reach(alice, 1)
    await alice.send("/practice")
    await alice.expect(r"Exercise 1 of 37")
    await alice.send("I feel tired when I cook alone. Could you cook on Tuesdays?")
    await alice.expect(r"That's a soft start-up")
    await alice.expect(r"waiting where you left it")
    await alice.expect(QUESTIONS[1])
    await alice.send("the call ran late last night")
    await alice.expect(QUESTIONS[2])
