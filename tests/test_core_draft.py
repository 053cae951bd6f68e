from __future__ import annotations

import pytest

from bot.core.draft import MAX_PART_LENGTH, Draft, PartProblem, Step, part_problem


def test_answers_move_through_the_steps() -> None:
    draft = Draft()
    for step, answer in [
        (Step.REASON, "anxious"),
        (Step.REGULATION, "the call"),
        (Step.REQUEST, "breathing"),
        (Step.REVIEW, "a hug"),
    ]:
        draft = draft.answer(answer)
        assert draft.step is step
    assert (draft.feeling, draft.reason, draft.regulation, draft.request) == (
        "anxious",
        "the call",
        "breathing",
        "a hug",
    )


def test_edit_from_review_returns_to_review() -> None:
    draft = Draft("a", "b", "c", "d", Step.REVIEW).edit(Step.REASON)
    assert draft.step is Step.REASON and draft.editing
    draft = draft.answer("new reason")
    assert draft.step is Step.REVIEW and not draft.editing and draft.reason == "new reason"


def test_back_keeps_answers_and_stops_at_the_first_step() -> None:
    draft = Draft("a", "b", step=Step.REGULATION)
    assert draft.back().step is Step.REASON
    assert draft.back().back().back().step is Step.FEELING
    assert draft.back().reason == "b"
    assert Draft(step=Step.REVIEW).back().step is Step.REQUEST


def test_back_while_editing_leaves_edit_mode() -> None:
    draft = Draft("a", "b", "c", "d", Step.REVIEW).edit(Step.REQUEST).back()
    assert draft.step is Step.REGULATION and not draft.editing


def test_progress() -> None:
    assert Draft().progress == (1, 4)
    assert Draft(step=Step.REQUEST).progress == (4, 4)
    assert Draft(step=Step.REVIEW).progress == (4, 4)


def test_only_parts_can_be_set_or_edited() -> None:
    with pytest.raises(ValueError):
        Draft().with_part(Step.REVIEW, "x")
    with pytest.raises(ValueError):
        Draft().edit(Step.REVIEW)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", PartProblem.EMPTY),
        ("  \n\t ", PartProblem.EMPTY),
        ("x" * (MAX_PART_LENGTH + 1), PartProblem.TOO_LONG),
        ("x" * MAX_PART_LENGTH, None),
        ("  sad  ", None),
        # Nothing visible: zero-width spaces and joiners, a word joiner, a BOM, a lone mark.
        ("\u200b\u200b", PartProblem.EMPTY),
        ("\u200c\u200d\u2060\ufeff \u200b", PartProblem.EMPTY),
        ("\u0301", PartProblem.EMPTY),
        # Emoji (with their variation selector and joiners) and other scripts are answers.
        ("🙂", None),
        ("❤\ufe0f", None),
        ("👩\u200d❤\ufe0f\u200d👨", None),
        ("устала", None),
    ],
)
def test_part_problem(text: str, problem: PartProblem | None) -> None:
    assert part_problem(text) is problem
