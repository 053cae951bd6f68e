"""/practice: exercises for when nothing is burning, and how an answer is read.

A harsh start-up is rewritten as a soft one; a complaint is turned into a clear, kind request;
a word that names what someone did ("ignored") is traded for the feeling underneath it. The
gentle check (bot/core/check.py) reads each answer, with two signs of a soft answer: a feeling
named, and a request the partner can say yes to. The exercises and signs are content
(content/<locale>/practice.toml)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.check import Finding, Rule, normalise, quoted
from bot.core.compose import FauxFeeling, find_faux_feeling
from bot.core.draft import Step


class Kind(StrEnum):
    REWRITE = "rewrite"  # a harsh start-up, rewritten as a soft one
    REQUEST = "request"  # a complaint, turned into a clear and kind request
    FEELING = "feeling"  # a faux feeling, traded for the feeling underneath


@dataclass(frozen=True)
class Exercise:
    kind: Kind
    shown: str
    hint: str
    model: str
    rule: str = ""  # rewrite: the sign of harshness it shows (a check rule's name)


@dataclass(frozen=True)
class Signals:
    """What a soft answer has (patterns matched on normalised text)."""

    feeling: tuple[re.Pattern[str], ...]
    request: tuple[re.Pattern[str], ...]


# A request is read for what makes one hard to say yes to; the other rules are about the
# parts of a whole soft start-up.
REQUEST_RULES = frozenset(
    {"criticism", "contempt", "negative_request", "urgency", "codependent_demand"}
)


@dataclass(frozen=True)
class Reading:
    """What the check found in an answer."""

    findings: list[Finding] = field(default_factory=list)
    # None where the exercise does not ask for it.
    names_feeling: bool | None = None
    asks_kindly: bool | None = None
    # Feeling exercises: a faux feeling again, and a feeling word the bot knows.
    faux: FauxFeeling | None = None
    feeling: str | None = None

    @property
    def soft(self) -> bool:
        """Nothing harsh, and everything the exercise asks for."""
        return (
            not self.findings
            and self.names_feeling is not False
            and self.asks_kindly is not False
            and self.faux is None
        )


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


def _findings(answer: str, rules: Sequence[Rule], only: frozenset[str] | None) -> list[Finding]:
    """Every rule that matches the whole answer (whatever part the rule is for: an answer is
    all parts at once); one finding per rule."""
    found = []
    for rule in rules:
        if only is not None and rule.name not in only:
            continue
        words = rule.match(answer)
        if words:
            found.append(Finding(rule.name, Step.REASON, quoted(words, answer)))
    return found


def _feeling_word(answer: str, feelings: Sequence[str]) -> str | None:
    plain = normalise(answer)
    for word in feelings:
        if re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", plain):
            return word
    return None


def read_answer(
    exercise: Exercise,
    answer: str,
    rules: Sequence[Rule],
    signals: Signals,
    feelings: Sequence[str],
    faux_feelings: Mapping[str, Sequence[str]],
) -> Reading:
    """How the answer to `exercise` reads: what is soft in it, and what could be softer."""
    plain = normalise(answer)
    if exercise.kind is Kind.FEELING:
        faux = find_faux_feeling(answer, faux_feelings)
        return Reading(faux=faux, feeling=None if faux else _feeling_word(answer, feelings))
    if exercise.kind is Kind.REQUEST:
        return Reading(
            findings=_findings(answer, rules, REQUEST_RULES),
            asks_kindly=_any(signals.request, plain),
        )
    return Reading(
        findings=_findings(answer, rules, None),
        names_feeling=_any(signals.feeling, plain),
        asks_kindly=_any(signals.request, plain),
    )


def first_open(done: set[int], total: int) -> int:
    """Where /practice starts: the first exercise not answered yet (all done: the first)."""
    return next((index for index in range(total) if index not in done), 0)
