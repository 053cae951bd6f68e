"""/practice: button codecs, keyboards, and the words of the feedback."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.content import Content
from bot.core.practice import Exercise, Kind, Reading
from bot.handlers.callback_data import CallbackData
from bot.handlers.keyboards import grid

# How many feelings an unknown answer is shown as examples.
EXAMPLES = 6


@dataclass(frozen=True)
class PracticeGo(CallbackData, prefix="practice:go"):
    """ "Next ›" or "Try this one again": show exercise `index` (past the last: round again)."""

    index: int


@dataclass(frozen=True)
class PracticeHint(CallbackData, prefix="practice:hint"):
    index: int


@dataclass(frozen=True)
class PracticeShow(CallbackData, prefix="practice:show"):
    """ "Show me one way": the model answer, without answering."""

    index: int


@dataclass(frozen=True)
class PracticeStop(CallbackData, prefix="practice:stop"):
    index: int


def card(content: Content, index: int) -> str:
    texts, exercise = content.texts, content.exercises[index]
    task = {
        Kind.REWRITE: texts.practice_task_rewrite,
        Kind.REQUEST: texts.practice_task_request,
        Kind.FEELING: texts.practice_task_feeling,
    }[exercise.kind]
    return texts.practice_card.format(
        current=index + 1,
        total=len(content.exercises),
        task=task,
        shown=html.escape(exercise.shown, quote=False),
    )


def card_keyboard(content: Content, index: int) -> InlineKeyboardMarkup:
    texts = content.texts
    return grid(
        [
            (texts.practice_hint_button, PracticeHint(index).pack()),
            (texts.practice_show_button, PracticeShow(index).pack()),
        ],
        [(texts.practice_stop_button, PracticeStop(index).pack())],
    )


def after_keyboard(content: Content, index: int) -> InlineKeyboardMarkup:
    texts = content.texts
    return grid(
        [(texts.practice_next_button, PracticeGo(index + 1).pack())],
        [(texts.practice_again_button, PracticeGo(index).pack())],
        [(texts.practice_stop_button, PracticeStop(index).pack())],
    )


def model(content: Content, exercise: Exercise) -> str:
    return content.texts.practice_model.format(model=html.escape(exercise.model, quote=False))


def feedback(content: Content, exercise: Exercise, reading: Reading) -> str:
    """What went well, what could be softer, and one way to say it."""
    lines = (
        _feeling(content, reading)
        if exercise.kind is Kind.FEELING
        else _soft(content, exercise, reading)
    )
    return "\n".join([*lines, "", model(content, exercise)])


def _feeling(content: Content, reading: Reading) -> list[str]:
    texts = content.texts
    if reading.faux is not None:
        options = ", ".join(reading.faux.underlying)
        word = html.escape(reading.faux.word)
        return [texts.practice_nearly, texts.practice_faux.format(word=word, options=options)]
    if reading.feeling is not None:
        return [texts.practice_soft_feeling.format(feeling=html.escape(reading.feeling))]
    examples = ", ".join(content.words.feelings.words[:EXAMPLES])
    return [texts.practice_other_feeling.format(examples=examples)]


def _soft(content: Content, exercise: Exercise, reading: Reading) -> list[str]:
    texts = content.texts
    if reading.soft:
        heading = (
            texts.practice_soft_rewrite
            if exercise.kind is Kind.REWRITE
            else texts.practice_soft_request
        )
    else:
        heading = texts.practice_nearly
    lines = [heading]
    if reading.names_feeling is not None:
        lines.append(
            texts.practice_has_feeling if reading.names_feeling else texts.practice_no_feeling
        )
    if reading.asks_kindly is not None:
        lines.append(
            texts.practice_has_request if reading.asks_kindly else texts.practice_no_request
        )
    for finding in reading.findings:
        rule = content.checks.explained(finding.rule)
        lines.append(
            texts.practice_finding.format(
                title=rule.title, words=html.escape(finding.words), softer=rule.softer
            )
        )
    return lines
