"""Draft -> the finished soft start-up, in plain text and in Telegram HTML.

People type the parts the way they talk: "I feel anxious.", "because you were late",
"I'm taking a walk". The composer tidies each part so that the finished message reads naturally
and never doubles the words the formula already supplies. Every word list comes from content/.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.core.draft import Draft, Step

_TRAILING_PUNCTUATION = re.compile(r"[\s.,;:!?…]+$")
_LEADING_PUNCTUATION = re.compile(r"^[\s,;:\-–—]+")
_WHITESPACE = re.compile(r"\s+")


def word_pattern(phrase: str) -> str:
    """A regex for a phrase that matches what people type: any case, any apostrophe or none,
    any run of white space between words."""
    words = phrase.strip().split()
    escaped = [re.escape(word).replace("'", "['’‘`]?") for word in words]
    return r"\s+".join(escaped)


def _alternatives(phrases: Iterable[str]) -> str:
    # Longest first, so "i'm feeling" wins over "i'm"; nothing matches an empty list.
    ordered = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    return "|".join(word_pattern(p) for p in ordered) or r"(?!x)x"


def _prefix_regex(prefixes: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"^(?:{_alternatives(prefixes)})(?=\W|$)", re.IGNORECASE)


def _starts_with_any(text: str, regex: re.Pattern[str]) -> bool:
    return regex.match(text) is not None


@dataclass(frozen=True)
class Phrasing:
    """The sentences of the formula and the word lists that tidy what people type."""

    feeling_sentence: str  # "I feel {feeling} {reason}."
    because: str  # "because"
    regulation_sentence: str  # "I'm {regulation}."
    regulation_plan_sentence: str  # "I'm going to {regulation}." for "take a walk", "to rest"
    regulation_thing_sentence: str  # "To calm down, I'm turning to {regulation}." for "a walk"
    request_sentence: str  # "I would appreciate {request}."
    request_it_sentence: str  # "I would appreciate it {request}." for "if you could..."
    request_ask_sentence: str  # "...it if you could {request}." for "call me"
    request_not_sentence: str  # "...it if you didn't {request}." for "don't shout"
    strip_prefixes: Mapping[Step, tuple[str, ...]]
    reason_connectors: tuple[str, ...]
    request_it_starts: tuple[str, ...]
    first_person_starts: tuple[str, ...]
    lowercase_starters: tuple[str, ...]
    # "after you left" needs no "because"; "after dinner you left" does.
    connectors_before_someone: tuple[str, ...] = ()
    someone: tuple[str, ...] = ()
    regulation_plan_starts: tuple[str, ...] = ()
    regulation_thing_starts: tuple[str, ...] = ()
    # Words a plan's sentence says already ("to" in "I'm going to ...").
    regulation_plan_drop: tuple[str, ...] = ()
    always_capitalised: tuple[str, ...] = ()
    # A request written as an ask ("stop ignoring me", "you to call me"), and what its sentence
    # says already ("you to").
    request_ask_starts: tuple[str, ...] = ()
    request_ask_drop: tuple[str, ...] = ()
    request_not_starts: tuple[str, ...] = ()
    _prefixes: dict[Step, re.Pattern[str]] = field(init=False, repr=False, compare=False)
    _connectors: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _before_someone: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _plans: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _plan_drop: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _asks: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _ask_drop: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _nots: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _things: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _capitals: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _request_it: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _first_person: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _lowercase: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per content load, not per message.
        prefixes = {step: _prefix_regex(words) for step, words in self.strip_prefixes.items()}
        object.__setattr__(self, "_prefixes", prefixes)
        object.__setattr__(self, "_connectors", _prefix_regex(self.reason_connectors))
        connector, person = (
            _alternatives(self.connectors_before_someone),
            _alternatives(self.someone),
        )
        object.__setattr__(
            self,
            "_before_someone",
            re.compile(rf"^(?:{connector})\s+(?:{person})(?=\W|$)", re.IGNORECASE),
        )
        object.__setattr__(self, "_plans", _prefix_regex(self.regulation_plan_starts))
        object.__setattr__(self, "_plan_drop", _prefix_regex(self.regulation_plan_drop))
        asks = (*self.request_ask_starts, *self.request_ask_drop)
        object.__setattr__(self, "_asks", _prefix_regex(asks))
        object.__setattr__(self, "_ask_drop", _prefix_regex(self.request_ask_drop))
        object.__setattr__(self, "_nots", _prefix_regex(self.request_not_starts))
        object.__setattr__(self, "_things", _prefix_regex(self.regulation_thing_starts))
        # Whole words only, the apostrophe typed ("i'll" is "I'll", "ill" stays "ill"); not a
        # tag someone typed ("<i>").
        capitals = "|".join(
            re.escape(word).replace("'", "['’‘`]")
            for word in sorted(self.always_capitalised, key=len, reverse=True)
        )
        object.__setattr__(
            self,
            "_capitals",
            re.compile(rf"(?<![\w'’</])(?:{capitals or '(?!x)x'})(?![\w'’>])", re.IGNORECASE),
        )
        object.__setattr__(self, "_request_it", _prefix_regex(self.request_it_starts))
        object.__setattr__(self, "_first_person", _prefix_regex(self.first_person_starts))
        lowercase = frozenset(w.casefold() for w in self.lowercase_starters)
        object.__setattr__(self, "_lowercase", lowercase)


@dataclass(frozen=True)
class ComposedMessage:
    """The finished soft start-up: `plain` to copy or store, `html` to send with parse_mode HTML."""

    plain: str

    @property
    def html(self) -> str:
        return html.escape(self.plain, quote=False)


def tidy_whitespace(text: str) -> str:
    """One line, single spaces: line breaks inside a part would break the sentence."""
    return _WHITESPACE.sub(" ", text).strip()


def _strip_prefix(text: str, regex: re.Pattern[str]) -> str:
    stripped = regex.sub("", text, count=1)
    return _LEADING_PUNCTUATION.sub("", stripped)


def _lower_first_word(text: str, lowercase: frozenset[str], always: bool = False) -> str:
    """Phones capitalise every message; inside a sentence that capital is wrong. Only common
    words are lowered, so names ("Sam forgot...") and acronyms keep their capitals; a feeling
    (`always`) is lowered unless it is written all in capitals."""
    first_word = re.split(r"[\s,.;:!?]", text, maxsplit=1)[0]
    if first_word.casefold() in lowercase or (
        first_word.istitle() and (always or first_word.endswith("ing"))
    ):
        return text[:1].lower() + text[1:]
    return text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str, question: bool = False) -> str:
    return _capitalise(text) + ("?" if question else ".")


def tidy_part(step: Step, text: str, phrasing: Phrasing) -> str:
    """One part as it will stand inside its sentence: no doubled formula words, no trailing
    punctuation, no stray capital, one line."""
    tidy = _TRAILING_PUNCTUATION.sub("", tidy_whitespace(text))
    regex = phrasing._prefixes.get(step)
    if regex is not None:
        tidy = _strip_prefix(tidy, regex)
    tidy = _TRAILING_PUNCTUATION.sub("", tidy)
    tidy = _lower_first_word(tidy, phrasing._lowercase, always=step is Step.FEELING)
    # Phones type "i" where "I" is meant, also inside a part.
    return phrasing._capitals.sub(lambda found: _capitalise(found.group(0)), tidy)


def _reason_clause(reason: str, phrasing: Phrasing) -> str:
    # "when you were late" reads better without a "because" in front of it; "after you left"
    # too, but "after dinner you left" needs one.
    if _starts_with_any(reason, phrasing._connectors) or phrasing._before_someone.match(reason):
        return reason
    return f"{phrasing.because} {reason}"


def _regulation_sentence(part: str, phrasing: Phrasing) -> str:
    """ "I'm breathing." for a gerund; "I'm going to take a walk." for a plan ("take a walk",
    "to rest"); "To calm down, I'm turning to a cup of tea." for a thing."""
    if _starts_with_any(part, phrasing._plans):
        plan = _strip_prefix(part, phrasing._plan_drop)
        return phrasing.regulation_plan_sentence.format(regulation=plan)
    if _starts_with_any(part, phrasing._things):
        return phrasing.regulation_thing_sentence.format(regulation=part)
    return phrasing.regulation_sentence.format(regulation=part)


def _request_sentence(part: str, phrasing: Phrasing) -> str:
    if _starts_with_any(part, phrasing._request_it):
        # "I would appreciate it if you could...", not "I would appreciate if you could...".
        return phrasing.request_it_sentence.format(request=part)
    if _starts_with_any(part, phrasing._nots):
        # "don't shout": "...it if you didn't shout".
        return phrasing.request_not_sentence.format(request=_strip_prefix(part, phrasing._nots))
    if _starts_with_any(part, phrasing._asks):
        # "stop ignoring me": "...it if you could stop ignoring me", not "appreciate stop...".
        asked = _strip_prefix(part, phrasing._ask_drop)
        return phrasing.request_ask_sentence.format(request=asked)
    return phrasing.request_sentence.format(request=part)


_SENTENCES = {Step.REGULATION: _regulation_sentence, Step.REQUEST: _request_sentence}


def _own_sentence_or(step: Step, raw: str, phrasing: Phrasing) -> str:
    # "I will take a walk" is a sentence already; "I'm I will take a walk" is not.
    part = tidy_part(step, raw, phrasing)
    if _starts_with_any(part, phrasing._first_person):
        return _sentence(part, question=raw.rstrip().endswith("?"))
    return _SENTENCES[step](part, phrasing)


def compose_sentences(draft: Draft, phrasing: Phrasing) -> tuple[str, str, str]:
    """The feeling, regulation and request sentences, built from the draft's four parts."""
    feeling = tidy_part(Step.FEELING, draft.feeling, phrasing)
    reason = tidy_part(Step.REASON, draft.reason, phrasing)
    return (
        phrasing.feeling_sentence.format(feeling=feeling, reason=_reason_clause(reason, phrasing)),
        _own_sentence_or(Step.REGULATION, draft.regulation, phrasing),
        _own_sentence_or(Step.REQUEST, draft.request, phrasing),
    )


def compose_message(draft: Draft, phrasing: Phrasing) -> ComposedMessage:
    """The three sentences of the Soft Start-Up, built from the draft's four parts."""
    return ComposedMessage(plain=" ".join(compose_sentences(draft, phrasing)))


@dataclass(frozen=True)
class FauxFeeling:
    """A word that says what someone did ("ignored") and feelings that may lie under it."""

    word: str
    underlying: tuple[str, ...]


def find_faux_feeling(
    feeling: str, faux_feelings: Mapping[str, Iterable[str]]
) -> FauxFeeling | None:
    """The first faux feeling in the answer, or None when it names a feeling already. The bot
    offers the underlying feelings as a suggestion, never as a block."""
    text = tidy_whitespace(feeling).casefold()
    for word, underlying in faux_feelings.items():
        if re.search(rf"(?:^|\W){word_pattern(word.casefold())}(?:\W|$)", text):
            return FauxFeeling(word=word, underlying=tuple(underlying))
    return None


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
