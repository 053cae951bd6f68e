"""The gentle check: signs of a harsh or codependent start-up (words that point to danger are
bot/core/safety.py's).

Rules and patterns are data from content/<locale>/checks.toml. Text is matched the way people
type it: any case, curly or straight apostrophes or none at all, any spacing and line breaks.
The check never blocks; it finds, and the bot offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.draft import PARTS, Draft, Step

_APOSTROPHES = re.compile(r"['’‘`ʼ]")
_SPACES = re.compile(r"\s+")


_WORDS = re.compile(r"\w+")


def normalise(text: str, shorthand: Mapping[str, str] | None = None) -> str:
    """Lower case, no apostrophes ("don’t" -> "dont"), single spaces, and text-speak spelled
    out ("u" -> "you"): what patterns match on."""
    plain = _SPACES.sub(" ", _APOSTROPHES.sub("", text.casefold())).strip()
    if shorthand:
        plain = _WORDS.sub(lambda word: shorthand.get(word.group(0), word.group(0)), plain)
    return plain


@dataclass(frozen=True)
class Rule:
    """One sign of a harsh start-up, for some parts of the draft."""

    name: str
    parts: frozenset[Step]
    patterns: tuple[re.Pattern[str], ...]
    # Gentle phrases that look like the rule ("I never want us to fight"): they cancel a match.
    unless: tuple[re.Pattern[str], ...] = ()
    shorthand: Mapping[str, str] = field(default_factory=dict)

    def match(self, text: str) -> str | None:
        """The matched words, or None."""
        plain = normalise(text, self.shorthand)
        if any(pattern.search(plain) for pattern in self.unless):
            return None
        for pattern in self.patterns:
            found = pattern.search(plain)
            if found:
                return found.group(0).strip()
        return None


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


@dataclass(frozen=True)
class Finding:
    """A rule that matched one part of the draft."""

    rule: str
    step: Step
    words: str

    @property
    def key(self) -> str:
        """How a kept finding is remembered in the draft."""
        return f"{self.rule}:{self.step.value}"


def rules_matching(text: str, step: Step, rules: Sequence[Rule]) -> list[str]:
    """The names of the rules that match `text` as the given part."""
    return [rule.name for rule in rules if step in rule.parts and rule.match(text)]


# A quote shorter than this many words ("you") says nothing; the part's opening is shown instead.
MIN_QUOTE_WORDS = 2
MAX_QUOTE_WORDS = 8


def as_written(words: str, text: str) -> str:
    """The matched words as the person wrote them (matching drops apostrophes and case:
    "youre so lazy" is quoted as "You're so lazy"); the matched words if they cannot be found."""
    pieces = []
    for char in words:
        pieces.append(r"\s+" if char == " " else re.escape(char) + f"{_APOSTROPHES.pattern}?")
    found = re.search("".join(pieces), text, re.IGNORECASE)
    return found.group(0) if found else words


def quoted(words: str, text: str) -> str:
    """What a finding quotes: the matched words as written, or the start of the part when they
    are one word (a lone "you" reads as an accusation of its own)."""
    if len(words.split()) >= MIN_QUOTE_WORDS:
        return as_written(words, text)
    opening = text.split()
    shown = " ".join(opening[:MAX_QUOTE_WORDS])
    return shown + "…" if len(opening) > MAX_QUOTE_WORDS else shown


def check_draft(draft: Draft, rules: Sequence[Rule]) -> list[Finding]:
    """Findings in part order, leaving out the ones the user chose to keep."""
    findings = []
    for step in PARTS:
        for rule in rules:
            if step not in rule.parts:
                continue
            text = draft.part(step)
            words = rule.match(text)
            finding = Finding(rule.name, step, quoted(words, text) if words else "")
            if words and finding.key not in draft.kept:
                findings.append(finding)
    return findings


# A reply to the partner, a reflection in one's own words, or a "not quite" is checked for what
# hurts in any answer: a verdict ("you always...") and contempt. Not for blame: an answer, and
# above all a reflection ("You felt alone because I was late"), rightly starts with "you".
# The rules about requests and self-care belong to a soft start-up only.
REPLY_RULES = frozenset({"criticism", "contempt"})


def check_reply(text: str, rules: Sequence[Rule]) -> Finding | None:
    """The first sign of a harsh answer in `text`, or None."""
    for rule in rules:
        if rule.name not in REPLY_RULES:
            continue
        words = rule.match(text)
        if words:
            return Finding(rule.name, Step.REASON, quoted(words, text))
    return None
