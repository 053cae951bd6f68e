"""The Soft Start-Up draft: four parts asked one at a time, then a review."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    """Where a draft is in the conversation; the values are stored in the database."""

    FEELING = "feeling"
    REASON = "reason"
    REGULATION = "regulation"
    REQUEST = "request"
    REVIEW = "review"


PARTS: tuple[Step, ...] = (Step.FEELING, Step.REASON, Step.REGULATION, Step.REQUEST)

# Long enough for a few honest sentences, short enough that four parts and the bot's framing
# stay well under Telegram's 4,096 UTF-16 units even if every character is an emoji.
MAX_PART_LENGTH = 400


class PartProblem(StrEnum):
    """Why an answer cannot be used as it is."""

    EMPTY = "empty"
    TOO_LONG = "too_long"


# Characters that show nothing on their own: spaces, zero-width and direction marks (Cf),
# control characters, and marks that only combine with a letter before them.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Mn", "Me"})


def part_problem(text: str, limit: int = MAX_PART_LENGTH) -> PartProblem | None:
    """Says what is wrong with an answer, or None when it can be used."""
    stripped = text.strip()
    if all(unicodedata.category(char) in _INVISIBLE for char in stripped):
        return PartProblem.EMPTY
    if len(stripped) > limit:
        return PartProblem.TOO_LONG
    return None


@dataclass(frozen=True)
class Draft:
    """One soft start-up in the making. Immutable: every change returns a new draft."""

    feeling: str = ""
    reason: str = ""
    regulation: str = ""
    request: str = ""
    step: Step = Step.FEELING
    # True while the user fixes one part from REVIEW: the next answer goes back to REVIEW.
    editing: bool = False
    # Findings of the gentle check the user chose to keep ("rule:part"); see core/check.py.
    kept: frozenset[str] = frozenset()

    def part(self, step: Step) -> str:
        """The user's answer for one part ("" if not given yet)."""
        return str(getattr(self, step.value))

    def with_part(self, step: Step, text: str) -> Draft:
        """The draft with one part set, staying at the same step. A changed part is checked
        afresh, so findings kept for its old words are dropped."""
        if step not in PARTS:
            raise ValueError(f"{step} is not a part")
        kept = frozenset(key for key in self.kept if not key.endswith(f":{step.value}"))
        changes: dict[str, Any] = {step.value: text.strip(), "kept": kept}
        return replace(self, **changes)

    def keep(self, finding_key: str) -> Draft:
        """Remembers that the user keeps their words despite a finding."""
        return replace(self, kept=self.kept | {finding_key})

    def advance(self) -> Draft:
        """Moves on after the current part was answered."""
        if self.editing or self.step is Step.REQUEST:
            return replace(self, step=Step.REVIEW, editing=False)
        if self.step is Step.REVIEW:
            return self
        return replace(self, step=PARTS[PARTS.index(self.step) + 1])

    def answer(self, text: str) -> Draft:
        """Sets the current part and moves on."""
        return self.with_part(self.step, text).advance()

    def back(self) -> Draft:
        """One step back; the first step stays where it is."""
        if self.step is Step.REVIEW:
            return replace(self, step=Step.REQUEST, editing=False)
        index = PARTS.index(self.step)
        return replace(self, step=PARTS[max(index - 1, 0)], editing=False)

    def edit(self, step: Step) -> Draft:
        """Reopens one part from REVIEW."""
        if step not in PARTS:
            raise ValueError(f"{step} is not a part")
        return replace(self, step=step, editing=True)

    @property
    def is_first_step(self) -> bool:
        return self.step is Step.FEELING

    @property
    def is_empty(self) -> bool:
        return not any(self.part(step) for step in PARTS)

    @property
    def progress(self) -> tuple[int, int]:
        """(current, total) for "Step 2 of 4"; REVIEW counts as done."""
        if self.step is Step.REVIEW:
            return len(PARTS), len(PARTS)
        return PARTS.index(self.step) + 1, len(PARTS)
