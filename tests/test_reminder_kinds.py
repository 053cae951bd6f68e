"""The rules each kind of reminder follows, in one place."""

from __future__ import annotations

from bot.core.reminder_kinds import RULES, KindRules, ReminderKind, rules_for


def test_every_kind_has_rules_and_only_the_daily_and_weekly_ones_recur() -> None:
    assert set(RULES) == set(ReminderKind)
    recurring = [kind for kind in ReminderKind if rules_for(kind).recurs]
    assert recurring == [ReminderKind.CHECKIN, ReminderKind.WEEKLY]
    # The weekly reflection is no nudge: it never counts as unanswered, nor waits on one.
    weekly = rules_for(ReminderKind.WEEKLY)
    assert not weekly.counts_unanswered and not weekly.not_after_checkin
    assert rules_for("notice").late_is_fine and not rules_for("outcome").late_is_fine


def test_a_kind_from_a_newer_version_is_sent_once() -> None:
    assert rules_for("weekly_reflection") == KindRules()
