"""The gentle check and the safety path, measured on labelled phrases."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from bot.content import Content
from bot.core.check import check_draft, normalise, quoted, rules_matching
from bot.core.draft import Draft, Step
from bot.core.safety import Concern
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
    assert len(CHECK_PHRASES) >= 400
    names = {rule.name for rule in content.rules}
    positives: Counter[str] = Counter()
    for _, expected, _ in CHECK_PHRASES:
        positives.update(name for name in str(expected).split(",") if name != "-")
    assert set(positives) == names
    assert all(count >= 10 for count in positives.values()), positives


def rule_counts(
    phrases: list[list[object]], content: Content
) -> tuple[dict[str, Counter[str]], list[str]]:
    """True and false positives and misses per rule, and what went wrong."""
    counts = {rule.name: Counter[str]() for rule in content.rules}
    misses = []
    for part, expected, text in phrases:
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
    return counts, misses


def precision_recall(count: Counter[str]) -> tuple[float, float]:
    precision = count["tp"] / max(count["tp"] + count["fp"], 1)
    recall = count["tp"] / max(count["tp"] + count["fn"], 1)
    return precision, recall


def test_precision_and_recall_per_rule(content: Content) -> None:
    counts, misses = rule_counts(CHECK_PHRASES, content)
    lines = [f"Gentle check on {len(CHECK_PHRASES)} labelled phrases (minimum {MINIMUM}):"]
    lines.append(f"  {'rule':<24}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    failing = []
    for name, count in counts.items():
        precision, recall = precision_recall(count)
        lines.append(
            f"  {name:<24}{precision:>10.2f}{recall:>8.2f}"
            f"{count['tp']:>5}{count['fp']:>5}{count['fn']:>5}"
        )
        if precision < MINIMUM or recall < MINIMUM:
            failing.append(name)
    REPORTS.append("\n".join(lines + misses))
    assert not failing, "\n".join(lines + misses)


SELF_HARM_FAMILIES = frozenset({"self_harm", "passive_suicidal"})
DANGER_FAMILIES = frozenset({"fear", "physical_harm", "intimidation", "coercive_control", "threat"})
MAX_FALSE_ALARMS = 0.05
KIND = {
    **dict.fromkeys(SELF_HARM_FAMILIES, Concern.SELF_HARM),
    **dict.fromkeys(DANGER_FAMILIES, Concern.DANGER),
}


def safety_figures(phrases: list[list[object]], content: Content) -> tuple[float, float, list[str]]:
    """(recall on the dangerous phrases, false-alarm rate on the look-alikes, what went wrong)."""
    dangerous = [(str(family), str(text)) for flag, family, text in phrases if flag is True]
    gentle = [str(text) for flag, _, text in phrases if flag is False]
    wrong = []
    missed = 0
    for family, text in dangerous:
        concern = content.safety.concern(text)
        if concern is None:
            missed += 1
            wrong.append(f"  missed ({family}): {text}")
        elif family in KIND and concern is not KIND[family]:
            wrong.append(f"  read as {concern} ({family}): {text}")
    alarms = [text for text in gentle if content.safety.concern(text) is not None]
    wrong += [f"  false alarm: {text}" for text in alarms]
    return 1 - missed / len(dangerous), len(alarms) / len(gentle), wrong


def test_the_safety_tuning_set_covers_every_family() -> None:
    families = Counter(str(family) for flag, family, _ in SAFETY_PHRASES if flag is True)
    assert set(families) >= SELF_HARM_FAMILIES | DANGER_FAMILIES
    assert all(families[name] >= 20 for name in SELF_HARM_FAMILIES | DANGER_FAMILIES), families
    assert sum(families.values()) >= 150
    assert sum(1 for flag, _, _ in SAFETY_PHRASES if flag is False) >= 150


def test_safety_recall_is_complete_and_false_alarms_are_rare(content: Content) -> None:
    recall, alarms, wrong = safety_figures(SAFETY_PHRASES, content)
    REPORTS.append(
        f"Safety, tuning set ({len(SAFETY_PHRASES)} phrases): recall {recall:.3f}, "
        f"false alarms {alarms:.1%} (at most {MAX_FALSE_ALARMS:.0%})"
        + "".join(f"\n{w}" for w in wrong)
    )
    assert recall == 1.0 and alarms <= MAX_FALSE_ALARMS, "\n".join(wrong)
    assert not [w for w in wrong if w.startswith("  read as")], "\n".join(wrong)


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


SAFETY_HOLDOUT = _load("safety_holdout.toml")
# What the held-out set measured the one time it was scored (2026-11-29), before anyone read its
# misses. The targets are issue 13's (recall 1.0, false alarms at most 5%); patterns alone do
# not reach them on phrasing they were not tuned on, so until something better (a small local
# classifier) does, these figures may not get worse.
HOLDOUT_RECALL_FLOOR = 0.72
HOLDOUT_FALSE_ALARMS_CEILING = 0.091  # 11 of 122


def test_safety_on_the_held_out_set_is_reported_and_does_not_get_worse(content: Content) -> None:
    recall, alarms, _ = safety_figures(SAFETY_HOLDOUT, content)
    dangerous = sum(1 for flag, _, _ in SAFETY_HOLDOUT if flag is True)
    REPORTS.append(
        f"Safety, held-out set ({dangerous} dangerous, {len(SAFETY_HOLDOUT) - dangerous} "
        f"look-alikes, never tuned on): recall {recall:.3f} (target 1.0), false alarms "
        f"{alarms:.1%} (target at most {MAX_FALSE_ALARMS:.0%}). Misses not listed: reading them "
        "would make it a tuning set."
    )
    assert recall >= HOLDOUT_RECALL_FLOOR
    assert alarms <= HOLDOUT_FALSE_ALARMS_CEILING


def _all_labelled_phrases() -> list[str]:
    texts = [str(row[-1]) for row in CHECK_PHRASES + SAFETY_PHRASES + SAFETY_HOLDOUT]
    return texts + [str(row[-1]) for row in _load("check_holdout.toml")]


def test_no_pattern_holds_a_labelled_phrase_verbatim(content: Content) -> None:
    """A pattern that spells out a labelled phrase (three words or more) scores that phrase
    without knowing anything: the figures would lie."""
    sources = [p.pattern for p in content.safety.self_harm + content.safety.danger]
    sources += [p.pattern for rule in content.rules for p in rule.patterns + rule.unless]
    copied = []
    for text in _all_labelled_phrases():
        plain = normalise(text)
        if len(plain.split()) >= 3 and any(plain in source for source in sources):
            copied.append(text)
    assert copied == []


# The gentle check's held-out set, scored once on 2026-11-29 after the rules were last tuned,
# before its misses were read: (precision, recall) per rule. The target is 0.9 for both (issue
# 13); until the rules reach it on phrasing they were not tuned on, they may not get worse.
CHECK_HOLDOUT_FLOORS = {
    "criticism": (0.87, 0.87),
    "fake_i_statement": (1.0, 0.82),
    "blame": (1.0, 0.73),
    "contempt": (0.92, 0.66),
    "codependent_demand": (0.91, 0.68),
    "urgency": (1.0, 0.62),
    "negative_request": (1.0, 0.93),
    "kitchen_sink": (1.0, 1.0),
    "outsourced_regulation": (0.9, 0.52),
}


def test_gentle_check_on_the_held_out_set_is_reported_and_does_not_get_worse(
    content: Content,
) -> None:
    phrases = _load("check_holdout.toml")
    counts, _ = rule_counts(phrases, content)
    lines = [
        f"Gentle check, held-out set ({len(phrases)} phrases, never tuned on; target {MINIMUM}; "
        "misses not listed: reading them would make it a tuning set):",
        f"  {'rule':<24}{'precision':>10}{'recall':>8}{'floor':>12}",
    ]
    worse = []
    for name, count in counts.items():
        precision, recall = precision_recall(count)
        floor = CHECK_HOLDOUT_FLOORS[name]
        lines.append(f"  {name:<24}{precision:>10.2f}{recall:>8.2f}{floor[0]:>7.2f}/{floor[1]:.2f}")
        if precision < floor[0] or recall < floor[1]:
            worse.append(name)
    REPORTS.append("\n".join(lines))
    assert set(CHECK_HOLDOUT_FLOORS) == set(counts)
    assert worse == [], "\n".join(lines)


def test_a_finding_quotes_words_never_a_lone_you() -> None:
    assert quoted("you never", "you never call") == "you never"
    assert quoted("youre so lazy", "You’re so lazy and selfish") == "You’re so lazy"
    assert quoted("you", "you forgot the bins again") == "you forgot the bins again"
    long = "you were on your phone the whole dinner and after it too"
    assert quoted("you", long) == "you were on your phone the whole dinner…"
