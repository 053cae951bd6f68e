"""Loads content/<locale>/ once and validates it, so a missing text fails at boot, not in a chat."""

from __future__ import annotations

import re
import string
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from bot.core.check import Rule, compile_patterns
from bot.core.compose import Phrasing
from bot.core.draft import Step
from bot.core.practice import Exercise, Kind, Signals, interleaved
from bot.core.reflect import Turnaround
from bot.core.repair import RepairWords
from bot.core.safety import CountryHelp, HelpLine, LineKind, SafetyPatterns
from bot.core.schedule import SpokenTimes
from bot.core.timeparse import TalkDays

# Telegram HTML tags our texts may use.
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "blockquote", "code"})

DAYS_IN_A_WEEK = 7

# The placeholders each text must have; every text not listed here has none.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "start": frozenset({"name"}),
    "help": frozenset({"limit"}),
    "progress": frozenset({"current", "total"}),
    "ask_feeling": frozenset({"progress"}),
    "ask_feeling_more": frozenset({"progress"}),
    "ask_reason": frozenset({"progress", "feeling"}),
    "ask_regulation": frozenset({"progress"}),
    "ask_request": frozenset({"progress"}),
    "faux_feeling": frozenset({"word"}),
    "keep_word_button": frozenset({"word"}),
    "review": frozenset({"message"}),
    "resume_offer": frozenset({"current", "total"}),
    "too_long": frozenset({"limit"}),
    "too_long_message": frozenset({"limit"}),
    "zone_place_button": frozenset({"place", "country", "offset"}),
    "reminders_paused": frozenset({"next"}),
    "when_in_minutes": frozenset({"minutes", "time"}),
    "when_in_minutes_only": frozenset({"minutes"}),
    "when_today": frozenset({"time"}),
    "when_this_evening": frozenset({"time"}),
    "when_tomorrow": frozenset({"time"}),
    "when_weekday": frozenset({"weekday", "time"}),
    "when_date": frozenset({"date", "time"}),
    "history_title": frozenset({"page", "pages"}),
    "history_line": frozenset({"date", "preview"}),
    "history_button": frozenset({"feeling", "reason", "date"}),
    "history_shown": frozenset({"date"}),
    "history_said_back": frozenset({"status"}),
    "export_said_back": frozenset({"status"}),
    "history_heard_line": frozenset({"date", "preview", "status"}),
    "history_heard_button": frozenset({"preview", "date"}),
    "history_said_back_shown": frozenset({"status", "reflection"}),
    "history_heard_shown": frozenset({"date", "heard", "status", "reflection"}),
    "check_finding": frozenset({"part", "title", "words", "explain", "softer"}),
    "safety_self_harm": frozenset({"help"}),
    "safety_danger": frozenset({"help"}),
    "safety_asked": frozenset({"help"}),
    "safety_threatening": frozenset({"help"}),
    "safety_reply_held": frozenset({"name"}),
    "help_emergency": frozenset({"number"}),
    "help_crisis": frozenset({"name", "number"}),
    "help_abuse": frozenset({"name", "number"}),
    "help_directory": frozenset({"name", "note"}),
    "help_extra": frozenset({"note"}),
    "words_so_far": frozenset({"words"}),
    "from_text_journaled": frozenset({"words"}),
    "help_note": frozenset({"note"}),
    "help_where": frozenset({"country"}),
    "help_where_chosen": frozenset({"country"}),
    "plan_cancelled": frozenset({"title"}),
    "help_country_set": frozenset({"country"}),
    "plan_part_line": frozenset({"title", "text"}),
    "plan_edit_button": frozenset({"title"}),
    "plan_ask": frozenset({"question", "current"}),
    "plan_saved": frozenset({"title"}),
    "plan_cleared": frozenset({"title"}),
    "learn_card": frozenset({"title", "body", "current", "total"}),
    "practice_card": frozenset({"current", "total", "task", "shown"}),
    "reminders_weekly": frozenset({"time"}),
    "weekly_set": frozenset({"time", "next"}),
    "week_title": frozenset({"start", "end"}),
    "week_feelings": frozenset({"feelings"}),
    "week_feeling_count": frozenset({"feeling", "count"}),
    "week_messages": frozenset({"written", "sent"}),
    "week_written": frozenset({"written"}),
    "week_own_words": frozenset({"count"}),
    "week_answers": frozenset({"count"}),
    "week_talks": frozenset({"well", "hard"}),
    "week_pattern": frozenset({"feeling", "when"}),
    "week_suggestion": frozenset({"suggestion"}),
    "week_in_the": frozenset({"part"}),
    "week_weekday_part": frozenset({"part"}),
    "week_weekend_part": frozenset({"part"}),
    "practice_hint": frozenset({"hint"}),
    "practice_soft_feeling": frozenset({"feeling"}),
    "practice_other_feeling": frozenset({"examples"}),
    "practice_finding": frozenset({"title", "words", "softer"}),
    "practice_faux": frozenset({"word", "options"}),
    "practice_model": frozenset({"model"}),
    "send_partner_button": frozenset({"name"}),
    "inline_description": frozenset({"date"}),
    "delivered": frozenset({"name"}),
    "delivery_failed": frozenset({"name"}),
    "partner_changed": frozenset({"name"}),
    "already_delivered": frozenset({"name"}),
    "delivery_unsure": frozenset({"name"}),
    "reply_already_sent": frozenset({"name"}),
    "confirm_reply": frozenset({"name", "message"}),
    "confirm_send_button": frozenset({"name"}),
    "reply_kept": frozenset({"name"}),
    "incoming": frozenset({"name", "message"}),
    "reply_thanks": frozenset({"name"}),
    "picked": frozenset({"part", "choice"}),
    "checkin_more_prompt": frozenset({"limit"}),
    "journal_checkin_more": frozenset({"note"}),
    "journal_message": frozenset({"date", "words"}),
    "waiting_care": frozenset({"care"}),
    "come_back_set": frozenset({"next"}),
    "come_back_reminder": frozenset({"name", "about"}),
    "talk_agreed": frozenset({"name", "when"}),
    "talk_agreed_unplaced": frozenset({"name"}),
    "talk_settled": frozenset({"name", "when"}),
    "talk_settled_soon": frozenset({"name", "when"}),
    "talk_reminder": frozenset({"name", "when"}),
    "outcome_later": frozenset({"next"}),
    "talk_for_you": frozenset({"words", "when"}),
    "talk_typed": frozenset({"name", "when"}),
    "quoted": frozenset({"words"}),
    "their_time": frozenset({"when", "name"}),
    "reply_talk": frozenset({"name", "when"}),
    "reply_time": frozenset({"name"}),
    "reply_written": frozenset({"name", "message"}),
    "write_prompt": frozenset({"limit"}),
    "reply_sent": frozenset({"name"}),
    "reply_check": frozenset({"title", "words", "explain", "softer"}),
    "heard_offer": frozenset({"name", "reflection"}),
    "heard_send_button": frozenset({"name"}),
    "heard_skipped": frozenset({"name"}),
    "heard_own_prompt": frozenset({"name", "limit"}),
    "heard_own_preview": frozenset({"name", "reflection"}),
    "heard_sent": frozenset({"name"}),
    "heard_waiting": frozenset({"name"}),
    "heard_already_understood": frozenset({"name"}),
    "heard_correction_preview": frozenset({"name", "words", "check"}),
    "heard_incoming": frozenset({"name", "reflection", "about"}),
    "heard_answer_asked": frozenset({"name", "words"}),
    "heard_understood_speaker": frozenset({"name"}),
    "heard_understood_listener": frozenset({"name"}),
    "heard_not_quite_prompt": frozenset({"name"}),
    "heard_not_quite_words": frozenset({"name", "words", "about"}),
    "heard_not_quite_plain": frozenset({"name", "about"}),
    "heard_correction_sent": frozenset({"name"}),
    "partner_open_invite": frozenset({"date"}),
    "invite_created": frozenset({"link"}),
    "partner_paired": frozenset({"name"}),
    "end_pairing_confirm": frozenset({"name"}),
    "pairing_ended": frozenset({"name"}),
    "pairing_ended_by_partner": frozenset({"name"}),
    "invitation": frozenset({"name"}),
    "accepted": frozenset({"name"}),
    "accepted_inviter": frozenset({"name"}),
    "declined": frozenset({"name"}),
    "declined_inviter": frozenset({"name"}),
    "reminders_zone": frozenset({"zone", "now"}),
    "reminders_daily": frozenset({"time", "days"}),
    "reminders_quiet": frozenset({"start", "end"}),
    "daily_set": frozenset({"time", "days", "next"}),
    "pause_days_button": frozenset({"days"}),
    "paused": frozenset({"next"}),
    "resumed": frozenset({"next"}),
    "zone_choice_button": frozenset({"place", "offset"}),
    "zone_no_clock": frozenset({"time"}),
    "zone_set": frozenset({"zone", "now"}),
    "checkin_saved": frozenset({"feeling"}),
    "journal_checkin": frozenset({"date", "feeling"}),
    "journal_outcome": frozenset({"date", "note"}),
    "send_later_set": frozenset({"next"}),
    "break_set": frozenset({"next"}),
}


class ContentError(ValueError):
    """content/ is missing something or has a mistake; raised at start-up."""


def placeholders(text: str) -> frozenset[str]:
    """The {names} a text uses."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


class _TagChecker(HTMLParser):
    """Finds tags Telegram would reject and tags left open."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing")


def html_problems(text: str) -> list[str]:
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    return checker.problems + [f"<{tag}> is never closed" for tag in checker.open]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Commands(_Strict):
    """Descriptions shown in Telegram's command menu, in menu order."""

    start: str
    compose: str
    history: str
    export: str
    back: str
    cancel: str
    forget: str
    learn: str
    practice: str
    week: str
    partner: str
    reminders: str
    checkin: str
    journal: str
    safety: str
    help: str


class Texts(_Strict):
    """Every sentence the bot says."""

    start: str
    start_button: str
    help: str
    help_resume: str
    from_text_offer: str
    from_text_offer_with_draft: str
    from_text_compose_button: str
    from_text_journal_button: str
    words_so_far: str
    from_text_journaled: str
    outside_flow_question: str
    keep_words_button: str
    draft_waiting: str
    progress: str
    progress_editing: str
    picked: str
    picked_feeling: str
    picked_regulation: str
    picked_request: str
    ask_feeling: str
    ask_feeling_more: str
    ask_reason: str
    ask_regulation: str
    ask_request: str
    faux_feeling: str
    keep_word_button: str
    review: str
    edit_feeling_button: str
    edit_reason_button: str
    edit_regulation_button: str
    edit_request_button: str
    start_over_button: str
    review_typed: str
    done_button: str
    after_done: str
    more_button: str
    fewer_button: str
    back_at_first: str
    back_nothing: str
    cancelled: str
    cancel_nothing: str
    resume_offer: str
    resume_button: str
    start_fresh_button: str
    started_fresh: str
    not_text: str
    empty_text: str
    too_long: str
    edited_message: str
    stale_button: str
    stale_button_here: str
    stale_button_outside: str
    unknown_command: str
    outside_flow: str
    error: str
    draft_gone: str
    database_busy: str
    # An update a replica saved and then died on, handled again: it went through, and the
    # reply that was on its way may not have reached the person.
    went_through: str
    unreadable: str
    saved_not_shown: str
    cancel_awaited: str
    date_format: str
    day_format: str
    when_in_minutes: str
    when_in_minutes_only: str
    when_today: str
    when_this_evening: str
    when_tomorrow: str
    when_weekday: str
    when_date: str
    time_format: str
    when_date_format: str
    weekday_full_names: str
    history_empty: str
    history_title: str
    history_line: str
    history_button: str
    too_long_message: str
    zone_place_button: str
    resume_now_button: str
    start_over_confirm: str
    start_over_yes_button: str
    start_over_no_button: str
    short_date_format: str
    newer_button: str
    older_button: str
    history_shown: str
    history_said_back: str
    history_heard_line: str
    history_heard_button: str
    history_status_sent: str
    history_status_understood: str
    history_status_not_quite: str
    history_status_closed: str
    history_said_back_shown: str
    history_heard_shown: str
    export_intro: str
    export_markdown_title: str
    export_said_back: str
    export_heard_title: str
    forget_confirm: str
    forget_yes_button: str
    forget_no_button: str
    forgotten: str
    forget_kept: str
    part_feeling: str
    part_reason: str
    part_regulation: str
    part_request: str
    check_finding: str
    rewrite_button: str
    keep_button: str
    safety_self_harm: str
    safety_danger: str
    safety_asked: str
    safety_threatening: str
    safety_paused: str
    safety_reply_held: str
    help_emergency: str
    help_emergency_unknown: str
    help_crisis: str
    help_abuse: str
    help_directory: str
    help_extra: str
    help_note: str
    help_where: str
    help_where_chosen: str
    help_where_unknown: str
    help_country_button: str
    help_choose_country: str
    help_country_set: str
    safety_continue_button: str
    safety_continue_hint: str
    safety_plan_button: str
    help_safety_button: str
    plan_title: str
    plan_empty_part: str
    plan_part_line: str
    plan_edit_button: str
    plan_help_button: str
    plan_ask: str
    plan_saved: str
    plan_cleared: str
    plan_clear_button: str
    plan_cancelled: str
    plan_already_clear: str
    plan_part_signs: str
    plan_part_calm: str
    plan_part_people: str
    plan_part_place: str
    plan_ask_signs: str
    plan_ask_calm: str
    plan_ask_people: str
    plan_ask_place: str
    practice_intro: str
    practice_card: str
    practice_task_rewrite: str
    practice_task_request: str
    practice_task_feeling: str
    practice_hint: str
    practice_soft_rewrite: str
    practice_soft_request: str
    practice_soft_feeling: str
    practice_other_feeling: str
    practice_nearly: str
    practice_try_more: str
    practice_has_feeling: str
    practice_no_feeling: str
    practice_has_request: str
    practice_no_request: str
    practice_finding: str
    practice_faux: str
    practice_model: str
    practice_hint_button: str
    practice_show_button: str
    practice_next_button: str
    practice_again_button: str
    practice_stop_button: str
    practice_stopped: str
    practice_draft_waiting: str
    practice_behind: str
    practice_all_done: str
    learn_card: str
    learn_next_button: str
    learn_back_button: str
    share_chat_button: str
    copy_button: str
    send_partner_button: str
    inline_compose_first: str
    inline_description: str
    delivered: str
    delivery_failed: str
    partner_changed: str
    already_delivered: str
    delivery_unsure: str
    reply_already_sent: str
    confirm_reply: str
    confirm_send_button: str
    confirm_keep_button: str
    reply_kept: str
    not_paired: str
    incoming: str
    reply_thanks_button: str
    reply_talk_button: str
    reply_time_button: str
    reply_write_button: str
    talk_when: str
    talk_evening_button: str
    talk_tomorrow_button: str
    talk_weekend_button: str
    talk_custom_button: str
    reply_thanks: str
    reply_talk: str
    reply_time: str
    waiting_care: str
    come_back_ask: str
    come_back_hour_button: str
    come_back_evening_button: str
    come_back_tomorrow_button: str
    come_back_none_button: str
    come_back_set: str
    come_back_none: str
    come_back_done: str
    come_back_reminder: str
    talk_yes_button: str
    talk_other_button: str
    talk_other_prompt: str
    talk_agreed: str
    talk_agreed_unplaced: str
    talk_settled: str
    talk_settled_soon: str
    talk_settled_unplaced: str
    talk_already: str
    no_longer_paired: str
    talk_for_you: str
    talk_typed: str
    quoted: str
    their_time: str
    talk_passed: str
    talk_reminder: str
    reply_written: str
    write_back_button: str
    write_prompt: str
    talk_custom_prompt: str
    reply_sent: str
    reply_check: str
    heard_button: str
    heard_offer: str
    heard_send_button: str
    heard_own_button: str
    heard_skip_button: str
    heard_skipped: str
    heard_own_prompt: str
    heard_own_preview: str
    heard_own_hint: str
    heard_sent: str
    heard_draft_waiting: str
    heard_waiting: str
    heard_already_understood: str
    just_below: str
    heard_correction_preview: str
    heard_partner_gone: str
    heard_incoming: str
    heard_yes_button: str
    heard_no_button: str
    heard_already_answered: str
    heard_understood_speaker: str
    heard_understood_listener: str
    heard_not_quite_prompt: str
    heard_plain_button: str
    heard_not_quite_words: str
    heard_not_quite_plain: str
    heard_again_button: str
    heard_prepared_button: str
    heard_correction_sent: str
    heard_answer_asked: str
    heard_typed_button: str
    partner_none: str
    partner_open_invite: str
    invite_button: str
    new_invite_button: str
    revoke_button: str
    invite_created: str
    share_link_button: str
    share_link_text: str
    invite_revoked: str
    partner_paired: str
    end_pairing_button: str
    end_pairing_confirm: str
    end_pairing_yes_button: str
    end_pairing_no_button: str
    pairing_kept: str
    pairing_ended: str
    pairing_ended_by_partner: str
    pairing_ended_plain: str
    invitation: str
    accept_button: str
    decline_button: str
    accepted: str
    accepted_inviter: str
    declined: str
    declined_inviter: str
    invite_not_found: str
    invite_used: str
    invite_revoked_problem: str
    invite_expired: str
    invite_own: str
    invite_inviter_paired: str
    invite_already_paired: str
    reminders_title: str
    reminders_zone: str
    reminders_zone_unset: str
    reminders_daily: str
    reminders_daily_off: str
    reminders_paused: str
    reminders_held: str
    reminders_quiet: str
    reminders_quiet_none: str
    reminders_weekly: str
    reminders_weekly_off: str
    weekly_on_button: str
    weekly_off_button: str
    weekly_set: str
    weekly_stopped: str
    week_title: str
    week_feelings: str
    week_feeling_count: str
    week_no_feelings: str
    week_messages: str
    week_written: str
    week_own_words: str
    week_how_to_stop: str
    week_answers: str
    week_talks: str
    week_pattern: str
    week_suggestion: str
    week_quiet: str
    week_date_format: str
    week_on_weekdays: str
    week_at_weekends: str
    week_in_the: str
    week_at_night: str
    week_weekday_part: str
    week_weekend_part: str
    week_chart_title: str
    week_chart_other: str
    week_part_morning: str
    week_part_afternoon: str
    week_part_evening: str
    every_day: str
    weekday_names: str
    set_time_button: str
    days_button: str
    quiet_button: str
    zone_button: str
    pause_button: str
    stop_button: str
    resume_button_reminders: str
    ask_daily_time: str
    type_time_button: str
    ask_type_time: str
    bad_time: str
    daily_set: str
    ask_days: str
    days_done_button: str
    no_days: str
    ask_quiet: str
    quiet_none_button: str
    quiet_set: str
    ask_pause: str
    pause_days_button: str
    pause_day_button: str
    paused: str
    stopped: str
    resumed: str
    ask_zone: str
    share_location_button: str
    zone_set: str
    zone_choose: str
    zone_from_clock: str
    zone_unknown: str
    zone_needed: str
    zone_choice_button: str
    zone_no_clock: str
    zone_first: str
    nudges: list[str] = Field(min_length=1)
    nudge_checkin_button: str
    nudge_compose_button: str
    nudge_breathe_button: str
    nudge_snooze_button: str
    nudge_skip_button: str
    snoozed: str
    skipped: str
    breathing: str
    pause_offer: str
    offer_pause_button: str
    offer_time_button: str
    offer_keep_button: str
    kept_going: str
    ask_checkin: str
    checkin_saved: str
    checkin_more_button: str
    checkin_more_prompt: str
    checkin_more_saved: str
    journal_empty: str
    journal_title: str
    journal_checkin: str
    journal_checkin_more: str
    journal_message: str
    journal_outcome: str
    remind_send_button: str
    ask_send_when: str
    in_hour_button: str
    this_evening_button: str
    tomorrow_morning_button: str
    send_later_set: str
    send_now_nudge: str
    outcome_question: str
    outcome_well_button: str
    outcome_hard_button: str
    outcome_write_button: str
    outcome_skip_button: str
    outcome_later_button: str
    outcome_later: str
    outcome_prompt: str
    outcome_well: str
    outcome_hard: str
    outcome_saved: str
    outcome_hard_saved: str
    repair_button: str
    repair_calm: str
    repair_ready_button: str
    repair_ask_part: str
    repair_ask_thanks: str
    repair_ask_again: str
    repair_done: str
    flooded_button: str
    flooded: str
    break_20_button: str
    break_hour_button: str
    break_evening_button: str
    break_tomorrow_button: str
    break_set: str
    ready_to_continue: str
    continue_button: str

    @field_validator("*", mode="before")
    @classmethod
    def _trim(cls, value: Any) -> Any:
        # TOML multi-line strings keep their final line break; chats should not.
        if isinstance(value, list):
            return [item.strip() if isinstance(item, str) else item for item in value]
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _placeholders_and_html_match(self) -> Texts:
        problems: list[str] = []
        for name, text in self.model_dump().items():
            if isinstance(text, list):
                for line in text:
                    problems.extend(f"{name}: {p}" for p in html_problems(line))
                    if placeholders(line):
                        problems.append(f"{name}: has placeholders")
                continue
            if not text:
                problems.append(f"{name}: is empty")
            expected = PLACEHOLDERS.get(name, frozenset())
            found = placeholders(text)
            if found != expected:
                problems.append(
                    f"{name}: placeholders {sorted(found)}, expected {sorted(expected)}"
                )
            problems.extend(f"{name}: {problem}" for problem in html_problems(text))
        for name in ("weekday_names", "weekday_full_names"):
            if len(getattr(self, name).split()) != DAYS_IN_A_WEEK:
                problems.append(f"{name}: needs {DAYS_IN_A_WEEK} names, Monday first")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _no_blanks(words: list[str]) -> list[str]:
    if any(not word.strip() for word in words):
        raise ValueError("has an empty entry")
    return words


class Feelings(_Strict):
    first_page: int = Field(ge=1)
    groups: list[list[str]]
    # Known when typed, not offered as buttons.
    also: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _enough_words(self) -> Feelings:
        words = [word for group in self.groups for word in _no_blanks(group)]
        if len(words) < 16:
            raise ValueError("at least 16 feeling words are needed")
        if self.first_page > len(self.groups):
            raise ValueError("first_page is larger than the number of groups")
        return self

    @property
    def words(self) -> list[str]:
        return [word for group in self.groups for word in group]

    @property
    def known(self) -> list[str]:
        """Every feeling word the bot knows when people type one."""
        return [*self.words, *self.also]


class Suggestions(_Strict):
    suggestions: list[str] = Field(min_length=1)


class Examples(_Strict):
    examples: list[str] = Field(min_length=1)


class ComposerWords(_Strict):
    review_done: list[str]
    feeling_sentence: str
    because: str
    regulation_sentence: str
    regulation_plan_sentence: str
    regulation_thing_sentence: str
    request_ask_sentence: str
    request_not_sentence: str
    request_sentence: str
    request_it_sentence: str
    feeling_prefixes: list[str]
    reason_prefixes: list[str]
    regulation_prefixes: list[str]
    request_prefixes: list[str]
    reason_connectors: list[str]
    connectors_before_someone: list[str]
    someone: list[str]
    regulation_plan_starts: list[str]
    regulation_plan_drop: list[str]
    regulation_thing_starts: list[str]
    always_capitalised: list[str]
    request_ask_starts: list[str]
    request_ask_drop: list[str]
    request_not_starts: list[str]
    request_it_starts: list[str]
    first_person_starts: list[str]
    lowercase_starters: list[str]

    @model_validator(mode="after")
    def _sentences_have_their_parts(self) -> ComposerWords:
        expected = {
            "feeling_sentence": {"feeling", "reason"},
            "regulation_sentence": {"regulation"},
            "regulation_plan_sentence": {"regulation"},
            "regulation_thing_sentence": {"regulation"},
            "request_ask_sentence": {"request"},
            "request_not_sentence": {"request"},
            "request_sentence": {"request"},
            "request_it_sentence": {"request"},
        }
        for name, parts in expected.items():
            if placeholders(getattr(self, name)) != parts:
                raise ValueError(f"{name} must use exactly {sorted(parts)}")
        return self


class ClockWords(_Strict):
    """How people write a time (bot/core/timeparse.py)."""

    filler: list[str]
    quarter_past: list[str] = Field(min_length=1)
    half_past: list[str] = Field(min_length=1)
    quarter_to: list[str] = Field(min_length=1)
    place_filler: list[str]
    talk_today: list[str]
    talk_tomorrow: list[str]
    talk_evening: list[str]
    talk_weekdays: list[list[str]] = Field(min_length=7, max_length=7)
    talk_filler: list[str]


class FirstWordsData(_Strict):
    greetings: list[str] = Field(min_length=1)
    question_starts: list[str] = Field(min_length=1)


class TurnaroundWords(_Strict):
    reflection: str
    reflection_whole: str
    you_subject: str = Field(min_length=1)
    you_object: str = Field(min_length=1)
    you_words: list[str] = Field(min_length=1)
    turned_to_you: list[str] = Field(min_length=1)
    clause_starts: list[str] = Field(min_length=1)
    prepositions: list[str] = Field(min_length=1)
    object_followers: list[str] = Field(min_length=1)
    kept_after: list[str]
    kept_phrases: list[str]
    asked_wish: str
    asked: str
    question_requests: dict[str, str]
    adverbs: list[str]
    swaps: dict[str, str] = Field(min_length=1)
    agree_after_you: dict[str, str]
    agree_after_i: dict[str, str]

    @field_validator("reflection")
    @classmethod
    def _both_places(cls, text: str) -> str:
        if placeholders(text) != {"heard", "wish"}:
            raise ValueError("needs exactly {heard} and {wish}")
        return text

    @field_validator("asked_wish")
    @classmethod
    def _who_and_rest(cls, text: str) -> str:
        if placeholders(text) != {"who", "rest"}:
            raise ValueError("needs exactly {who} and {rest}")
        return text

    @field_validator("asked")
    @classmethod
    def _the_question(cls, text: str) -> str:
        if placeholders(text) != {"question"}:
            raise ValueError("needs exactly {question}")
        return text

    def built(self) -> Turnaround:
        def keys(words: list[str]) -> frozenset[str]:
            return frozenset(word.casefold().replace("’", "'") for word in words)

        return Turnaround(
            swaps={key.casefold(): value for key, value in self.swaps.items()},
            you_subject=self.you_subject,
            you_object=self.you_object,
            you_words=keys(self.you_words),
            clause_starts=keys(self.clause_starts),
            prepositions=keys(self.prepositions),
            object_followers=keys(self.object_followers),
            kept_after=keys(self.kept_after),
            kept_phrases=tuple(self.kept_phrases),
            asked_wish=self.asked_wish,
            asked=self.asked,
            question_requests={
                " ".join(key.casefold().split()): who for key, who in self.question_requests.items()
            },
            agree_after_you=dict(self.agree_after_you),
            agree_after_i=dict(self.agree_after_i),
            adverbs=keys(self.adverbs),
            turned_to_you=keys(self.turned_to_you),
            reflection=self.reflection,
            reflection_whole=self.reflection_whole,
        )


class RepairData(_Strict):
    own_part: str
    thanks: str
    thanks_that: str

    @model_validator(mode="after")
    def _places(self) -> RepairData:
        if placeholders(self.own_part) != {"part"}:
            raise ValueError("repair.own_part needs exactly {part}")
        if placeholders(self.thanks) != {"thanks"} or placeholders(self.thanks_that) != {"thanks"}:
            raise ValueError("repair.thanks and thanks_that need exactly {thanks}")
        return self

    def built(self) -> RepairWords:
        return RepairWords(self.own_part, self.thanks, self.thanks_that)


class Words(_Strict):
    feelings: Feelings
    turnaround: TurnaroundWords
    first_words: FirstWordsData
    faux_feelings: dict[str, list[str]]
    regulation: Suggestions
    request: Examples
    composer: ComposerWords
    clock: ClockWords
    week_suggestions: dict[str, str]
    repair: RepairData
    waiting_care: list[str] = Field(min_length=1)

    @field_validator("week_suggestions")
    @classmethod
    def _a_default(cls, suggestions: dict[str, str]) -> dict[str, str]:
        if "default" not in suggestions:
            raise ValueError("week_suggestions needs a default")
        return suggestions


def _valid_regex(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"pattern {pattern!r} is not a valid regex: {error}") from error
    return patterns


Patterns = Annotated[list[str], AfterValidator(_valid_regex)]


def _checked_html(text: str) -> str:
    """A fixed text (no placeholders) in HTML that Telegram accepts."""
    problems = html_problems(text) + (["has {placeholders}"] if placeholders(text) else [])
    if problems:
        raise ValueError("; ".join(problems))
    return text.strip()


Html = Annotated[str, AfterValidator(_checked_html)]


class CheckRule(_Strict):
    """One rule of the gentle check, with the words the user sees when it matches."""

    name: str = Field(pattern=r"^[a-z_]+$")
    title: Html
    parts: list[Step] = Field(min_length=1)
    patterns: Patterns = Field(min_length=1)
    unless: Patterns = Field(default_factory=list)
    explain: Html
    softer: Html

    def compiled(self, shorthand: dict[str, str]) -> Rule:
        return Rule(
            name=self.name,
            parts=frozenset(self.parts),
            patterns=compile_patterns(self.patterns),
            unless=compile_patterns(self.unless),
            shorthand=shorthand,
        )


# A card must fit one phone screen.
MAX_CARD_LENGTH = 900


class LearnCard(_Strict):
    title: Html
    body: Html = Field(max_length=MAX_CARD_LENGTH)


class Learn(_Strict):
    """The /learn cards, in order."""

    card: list[LearnCard] = Field(min_length=1)


class PracticeSignals(_Strict):
    feeling: Patterns = Field(min_length=1)
    request: Patterns = Field(min_length=1)


class ExerciseData(_Strict):
    kind: Kind
    shown: str = Field(min_length=1)
    hint: str = Field(min_length=1)
    model: str = Field(min_length=1)
    rule: str = ""


class Practice(_Strict):
    """The /practice exercises, in order (content/<locale>/practice.toml)."""

    signals: PracticeSignals
    exercise: list[ExerciseData] = Field(min_length=30)


class Safety(_Strict):
    """Words that point to self-harm, and to danger from someone else (bot/core/safety.py)."""

    self_harm: Patterns = Field(min_length=1)
    danger: Patterns = Field(min_length=1)
    threat_to_reader: Patterns = Field(min_length=1)


# As people dial it: digits and spaces, a leading + only if needed.
_PHONE = re.compile(r"^\+?[0-9][0-9 ]*[0-9]$")


class HelpLineData(_Strict):
    kind: LineKind
    name: str = Field(min_length=1)
    number: str = ""
    note: str = ""
    source: str = Field(pattern=r"^https://")
    verified: bool = False

    @model_validator(mode="after")
    def _number_is_dialable(self) -> HelpLineData:
        if self.kind is not LineKind.DIRECTORY and not _PHONE.match(self.number):
            raise ValueError(f"{self.name}: a number must be digits and spaces")
        return self


class FallbackData(_Strict):
    """For a person whose country is not known: an international directory."""

    lines: list[HelpLineData] = Field(min_length=1)

    def help(self) -> CountryHelp:
        lines = tuple(HelpLine(x.kind, x.name, x.number, x.note) for x in self.lines)
        return CountryHelp("", "", "", lines)


class NationalData(_Strict):
    name: str = Field(min_length=1)
    # The name as a sentence says it, where it differs: "the United Kingdom".
    in_sentence: str = ""
    emergency: str = Field(pattern=r"^[0-9]{2,4}$")
    emergency_note: str = ""
    lines: list[HelpLineData] = Field(min_length=1)

    def help(self, code: str) -> CountryHelp:
        lines = tuple(HelpLine(x.kind, x.name, x.number, x.note) for x in self.lines)
        return CountryHelp(
            code, self.name, self.emergency, lines, self.emergency_note, self.in_sentence
        )

    @model_validator(mode="after")
    def _one_of_each(self) -> NationalData:
        kinds = {line.kind for line in self.lines}
        if not {LineKind.CRISIS, LineKind.ABUSE} <= kinds:
            raise ValueError(f"{self.name}: needs a crisis line and an abuse line")
        return self


class HelpLines(_Strict):
    """content/help_lines.toml: emergency numbers and help lines per country (ISO code)."""

    fallback: FallbackData
    countries: dict[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], NationalData]

    @field_validator("countries")
    @classmethod
    def _enough_countries(cls, countries: dict[str, NationalData]) -> dict[str, NationalData]:
        if len(countries) < 25:
            raise ValueError("at least 25 countries")
        return countries


class Checks(_Strict):
    shorthand: dict[str, str] = Field(default_factory=dict)
    rule: list[CheckRule] = Field(min_length=1)
    safety: Safety

    @model_validator(mode="after")
    def _names_are_unique(self) -> Checks:
        names = [rule.name for rule in self.rule]
        if len(names) != len(set(names)):
            raise ValueError("rule names must be unique")
        return self

    def explained(self, name: str) -> CheckRule:
        return next(rule for rule in self.rule if rule.name == name)


class Content(_Strict):
    """All of one locale's content, validated."""

    commands: Commands
    texts: Texts
    words: Words
    checks: Checks
    learn: Learn
    practice: Practice
    help_lines: HelpLines
    # Patterns are compiled once per load, not per message.
    _phrasing: Phrasing = PrivateAttr()
    _rules: tuple[Rule, ...] = PrivateAttr()
    _safety: SafetyPatterns = PrivateAttr()
    _countries: dict[str, CountryHelp] = PrivateAttr()
    _spoken_times: SpokenTimes = PrivateAttr()
    _talk_days: TalkDays = PrivateAttr()
    _turnaround: Turnaround = PrivateAttr()
    _exercises: tuple[Exercise, ...] = PrivateAttr()
    _signals: Signals = PrivateAttr()
    # Things made from the content once and shared (keyboards), by whoever makes them.
    _built: dict[str, Any] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        words = self.words.composer
        self._phrasing = Phrasing(
            feeling_sentence=words.feeling_sentence,
            because=words.because,
            regulation_sentence=words.regulation_sentence,
            regulation_plan_sentence=words.regulation_plan_sentence,
            regulation_thing_sentence=words.regulation_thing_sentence,
            request_ask_sentence=words.request_ask_sentence,
            request_not_sentence=words.request_not_sentence,
            request_sentence=words.request_sentence,
            request_it_sentence=words.request_it_sentence,
            strip_prefixes={
                Step.FEELING: tuple(words.feeling_prefixes),
                Step.REASON: tuple(words.reason_prefixes),
                Step.REGULATION: tuple(words.regulation_prefixes),
                Step.REQUEST: tuple(words.request_prefixes),
            },
            reason_connectors=tuple(words.reason_connectors),
            connectors_before_someone=tuple(words.connectors_before_someone),
            someone=tuple(words.someone),
            regulation_plan_starts=tuple(words.regulation_plan_starts),
            regulation_plan_drop=tuple(words.regulation_plan_drop),
            regulation_thing_starts=tuple(words.regulation_thing_starts),
            always_capitalised=tuple(words.always_capitalised),
            request_ask_starts=tuple(words.request_ask_starts),
            request_ask_drop=tuple(words.request_ask_drop),
            request_not_starts=tuple(words.request_not_starts),
            request_it_starts=tuple(words.request_it_starts),
            first_person_starts=tuple(words.first_person_starts),
            lowercase_starters=(
                *words.lowercase_starters,
                *self.words.feelings.words,
                *self.words.faux_feelings,
            ),
        )
        self._turnaround = self.words.turnaround.built()
        self._exercises = tuple(
            interleaved(
                [
                    Exercise(item.kind, item.shown, item.hint, item.model, item.rule)
                    for item in self.practice.exercise
                ]
            )
        )
        self._signals = Signals(
            feeling=compile_patterns(self.practice.signals.feeling),
            request=compile_patterns(self.practice.signals.request),
        )
        self._rules = tuple(rule.compiled(self.checks.shorthand) for rule in self.checks.rule)
        self._safety = SafetyPatterns(
            self_harm=compile_patterns(self.checks.safety.self_harm),
            danger=compile_patterns(self.checks.safety.danger),
            threat_to_reader=compile_patterns(self.checks.safety.threat_to_reader),
            shorthand=self.checks.shorthand,
        )
        self._countries = {
            code: country.help(code) for code, country in self.help_lines.countries.items()
        }
        clock = self.words.clock
        self._talk_days = TalkDays(
            tuple(clock.talk_today),
            tuple(clock.talk_tomorrow),
            tuple(clock.talk_evening),
            tuple(tuple(names) for names in clock.talk_weekdays),
            tuple(clock.talk_filler),
        )
        texts = self.texts
        self._spoken_times = SpokenTimes(
            in_minutes=texts.when_in_minutes,
            in_minutes_only=texts.when_in_minutes_only,
            today=texts.when_today,
            this_evening=texts.when_this_evening,
            tomorrow=texts.when_tomorrow,
            weekday=texts.when_weekday,
            date=texts.when_date,
            time_format=texts.time_format,
            date_format=texts.when_date_format,
            weekday_names=tuple(texts.weekday_full_names.split()),
        )

    @property
    def phrasing(self) -> Phrasing:
        return self._phrasing

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    @property
    def spoken_times(self) -> SpokenTimes:
        return self._spoken_times

    @property
    def talk_days(self) -> TalkDays:
        """The day words of a typed time to talk (bot/core/timeparse.py talk_time)."""
        return self._talk_days

    @property
    def turnaround(self) -> Turnaround:
        return self._turnaround

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return self._exercises

    @property
    def signals(self) -> Signals:
        return self._signals

    @model_validator(mode="after")
    def _exercises_name_rules(self) -> Content:
        names = {rule.name for rule in self.checks.rule}
        for item in self.practice.exercise:
            if (item.kind is Kind.REWRITE) != bool(item.rule) or (
                item.rule and item.rule not in names
            ):
                raise ValueError(f"practice: {item.shown!r} needs a rule of checks.toml")
        return self

    @property
    def safety(self) -> SafetyPatterns:
        return self._safety

    @property
    def countries(self) -> dict[str, CountryHelp]:
        """Help lines by country code."""
        return self._countries

    @property
    def fallback_help(self) -> CountryHelp:
        return self.help_lines.fallback.help()

    @property
    def built(self) -> dict[str, Any]:
        """A place to keep what is made from this content once (content never changes)."""
        return self._built


def load_content(content_dir: Path, locale: str) -> Content:
    """Reads and validates content/<locale>/; raises ContentError saying what is wrong."""
    folder = content_dir / locale
    try:
        with (folder / "texts.toml").open("rb") as texts_file:
            texts = tomllib.load(texts_file)
        with (folder / "words.toml").open("rb") as words_file:
            words = tomllib.load(words_file)
        with (folder / "checks.toml").open("rb") as checks_file:
            checks = tomllib.load(checks_file)
        with (folder / "learn.toml").open("rb") as learn_file:
            learn = tomllib.load(learn_file)
        with (folder / "practice.toml").open("rb") as practice_file:
            practice = tomllib.load(practice_file)
        # Numbers are the same in every language: one file beside the locales.
        with (content_dir / "help_lines.toml").open("rb") as lines_file:
            help_lines = tomllib.load(lines_file)
        content = Content.model_validate(
            {
                **texts,
                "words": words,
                "checks": checks,
                "learn": learn,
                "practice": practice,
                "help_lines": help_lines,
            }
        )
    except (OSError, tomllib.TOMLDecodeError, ValueError) as error:
        raise ContentError(f"content/{locale} is not usable: {error}") from error
    return content
