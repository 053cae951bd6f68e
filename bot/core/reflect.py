"""The listener's turn: "What I heard", the sender's own words said back in the listener's voice.

The reflection is built from the sender's composed sentences (so it says what the partner
received), then turned around person by person: my/your, I/you, me/you, with the verb after a
turned subject made to agree ("I was" -> "you were"); "we" and "our" stay. The word lists live
in content (words.toml [turnaround]); this module only knows how to apply them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.compose import Phrasing, compose_sentences
from bot.core.draft import Draft

# A word (letters, with an apostrophe inside: "don't", "you're"), or anything between words.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[\W\d_]+")
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\-–—]")


@dataclass(frozen=True)
class Turnaround:
    """How one language turns a sentence from the speaker's voice into the listener's."""

    # Words turned whatever their place ("my" -> "your", "you're" -> "I'm").
    swaps: Mapping[str, str]
    # "you" as a subject ("because you forgot") and as an object ("with you").
    you_subject: str
    you_object: str
    you_words: frozenset[str]
    # Words after which "you" starts a clause, so it is the subject ("because", "if").
    clause_starts: frozenset[str]
    # Before "you", words that make it an object ("with you"); after it, words that show it
    # is one ("need you to", "miss you when"); otherwise a verb follows and it is the subject.
    prepositions: frozenset[str]
    object_followers: frozenset[str]
    # Words after which "you" is left as it is ("a thank you").
    kept_after: frozenset[str]
    # Both people already ("you and I"): left as written.
    kept_phrases: tuple[str, ...]
    # A request asked as a question: "you would like {who} to {rest}", by its opening ("can
    # you" -> "me", "can we" -> "us"); any other question: "you asked: {question}".
    asked_wish: str
    asked: str
    question_requests: Mapping[str, str]
    # The verb after a turned subject, made to agree: after "you" (was I) and after "I".
    agree_after_you: Mapping[str, str]
    agree_after_i: Mapping[str, str]
    # Words that may stand between a subject and its verb ("I really was").
    adverbs: frozenset[str]
    # The subject words a swap produces, to know which verb must agree after them.
    turned_to_you: frozenset[str]
    reflection: str  # "I hear that {heard}, and that {wish}. Did I get that right?"
    reflection_whole: str  # "I hear that {heard} Did I get that right?"


def _key(word: str) -> str:
    return word.casefold().replace("’", "'")


def _you(words: list[str], index: int, breaks: list[bool], turn: Turnaround) -> str:
    """Subject or object: at a clause's start or after "because"/"if"/... it is the subject;
    after a preposition, at the end, or before "to"/"when"/"the"... an object; before anything
    else (a verb: "you never", "you look") the subject again."""
    previous = _key(words[index - 1]) if index > 0 else None
    at_end = index + 1 == len(words) or breaks[index + 1]
    following = None if at_end else _key(words[index + 1])
    if previous is not None and previous in turn.kept_after:
        return words[index]
    if previous is None or breaks[index] or previous in turn.clause_starts:
        return turn.you_subject
    if (
        previous in turn.prepositions
        or following is None
        or following in turn.object_followers
        or following in turn.prepositions
    ):
        return turn.you_object
    return turn.you_subject


def _kept(text: str, turn: Turnaround) -> list[tuple[int, int]]:
    """Where the phrases left as written are (as character spans). Not after a preposition:
    in "I moved here for you and I don't know anyone", "you" and "I" belong to two clauses."""
    spans = []
    for phrase in turn.kept_phrases:
        for found in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE):
            if _starts_a_clause(text[: found.start()], turn):
                spans.append(found.span())
    return spans


def _starts_a_clause(before: str, turn: Turnaround) -> bool:
    """Whether what follows `before` starts a clause: at the start, after punctuation, or
    after "because", "when", "that"... (not after a verb or a preposition)."""
    stripped = before.rstrip()
    if not stripped or _CLAUSE_BREAK.search(stripped[-1]):
        return True
    words = [token for token in _TOKEN.findall(stripped) if token[0].isalpha()]
    return not words or _key(words[-1]) in turn.clause_starts


def turn_around(text: str, turn: Turnaround) -> str:
    """The sentence in the other person's voice: "I was alone because you left" -> "you were
    alone because I left". Everything else (names, "we", "you and I", emoji) stays as written."""
    found = list(_TOKEN.finditer(text))
    tokens = [token.group() for token in found]
    kept = _kept(text, turn)
    untouched = {
        n
        for n, token in enumerate(found)
        if any(start <= token.start() and token.end() <= end for start, end in kept)
    }
    word_at = [n for n, token in enumerate(tokens) if token[0].isalpha()]
    words = [tokens[n] for n in word_at]
    # Whether punctuation stands right before each word (a new clause).
    breaks = []
    for position, n in enumerate(word_at):
        gap = tokens[n - 1] if n > 0 and position > 0 else ""
        breaks.append(bool(_CLAUSE_BREAK.search(gap)))
    out = list(words)
    agree: Mapping[str, str] | None = None
    for index, word in enumerate(words):
        key = _key(word)
        if word_at[index] in untouched:
            agree = None
            continue
        if agree is not None and key in agree:
            out[index] = agree[key]
            agree = None
            continue
        if agree is not None and key not in turn.adverbs:
            agree = None
        if key in turn.you_words:
            out[index] = _you(words, index, breaks, turn)
            agree = turn.agree_after_i if out[index] == turn.you_subject else None
        elif key in turn.swaps:
            out[index] = turn.swaps[key]
            agree = turn.agree_after_you if key in turn.turned_to_you else None
    for position, n in enumerate(word_at):
        tokens[n] = out[position]
    return "".join(tokens)


def _clause(sentence: str) -> str:
    """A sentence as a clause inside another: no closing full stop, no capital (but "I")."""
    sentence = sentence.rstrip().rstrip(".!?")
    first, _, rest = sentence.partition(" ")
    if first != "I":
        first = first[:1].lower() + first[1:]
    return f"{first} {rest}".strip()


def reflection(draft: Draft, phrasing: Phrasing, turn: Turnaround) -> str:
    """What the listener may send back: the sender's feeling and reason, and their request,
    in the listener's voice ("I hear that you feel ... because ..., and that you'd
    appreciate ... Did I get that right?")."""
    feeling, _, request = compose_sentences(draft, phrasing)
    heard = _clause(turn_around(feeling, turn))
    if request.rstrip().endswith("?"):
        wish = _asked(request.strip(), turn)
    else:
        wish = _clause(turn_around(request, turn))
    # A question said back ends the wish with its own mark: no full stop after it.
    return turn.reflection.format(heard=heard, wish=wish).replace("?”.", "?”")


def whole_reflection(text: str, turn: Turnaround) -> str:
    """A message said back whole, in the listener's voice (one not built from a feeling and a
    request, like a repair message)."""
    heard = turn_around(" ".join(text.split()), turn)
    # A sentence's first word, turned, starts with a capital again ("I appreciate" -> "You").
    heard = re.sub(r"([.!?]\s+)([a-z])", lambda found: found[1] + found[2].upper(), heard)
    first, _, rest = heard.partition(" ")
    if first != "I":
        first = first[:1].lower() + first[1:]
    return turn.reflection_whole.format(heard=f"{first} {rest}".strip())


def _asked(question: str, turn: Turnaround) -> str:
    """A request asked as a question: "Can you hold me tonight?" -> "you would like me to hold
    you tonight"; a question of another shape is said back as asked."""
    words = question.split()
    # The longest opening that is one ("can you and I" before "can you").
    for length in (4, 3, 2):
        who = turn.question_requests.get(" ".join(words[:length]).casefold())
        if who is not None and len(words) > length:
            rest = _clause(turn_around(" ".join(words[length:]), turn))
            return turn.asked_wish.format(who=who, rest=rest)
    return turn.asked.format(question=question)


# The partner id of a copy whose other person deleted their data (/forget).
LEFT = 0


class Role(StrEnum):
    LISTENER = "listener"  # I said back what I heard
    SPEAKER = "speaker"  # my partner said back what they heard


class Understood(StrEnum):
    SENT = "sent"  # waiting for the speaker's answer
    YES = "understood"  # "Yes, that's it"
    NOT_QUITE = "not_quite"


@dataclass(frozen=True)
class Reflection:
    """One person's copy of a reflection: the listener's ("I said back...") or the speaker's
    ("they said back...")."""

    id: int
    role: Role
    partner_id: int
    message_id: int
    attempt: int
    text: str
    status: Understood
    created_at: datetime
    # The listener's copy: the message they heard. Both: the speaker's "not quite" words.
    heard: str = ""
    correction: str = ""


def next_try(tries: int, latest: Understood | None) -> int | None:
    """The number of the listener's next reflection of a message: 1, then one more after each
    "not quite"; None while the last one waits for an answer or was understood (there is
    nothing to say again then)."""
    if latest is not None and latest is not Understood.NOT_QUITE:
        return None
    return tries + 1
