"""Repair, for the moment after a talk went badly: a short message that owns one's part, names
an appreciation, and asks to try again, built like a soft start-up from three answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from bot.core.compose import Phrasing, compose_sentences
from bot.core.draft import Draft

_FIRST_PERSON = re.compile(r"^(i|i'm|im|i've|ive|i'd|id|i'll|ill|my|me)\b", re.IGNORECASE)
_YOU = re.compile(r"^(you|you're|youre|you've|youve|u|ur)\b", re.IGNORECASE)


class RepairStep(IntEnum):
    PART = 1  # one's own part in how it went
    THANKS = 2  # an appreciation, even now
    AGAIN = 3  # a request to try again


@dataclass(frozen=True)
class RepairWords:
    """The sentences a repair message is built from (content: words.toml [repair])."""

    own_part: str  # "I know {part}, and I'm sorry."
    thanks: str  # "I appreciate {thanks}."
    thanks_that: str  # "I appreciate that {thanks}." (for "you stayed")


def _plain(text: str) -> str:
    return " ".join(text.split()).rstrip(" .!?,;")


def _first_person(part: str) -> str:
    """ "raised my voice" -> "I raised my voice"; "I raised my voice" stays; "i" is "I"."""
    if _FIRST_PERSON.match(part):
        return re.sub(r"^i\b", "I", part)
    return f"I {part}"


def compose_repair(
    part: str, thanks: str, again: str, words: RepairWords, phrasing: Phrasing
) -> str:
    """The repair message: "I know I raised my voice, and I'm sorry. I appreciate that you
    stayed. I would appreciate it if we could try again tomorrow after dinner." """
    own = words.own_part.format(part=_first_person(_plain(part)))
    thanked = _plain(thanks)
    template = words.thanks_that if _YOU.match(thanked) else words.thanks
    thanks_sentence = template.format(thanks=thanked)
    # The request, turned into a sentence as the composer turns one.
    request = compose_sentences(Draft("x", "x", "x", again), phrasing)[2]
    return f"{own} {thanks_sentence} {request}"
