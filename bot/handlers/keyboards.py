"""Inline keyboards built from content/, and the codecs of their buttons (callback_data.py).
Callback data is short and names what it acts on (a step, a message, a person), so a button
from an old message can be recognised as stale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Content
from bot.core.check import Finding
from bot.core.draft import PARTS, Step
from bot.core.schedule import Later
from bot.handlers.callback_data import CallbackData, Key, PersonId

COMPOSE = "compose"
RESUME = "draft:resume"
START_FRESH = "draft:fresh"
FEELINGS_MORE = "feelings:more"
FEELINGS_FIRST = "feelings:first"
FAUX_KEEP = "faux:keep"
# Every button the composer makes; other features' buttons pass through the conversation.
COMPOSER_BUTTONS = r"^(compose$|draft:|pick:|faux:|feelings:|review:|check:|flood$|brk:)"
FLOODED = "flood"
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
SAFETY_CONTINUE = "safety:continue"
SAFETY_SHOW = "safety:show"
PARTNER_INVITE = "partner:invite"
PARTNER_REVOKE = "partner:revoke"
PARTNER_END = "partner:end"
PARTNER_END_YES = "partner:end:yes"
PARTNER_END_NO = "partner:end:no"


@dataclass(frozen=True)
class Pick(CallbackData, prefix="pick"):
    """A suggested feeling, self-care step or request, for the step it was offered at."""

    step: Step
    index: int


@dataclass(frozen=True)
class Faux(CallbackData, prefix="faux"):
    """A feeling that may lie under a faux feeling ("keep my word" is FAUX_KEEP)."""

    index: int


@dataclass(frozen=True)
class Review(CallbackData, prefix="review"):
    action: Literal["done", "over"]


@dataclass(frozen=True)
class ReviewEdit(CallbackData, prefix="review:edit"):
    part: Step


@dataclass(frozen=True)
class CheckAnswer(CallbackData, prefix="check"):
    """Rewrite the part a finding of the gentle check is about, or keep the words."""

    action: Literal["rewrite", "keep"]
    rule: Key
    part: Step


@dataclass(frozen=True)
class Break(CallbackData, prefix="brk"):
    """ "Too upset right now": when to ask again."""

    until: Later


@dataclass(frozen=True)
class HistoryPage(CallbackData, prefix="history:page"):
    page: int


@dataclass(frozen=True)
class HistoryShow(CallbackData, prefix="history:show"):
    message_id: int


@dataclass(frozen=True)
class LearnCard(CallbackData, prefix="learn"):
    index: int


@dataclass(frozen=True)
class InviteAnswer(CallbackData, prefix="pair"):
    """Accept or Decline an invite: the key of the offer made to this person (only its hash
    is stored)."""

    answer: Literal["yes", "no"]
    key: Key


@dataclass(frozen=True)
class SendToPartner(CallbackData, prefix="share:partner"):
    """ "Send to {partner}" under a finished message: which message, and who it is for (their
    user id: pairing ids can come back after a pairing is deleted), so a button made for one
    partner never delivers to the next one."""

    message_id: int
    partner_id: PersonId


@dataclass(frozen=True)
class PartnerAnswer(CallbackData, prefix="reply"):
    """The partner's one-tap answer to a delivered message ("talk" opens the times)."""

    kind: Literal["thanks", "talk", "time", "evening", "tomorrow", "weekend"]
    message_id: int


@dataclass(frozen=True)
class PartnerWrite(CallbackData, prefix="reply"):
    """ "Write a reply" (or "write back"), or "I'll type a time": the next text goes over."""

    kind: Literal["write", "custom"]
    message_id: int


# --- reminders and check-ins -----------------------------------------------------------------

QUIET_NONE = "rm:quiet:none"


@dataclass(frozen=True)
class ZoneChoice(CallbackData, prefix="rm:tz"):
    zone: Key


@dataclass(frozen=True)
class DailyTime(CallbackData, prefix="rm:at"):
    at: time


@dataclass(frozen=True)
class ToggleDay(CallbackData, prefix="rm:day"):
    day: int  # ISO weekday, Monday = 1


@dataclass(frozen=True)
class QuietChoice(CallbackData, prefix="rm:quiet"):
    start: time
    end: time


@dataclass(frozen=True)
class Pause(CallbackData, prefix="rm:pause"):
    days: int


@dataclass(frozen=True)
class CheckinFeeling(CallbackData, prefix="ci"):
    index: int


@dataclass(frozen=True)
class AskSendWhen(CallbackData, prefix="fu:ask"):
    """ "Remind me to send it" under a finished message."""

    message_id: int


@dataclass(frozen=True)
class SendWhen(CallbackData, prefix="fu"):
    when: Literal["hour", "evening", "morning", "type"]
    message_id: int


@dataclass(frozen=True)
class Outcome(CallbackData, prefix="oc"):
    """How the talk about a message went."""

    how: Literal["well", "hard", "write", "skip"]
    message_id: int


def grid(*rows: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """A keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def start_keyboard(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(content.texts.start_button, callback_data=COMPOSE)]]
    )


def resume_keyboard(content: Content) -> InlineKeyboardMarkup:
    texts = content.texts
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.resume_button, callback_data=RESUME)],
            [InlineKeyboardButton(texts.start_fresh_button, callback_data=START_FRESH)],
        ]
    )


def feelings_keyboard(content: Content, more: bool) -> InlineKeyboardMarkup:
    feelings = content.words.feelings
    words = feelings.words
    first_count = sum(len(group) for group in feelings.groups[: feelings.first_page])
    indexes = range(first_count, len(words)) if more else range(first_count)
    rows = _rows(
        [
            InlineKeyboardButton(words[i], callback_data=Pick(Step.FEELING, i).pack())
            for i in indexes
        ],
        4,
    )
    if more:
        rows.append(
            [InlineKeyboardButton(content.texts.fewer_button, callback_data=FEELINGS_FIRST)]
        )
    elif first_count < len(words):
        rows.append([InlineKeyboardButton(content.texts.more_button, callback_data=FEELINGS_MORE)])
    rows.append(_flooded_row(content))
    return InlineKeyboardMarkup(rows)


def choices(content: Content, step: Step) -> list[str]:
    """The suggestions offered as buttons at a step ([] where there are none)."""
    if step is Step.FEELING:
        return content.words.feelings.words
    if step is Step.REGULATION:
        return content.words.regulation.suggestions
    if step is Step.REQUEST:
        return content.words.request.examples
    return []


def suggestions_keyboard(content: Content, step: Step) -> InlineKeyboardMarkup:
    """The step's suggestions, and a way out for when it is all too much right now. Built once
    per step: every question of the composer carries one (keyboards are immutable)."""
    key = f"suggestions:{step.value}"
    if key not in content.built:
        content.built[key] = _suggestions_keyboard(content, step)
    markup = content.built[key]
    assert isinstance(markup, InlineKeyboardMarkup)
    return markup


def _suggestions_keyboard(content: Content, step: Step) -> InlineKeyboardMarkup:
    if step is Step.FEELING:
        return feelings_keyboard(content, more=False)
    width = 2 if step is Step.REGULATION else 1
    words = choices(content, step)
    rows = _rows(
        [InlineKeyboardButton(w, callback_data=Pick(step, i).pack()) for i, w in enumerate(words)],
        width,
    )
    return InlineKeyboardMarkup([*rows, _flooded_row(content)])


def _flooded_row(content: Content) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(content.texts.flooded_button, callback_data=FLOODED)]


def faux_keyboard(content: Content, word: str, suggestions: Sequence[str]) -> InlineKeyboardMarkup:
    rows = _rows(
        [InlineKeyboardButton(s, callback_data=Faux(i).pack()) for i, s in enumerate(suggestions)],
        3,
    )
    keep = content.texts.keep_word_button.format(word=word)
    rows.append([InlineKeyboardButton(keep, callback_data=FAUX_KEEP)])
    return InlineKeyboardMarkup(rows)


def review_keyboard(content: Content) -> InlineKeyboardMarkup:
    texts = content.texts
    labels = {
        Step.FEELING: texts.edit_feeling_button,
        Step.REASON: texts.edit_reason_button,
        Step.REGULATION: texts.edit_regulation_button,
        Step.REQUEST: texts.edit_request_button,
    }
    edits = [
        InlineKeyboardButton(labels[step], callback_data=ReviewEdit(step).pack()) for step in PARTS
    ]
    return InlineKeyboardMarkup(
        [
            *_rows(edits, 2),
            [
                InlineKeyboardButton(texts.start_over_button, callback_data=Review("over").pack()),
                InlineKeyboardButton(texts.done_button, callback_data=Review("done").pack()),
            ],
        ]
    )


def part_name(content: Content, step: Step) -> str:
    texts = content.texts
    names = {
        Step.FEELING: texts.part_feeling,
        Step.REASON: texts.part_reason,
        Step.REGULATION: texts.part_regulation,
        Step.REQUEST: texts.part_request,
    }
    return names[step]


def finding_keyboard(content: Content, finding: Finding) -> InlineKeyboardMarkup:
    texts = content.texts
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.rewrite_button,
                    callback_data=CheckAnswer("rewrite", Key(finding.rule), finding.step).pack(),
                ),
                InlineKeyboardButton(
                    texts.keep_button,
                    callback_data=CheckAnswer("keep", Key(finding.rule), finding.step).pack(),
                ),
            ]
        ]
    )


def help_keyboard(content: Content) -> InlineKeyboardMarkup:
    label = content.texts.help_safety_button
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=SAFETY_SHOW)]])
