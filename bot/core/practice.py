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

from bot.core.check import Finding, Rule, as_written, normalise
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
    # A faux feeling ("ignored"), and the feeling words the bot knows in the answer.
    faux: FauxFeeling | None = None
    feelings: tuple[str, ...] = ()
    # Too little to read ("idk", "?"): no attempt yet.
    too_short: bool = False

    @property
    def soft(self) -> bool:
        """Nothing harsh, and everything the exercise asks for."""
        return (
            not self.too_short
            and not self.findings
            and self.names_feeling is not False
            and self.asks_kindly is not False
            and self.faux is None
        )


# Fewer words than this, with no feeling and no request in them, is no attempt yet.
MIN_WORDS = 3
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(pattern.search(text) for pattern in patterns)


def _findings(answer: str, rules: Sequence[Rule], only: frozenset[str] | None) -> list[Finding]:
    """The rules that match the answer, read sentence by sentence (the rules were made for one
    part of a message each, and an answer is several); one finding per rule, quoting the words
    as written. "I feel that you..." only where the person wrote "I feel"."""
    found: dict[str, Finding] = {}
    for sentence in _SENTENCES.split(answer.strip()):
        plain = normalise(sentence)
        for rule in rules:
            if rule.name in found or (only is not None and rule.name not in only):
                continue
            if rule.name == FAKE_I and not re.search(r"\bi feel\b", plain):
                continue
            words = rule.match(sentence)
            if words:
                found[rule.name] = Finding(rule.name, Step.REASON, as_written(words, sentence))
    return list(found.values())


FAKE_I = "fake_i_statement"


def feelings_in(answer: str, feelings: Sequence[str]) -> tuple[str, ...]:
    """The feeling words the bot knows in an answer, in the order written."""
    plain = normalise(answer)
    found = []
    for word in feelings:
        at = re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", plain)
        if at:
            found.append((at.start(), word))
    return tuple(word for _, word in sorted(found))


def read_answer(
    exercise: Exercise,
    answer: str,
    rules: Sequence[Rule],
    signals: Signals,
    feelings: Sequence[str],
    faux_feelings: Mapping[str, Sequence[str]],
    shorthand: Mapping[str, str] | None = None,
) -> Reading:
    """How the answer to `exercise` reads: what is soft in it, and what could be softer."""
    plain = normalise(answer, shorthand)
    faux = find_faux_feeling(answer, faux_feelings)
    named = feelings_in(answer, feelings)
    if exercise.kind is Kind.FEELING:
        return Reading(faux=faux, feelings=() if faux else named)
    asks = _any(signals.request, plain)
    names = bool(named) or _any(signals.feeling, plain)
    if len(plain.split()) < MIN_WORDS and not asks and not names:
        return Reading(too_short=True)
    if exercise.kind is Kind.REQUEST:
        return Reading(findings=_findings(answer, rules, REQUEST_RULES), asks_kindly=asks)
    return Reading(
        findings=_findings(answer, rules, None),
        names_feeling=names,
        asks_kindly=asks,
        faux=faux,
        feelings=named,
    )


def interleaved(exercises: Sequence[Exercise]) -> list[Exercise]:
    """The exercises taken in turn from each kind (a rewrite, a request, a feeling, a rewrite,
    ...), so a few a day meet every kind; within a kind, in their order in the content."""
    by_kind: dict[Kind, list[Exercise]] = {}
    for exercise in exercises:
        by_kind.setdefault(exercise.kind, []).append(exercise)
    queues = [list(items) for items in by_kind.values()]
    order = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0))
    return order


def first_open(done: set[int], total: int) -> int:
    """Where /practice starts: the first exercise not answered yet (all done: the first)."""
    return next((index for index in range(total) if index not in done), 0)
