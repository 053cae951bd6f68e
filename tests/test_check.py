"""The gentle check and the safety path, measured on labelled phrases."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from bot.content import Content
from bot.core.check import check_draft, normalise, points_to_danger, rules_matching
from bot.core.draft import Draft, Step
from tests.reports import REPORTS

DATA = Path(__file__).parent / "data"
MINIMUM = 0.9


def _load(name: str) -> list[list[object]]:
    with (DATA / name).open("rb") as file:
        return list(tomllib.load(file)["phrases"])


CHECK_PHRASES = _load("check_phrases.toml")
SAFETY_PHRASES = _load("safety_phrases.toml")


def test_normalise_folds_apostrophes_case_and_spaces() -> None:
    assert normalise("Don’t  YOU\n‘dare’") == "dont you dare"
    assert normalise("You're") == normalise("youre") == normalise("You’re")


def test_the_labelled_set_is_big_enough_and_covers_every_rule(content: Content) -> None:
    assert len(CHECK_PHRASES) >= 200
    names = {rule.name for rule in content.rules}
    positives: Counter[str] = Counter()
    for _, expected, _ in CHECK_PHRASES:
        positives.update(name for name in str(expected).split(",") if name != "-")
    assert set(positives) == names
    assert all(count >= 10 for count in positives.values()), positives


def test_precision_and_recall_per_rule(content: Content) -> None:
    counts = {rule.name: Counter[str]() for rule in content.rules}
    misses = []
    for part, expected, text in CHECK_PHRASES:
        wanted = {name for name in str(expected).split(",") if name != "-"}
        fired = set(rules_matching(str(text), Step(str(part)), content.rules))
        for name, count in counts.items():
            if name in fired and name in wanted:
                count["tp"] += 1
            elif name in fired:
                count["fp"] += 1
                misses.append(f"  extra {name}: [{part}] {text}")
            elif name in wanted:
                count["fn"] += 1
                misses.append(f"  missed {name}: [{part}] {text}")
    lines = [f"Gentle check on {len(CHECK_PHRASES)} labelled phrases (minimum {MINIMUM}):"]
    lines.append(f"  {'rule':<24}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    failing = []
    for name, count in counts.items():
        precision = count["tp"] / max(count["tp"] + count["fp"], 1)
        recall = count["tp"] / max(count["tp"] + count["fn"], 1)
        lines.append(
            f"  {name:<24}{precision:>10.2f}{recall:>8.2f}"
            f"{count['tp']:>5}{count['fp']:>5}{count['fn']:>5}"
        )
        if precision < MINIMUM or recall < MINIMUM:
            failing.append(name)
    REPORTS.append("\n".join(lines + misses))
    assert not failing, "\n".join(lines + misses)


def test_safety_recall_is_complete_and_false_alarms_are_reported(content: Content) -> None:
    dangerous = [str(text) for flag, text in SAFETY_PHRASES if flag is True]
    gentle = [str(text) for flag, text in SAFETY_PHRASES if flag is False]
    assert len(SAFETY_PHRASES) >= 60 and len(gentle) >= 20
    missed = [text for text in dangerous if not points_to_danger(text, content.danger_patterns)]
    alarms = [text for text in gentle if points_to_danger(text, content.danger_patterns)]
    recall = 1 - len(missed) / len(dangerous)
    REPORTS.append(
        f"Safety on {len(SAFETY_PHRASES)} labelled phrases: recall {recall:.2f} "
        f"({len(dangerous)} dangerous), false alarms {len(alarms)} of {len(gentle)} gentle"
        + "".join(f"\n  false alarm: {text}" for text in alarms)
    )
    assert missed == [], missed
    assert len(alarms) <= len(gentle) // 4


def test_kept_findings_are_not_shown_again(content: Content) -> None:
    draft = Draft("hurt", "you never call", "breathing", "a hug", Step.REVIEW)
    findings = check_draft(draft, content.rules)
    assert [f.rule for f in findings] == ["criticism", "blame"]
    kept = draft.keep(findings[0].key)
    assert [f.rule for f in check_draft(kept, content.rules)] == ["blame"]
    rewritten = kept.with_part(Step.REASON, "you never called back")
    assert [f.rule for f in check_draft(rewritten, content.rules)] == ["criticism", "blame"]


@pytest.mark.parametrize(
    "gentle",
    ["I never want us to fight", "I always feel better after we talk", "when you're ready"],
)
def test_the_issues_gentle_examples_never_fire(content: Content, gentle: str) -> None:
    for step in (Step.FEELING, Step.REASON, Step.REGULATION, Step.REQUEST):
        assert rules_matching(gentle, step, content.rules) == []


def test_holdout_set_is_reported(content: Content) -> None:
    """Phrases the patterns were not tuned on: scored and printed, not enforced."""
    phrases = _load("check_holdout.toml")
    right = 0
    wrong = []
    for part, expected, text in phrases:
        wanted = {name for name in str(expected).split(",") if name != "-"}
        fired = set(rules_matching(str(text), Step(str(part)), content.rules))
        if fired == wanted:
            right += 1
        else:
            wrong.append(f"  [{part}] {text}: expected {sorted(wanted)}, got {sorted(fired)}")
    REPORTS.append(
        f"Gentle check, held-out set: {right} of {len(phrases)} phrases exactly right"
        + "".join(f"\n{line}" for line in wrong)
    )
    assert phrases
