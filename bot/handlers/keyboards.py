"""Inline keyboards built from content/. Callback data is short and says which step it is for,
so a button from an old message can be recognised as stale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Content
from bot.core.check import Finding
from bot.core.draft import PARTS, Step

COMPOSE = "compose"
RESUME = "draft:resume"
START_FRESH = "draft:fresh"
FEELINGS_MORE = "feelings:more"
FEELINGS_FIRST = "feelings:first"
FAUX_KEEP = "faux:keep"
REVIEW_DONE = "review:done"
REVIEW_OVER = "review:over"
# A database id or a small number in callback data. Ids are 32-bit integers: anything longer
# was never made by the bot (and would overflow the database's integer).
ID = r"\d{1,9}"
# A time of day as the buttons carry it: "HHMM".
HHMM = r"(?:[01]\d|2[0-3])[0-5]\d"
# Every button the composer makes; other features' buttons pass through the conversation.
COMPOSER_BUTTONS = r"^(compose$|draft:|pick:|faux:|feelings:|review:|check:|flood$|brk:)"
FLOODED = "flood"
HISTORY_PAGE = "history:page:"
HISTORY_SHOW = "history:show:"
FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
SAFETY_CONTINUE = "safety:continue"
SAFETY_SHOW = "safety:show"
LEARN = "learn:"
PARTNER_INVITE = "partner:invite"
PARTNER_REVOKE = "partner:revoke"
PARTNER_END = "partner:end"
PARTNER_END_YES = "partner:end:yes"
PARTNER_END_NO = "partner:end:no"
PAIR_ACCEPT = "pair:yes:"
PAIR_DECLINE = "pair:no:"


@dataclass(frozen=True)
class SendToPartner:
    """ "Send to {partner}" under a finished message: which message, and who it is for (their
    user id: pairing ids can come back after a pairing is deleted), so a button made for one
    partner never delivers to the next one."""

    message_id: int
    partner_id: int

    PREFIX: ClassVar[str] = "share:partner:"
    PATTERN: ClassVar[str] = rf"^share:partner:{ID}:\d{{1,18}}$"

    def pack(self) -> str:
        return f"{self.PREFIX}{self.message_id}:{self.partner_id}"

    @classmethod
    def parse(cls, data: str) -> SendToPartner:
        """For data that matched PATTERN (the handler's filter)."""
        message_id, partner_id = data.removeprefix(cls.PREFIX).split(":")
        return cls(int(message_id), int(partner_id))


def reply_data(kind: str, message_id: int) -> str:
    """A partner's answer to a delivered message."""
    return f"reply:{kind}:{message_id}"


def pick(step: Step, index: int) -> str:
    return f"pick:{step.value}:{index}"


def faux(index: int) -> str:
    return f"faux:{index}"


def review_edit(step: Step) -> str:
    return f"review:edit:{step.value}"


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
        [InlineKeyboardButton(words[i], callback_data=pick(Step.FEELING, i)) for i in indexes], 4
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
        [InlineKeyboardButton(w, callback_data=pick(step, i)) for i, w in enumerate(words)],
        width,
    )
    return InlineKeyboardMarkup([*rows, _flooded_row(content)])


def _flooded_row(content: Content) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(content.texts.flooded_button, callback_data=FLOODED)]


def faux_keyboard(content: Content, word: str, suggestions: Sequence[str]) -> InlineKeyboardMarkup:
    rows = _rows(
        [InlineKeyboardButton(s, callback_data=faux(i)) for i, s in enumerate(suggestions)], 3
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
    edits = [InlineKeyboardButton(labels[step], callback_data=review_edit(step)) for step in PARTS]
    return InlineKeyboardMarkup(
        [
            *_rows(edits, 2),
            [
                InlineKeyboardButton(texts.start_over_button, callback_data=REVIEW_OVER),
                InlineKeyboardButton(texts.done_button, callback_data=REVIEW_DONE),
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
                    texts.rewrite_button, callback_data=f"check:rewrite:{finding.key}"
                ),
                InlineKeyboardButton(texts.keep_button, callback_data=f"check:keep:{finding.key}"),
            ]
        ]
    )


def help_keyboard(content: Content) -> InlineKeyboardMarkup:
    label = content.texts.help_safety_button
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=SAFETY_SHOW)]])
