"""The safety path's decisions, in plain Python: what a text points to, which help lines fit a
person, and their private safety plan.

Patterns and help lines are data (content/<locale>/checks.toml, content/help_lines.toml). A
text is matched the way the gentle check matches it (bot/core/check.py: any case, apostrophes
or none, text-speak spelled out). Errs on the side of care: a rare extra offer of support is
better than a missed one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.core.check import normalise
from bot.core.conversation import Expecting


class Concern(StrEnum):
    """Why the bot stopped to offer support; each gets its own words."""

    SELF_HARM = "self_harm"  # thoughts of not being alive, of hurting oneself
    DANGER = "danger"  # fear of a partner, violence, threats, control
    THREATENING = "threatening"  # a message to the partner that threatens them
    ASKED = "asked"  # the person tapped for help; nothing was written


@dataclass(frozen=True)
class SafetyPatterns:
    self_harm: tuple[re.Pattern[str], ...]
    danger: tuple[re.Pattern[str], ...]
    # Threats aimed at the reader ("you're dead when I get home"): in a message to the partner,
    # the writer is the one threatening; anywhere else they are reported danger.
    threat_to_reader: tuple[re.Pattern[str], ...] = ()
    shorthand: Mapping[str, str] = field(default_factory=dict)

    def concern(self, text: str, to_partner: bool = False) -> Concern | None:
        """What the words point to, or None. Self-harm first: it needs the crisis line.
        `to_partner`: the text is a message for the partner (a reply, a time to talk)."""
        plain = normalise(text, self.shorthand)
        if any(pattern.search(plain) for pattern in self.self_harm):
            return Concern.SELF_HARM
        threatens = any(pattern.search(plain) for pattern in self.threat_to_reader)
        if threatens and to_partner:
            return Concern.THREATENING
        if threatens or any(pattern.search(plain) for pattern in self.danger):
            return Concern.DANGER
        return None


class LineKind(StrEnum):
    CRISIS = "crisis"
    ABUSE = "abuse"
    DIRECTORY = "directory"


@dataclass(frozen=True)
class HelpLine:
    kind: LineKind
    name: str
    number: str = ""
    note: str = ""


@dataclass(frozen=True)
class CountryHelp:
    """One country's emergency number and lines (code "" for the fallback)."""

    code: str
    name: str
    emergency: str  # "" when not known (the fallback)
    lines: tuple[HelpLine, ...]
    emergency_note: str = ""  # other numbers: "police 110"
    in_sentence: str = ""  # "the United Kingdom", where a sentence needs more than the name

    @property
    def named(self) -> str:
        """The country as a sentence names it."""
        return self.in_sentence or self.name

    def of_kind(self, kind: LineKind) -> tuple[HelpLine, ...]:
        return tuple(line for line in self.lines if line.kind is kind)


def help_for(
    country: str | None,
    countries: Mapping[str, CountryHelp],
    fallback: CountryHelp,
    extra: Sequence[HelpLine] = (),
) -> CountryHelp:
    """The help for the person's country, or the fallback; with the operator's extra lines."""
    found = countries.get((country or "").upper(), fallback)
    return replace(found, lines=found.lines + tuple(extra)) if extra else found


def country_of_zone(zone: str | None, zone_countries: Mapping[str, str]) -> str | None:
    """The country a time zone belongs to (Europe/Berlin -> DE); None for UTC, offsets and
    zones shared by no single country."""
    return zone_countries.get(zone or "")


class PlanPart(StrEnum):
    """The parts of a personal safety plan, in the order they are shown."""

    WARNING_SIGNS = "signs"  # what tells me things are getting unsafe
    CALMING = "calm"  # what I can do that settles me
    PEOPLE = "people"  # who I can call
    SAFE_PLACE = "place"  # where I can go


PLAN_PARTS = tuple(PlanPart)
# A part of the plan may hold a list of people and numbers: more room than a message's part.
MAX_PLAN_PART_LENGTH = 1000
# The question that asks for each part (what a typed text then answers).
PLAN_QUESTIONS = {
    Expecting.PLAN_SIGNS: PlanPart.WARNING_SIGNS,
    Expecting.PLAN_CALM: PlanPart.CALMING,
    Expecting.PLAN_PEOPLE: PlanPart.PEOPLE,
    Expecting.PLAN_PLACE: PlanPart.SAFE_PLACE,
}


@dataclass(frozen=True)
class SafetyPlan:
    parts: Mapping[PlanPart, str] = field(default_factory=dict)

    def part(self, part: PlanPart) -> str:
        return self.parts.get(part, "")

    def with_part(self, part: PlanPart, text: str) -> SafetyPlan:
        return SafetyPlan({**self.parts, part: text.strip()})

    @property
    def empty(self) -> bool:
        return not any(text for text in self.parts.values())
