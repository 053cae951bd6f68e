"""The composer's keyboards and the codecs of their buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Content
from bot.core.check import Finding
from bot.core.draft import PARTS, Step
from bot.core.schedule import Later
from bot.handlers.callback_data import CallbackData, Key
from bot.handlers.keyboards import grid, rows_of

COMPOSE = "compose"
RESUME = "draft:resume"
START_FRESH = "draft:fresh"
FEELINGS_MORE = "feelings:more"
FEELINGS_FIRST = "feelings:first"
FAUX_KEEP = "faux:keep"
FLOODED = "flood"


@dataclass(frozen=True)
class Pick(CallbackData, prefix="pick"):
    """A suggested feeling, self-care step or request, for the step it was offered at."""

    step: Step
    index: int


@dataclass(frozen=True)
class KeepWords(CallbackData, prefix="keepwords"):
    """Keep the words already in this part (typed before /compose) as its answer."""

    step: Step


@dataclass(frozen=True)
class FromText(CallbackData, prefix="fromtext"):
    """A text typed with nothing asked: start a soft start-up with it, or journal it."""

    action: Literal["compose", "journal"]


FROM_TEXT_COMPOSE = f"^{FromText('compose').pack()}$"
FROM_TEXT_JOURNAL = f"^{FromText('journal').pack()}$"


@dataclass(frozen=True)
class Faux(CallbackData, prefix="faux"):
    """A feeling that may lie under a faux feeling ("keep my word" is FAUX_KEEP)."""

    index: int


@dataclass(frozen=True)
class Review(CallbackData, prefix="review"):
    # "over" asks first; "wipe" (yes, start over) and "keep" answer that question.
    action: Literal["done", "over", "wipe", "keep"]


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


def _composer_buttons() -> str:
    """A pattern for every button the composer makes (an old one is answered inside the
    conversation); other features' buttons pass through it. Built from the codecs and
    constants above, so a new kind of composer button cannot be forgotten here."""
    codecs: list[type[CallbackData]] = [Pick, Faux, Review, ReviewEdit, CheckAnswer, Break]
    exact = [COMPOSE, FLOODED]
    # The draft's and the feelings pages' buttons, whatever comes after their prefix.
    families = {RESUME, START_FRESH, FEELINGS_MORE, FEELINGS_FIRST, FAUX_KEEP}
    prefixes = {data.split(":")[0] for data in families} | {codec.prefix for codec in codecs}
    prefixes_re = [f"{re.escape(prefix)}:" for prefix in sorted(prefixes)]
    return "^(" + "|".join([*(f"{re.escape(data)}$" for data in exact), *prefixes_re]) + ")"


COMPOSER_BUTTONS = _composer_buttons()


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
    rows = rows_of(
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
    rows = rows_of(
        [InlineKeyboardButton(w, callback_data=Pick(step, i).pack()) for i, w in enumerate(words)],
        width,
    )
    return InlineKeyboardMarkup([*rows, _flooded_row(content)])


def with_kept_words(
    content: Content, step: Step, markup: InlineKeyboardMarkup
) -> InlineKeyboardMarkup:
    """The question's keyboard with "keep these words" on top, for a part already written."""
    keep = InlineKeyboardButton(
        content.texts.keep_words_button, callback_data=KeepWords(step).pack()
    )
    return InlineKeyboardMarkup([[keep], *markup.inline_keyboard])


def from_text_keyboard(content: Content, can_compose: bool) -> InlineKeyboardMarkup:
    texts = content.texts
    rows = [[(texts.from_text_journal_button, FromText("journal").pack())]]
    if can_compose:
        rows.insert(0, [(texts.from_text_compose_button, FromText("compose").pack())])
    return grid(*rows)


def _flooded_row(content: Content) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(content.texts.flooded_button, callback_data=FLOODED)]


def faux_keyboard(content: Content, word: str, suggestions: Sequence[str]) -> InlineKeyboardMarkup:
    rows = rows_of(
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
    # Done on its own row, and Start over far from it: a slip must not wipe the draft.
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.done_button, callback_data=Review("done").pack())],
            *rows_of(edits, 2),
            [InlineKeyboardButton(texts.start_over_button, callback_data=Review("over").pack())],
        ]
    )


def start_over_question(content: Content) -> tuple[str, InlineKeyboardMarkup]:
    """ "Start over?": it clears the answers, so it asks first."""
    texts = content.texts
    wipe = InlineKeyboardButton(texts.start_over_yes_button, callback_data=Review("wipe").pack())
    keep = InlineKeyboardButton(texts.start_over_no_button, callback_data=Review("keep").pack())
    return texts.start_over_confirm, InlineKeyboardMarkup([[wipe], [keep]])


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


def ready_to_continue(content: Content) -> tuple[str, InlineKeyboardMarkup]:
    """After a break: "ready to continue?" with the draft one tap away."""
    texts = content.texts
    button = InlineKeyboardButton(texts.continue_button, callback_data=RESUME)
    return texts.ready_to_continue, InlineKeyboardMarkup([[button]])
