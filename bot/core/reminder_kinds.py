"""The kinds of reminder the dispatcher sends, and the rules each one follows. Rendering lives
in the features' views (bot/reminders/sender.py picks them by kind)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReminderKind(StrEnum):
    CHECKIN = "checkin"  # the daily nudge
    SEND_LATER = "send_later"  # "send it at a calm moment"
    OUTCOME = "outcome"  # "how did it go?" the evening after
    CONTINUE = "continue"  # "ready to continue?" after a break
    NOTICE = "notice"  # what another person did (accepted, ended the pairing): the outbox
    WEEKLY = "weekly"  # the weekly reflection, opt-in, at the person's time
    COME_BACK = "come_back"  # "I need a little time": when the partner chose to come back
    TALK = "talk"  # shortly before a talk both partners agreed on


@dataclass(frozen=True)
class KindRules:
    # Comes again (at the person's daily time); a one-shot is done once sent.
    recurs: bool = False
    # Sent however late the bot is; anything else is missed after the grace window.
    late_is_fine: bool = False
    # Not needed on a day the person already checked in.
    not_after_checkin: bool = False
    # Counts towards "three unanswered in a row": then one offer to pause, and silence.
    counts_unanswered: bool = False


RULES: dict[ReminderKind, KindRules] = {
    ReminderKind.CHECKIN: KindRules(recurs=True, not_after_checkin=True, counts_unanswered=True),
    ReminderKind.SEND_LATER: KindRules(),
    ReminderKind.OUTCOME: KindRules(),
    ReminderKind.CONTINUE: KindRules(),
    ReminderKind.NOTICE: KindRules(late_is_fine=True),
    ReminderKind.WEEKLY: KindRules(recurs=True),
    ReminderKind.COME_BACK: KindRules(),
    ReminderKind.TALK: KindRules(),
}


def rules_for(kind: str) -> KindRules:
    """The rules of a stored kind; an unknown one (written by a newer version) is a one-shot."""
    try:
        return RULES[ReminderKind(kind)]
    except ValueError:
        return KindRules()
