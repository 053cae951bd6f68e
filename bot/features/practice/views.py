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


# At most this many findings are shown: one or two things to soften, not a list of faults.
MAX_FINDINGS = 2


def feedback(content: Content, exercise: Exercise, reading: Reading) -> str:
    """What went well, what could be softer, and one way to say it."""
    if reading.too_short:
        return content.texts.practice_try_more
    if exercise.kind is Kind.FEELING:
        lines = _feeling(content, reading)
    else:
        lines = _soft(content, exercise, reading)
    return "\n".join([*lines, "", model(content, exercise)])


def _faux(content: Content, reading: Reading) -> str:
    assert reading.faux is not None
    options = ", ".join(reading.faux.underlying)
    word = html.escape(reading.faux.word)
    return content.texts.practice_faux.format(word=word, options=options)


def _feeling(content: Content, reading: Reading) -> list[str]:
    texts = content.texts
    if reading.faux is not None:
        return [texts.practice_nearly, _faux(content, reading)]
    if reading.feelings:
        named = html.escape(" and ".join(reading.feelings))
        return [texts.practice_soft_feeling.format(feeling=named)]
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
        named = reading.names_feeling
        lines.append(texts.practice_has_feeling if named else texts.practice_no_feeling)
    if reading.asks_kindly is not None:
        asked = reading.asks_kindly
        lines.append(texts.practice_has_request if asked else texts.practice_no_request)
    if reading.faux is not None:
        lines.append(_faux(content, reading))
    for finding in reading.findings[:MAX_FINDINGS]:
        rule = content.checks.explained(finding.rule)
        lines.append(
            texts.practice_finding.format(
                title=rule.title, words=html.escape(finding.words), softer=rule.softer
            )
        )
    return lines
