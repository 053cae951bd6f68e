"""Words typed with nothing asked (before /compose): a greeting, a question about the bot, or
words worth keeping, and how kept words add up until the person says what to do with them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

# Kept words, all together, at most this long: the oldest lines give way first.
MAX_KEPT_LENGTH = 1000
_PLAIN = re.compile(r"[^\w\s']+")


class FirstWords(StrEnum):
    GREETING = "greeting"  # "hi", "thanks": a pointer to /compose
    QUESTION = "question"  # "how does this work?": a pointer to /help
    KEEP = "keep"  # anything else, even one word or an emoji: kept, with an offer


def kind_of(text: str, greetings: Iterable[str], question_starts: Iterable[str]) -> FirstWords:
    plain = " ".join(_PLAIN.sub(" ", text.casefold()).split())
    if plain in {greeting.casefold() for greeting in greetings}:
        return FirstWords.GREETING
    if text.strip().endswith("?") and plain.startswith(
        tuple(q.casefold() for q in question_starts)
    ):
        return FirstWords.QUESTION
    return FirstWords.KEEP


def keep_more(kept: str | None, text: str, limit: int = MAX_KEPT_LENGTH) -> str:
    """The words kept so far, with `text` added on a new line; over `limit`, the oldest lines
    give way (a single text longer than `limit` is cut at its end)."""
    lines = [*(kept.splitlines() if kept else []), text.strip()]
    while len(lines) > 1 and len("\n".join(lines)) > limit:
        lines.pop(0)
    return "\n".join(lines)[:limit]
