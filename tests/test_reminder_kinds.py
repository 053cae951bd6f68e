"""The rules each kind of reminder follows, in one place."""

from __future__ import annotations

from bot.core.reminder_kinds import RULES, KindRules, ReminderKind, rules_for


def test_every_kind_has_rules_and_only_the_daily_check_in_recurs() -> None:
    assert set(RULES) == set(ReminderKind)
    assert [kind for kind in ReminderKind if rules_for(kind).recurs] == [ReminderKind.CHECKIN]
    assert rules_for("notice").late_is_fine and not rules_for("outcome").late_is_fine


def test_a_kind_from_a_newer_version_is_sent_once() -> None:
    assert rules_for("weekly_reflection") == KindRules()
