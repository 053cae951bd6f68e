"""The listener's turn: button codecs and keyboards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardMarkup

from bot.content import Texts
from bot.features.sharing import views as sharing_views
from bot.handlers.callback_data import CallbackData
from bot.handlers.keyboards import grid


@dataclass(frozen=True)
class HeardOffer(CallbackData, prefix="heard:offer"):
    """ "Say what I heard" on a delivered soft start-up: the reflection, prepared."""

    message_id: int


@dataclass(frozen=True)
class HeardSend(CallbackData, prefix="heard:send"):
    """Send a reflection: which message, which try (a second tap on the same try sends
    nothing), prepared ("p") or in the listener's words ("o"), and a checksum of the very text
    shown (a newer text, or changed wording, makes the button old)."""

    message_id: int
    attempt: int
    source: Literal["p", "o"]
    text_sum: int


@dataclass(frozen=True)
class HeardOwn(CallbackData, prefix="heard:own"):
    """ "Say it my way": the next text is the listener's own reflection."""

    message_id: int


@dataclass(frozen=True)
class HeardSkip(CallbackData, prefix="heard:skip"):
    message_id: int


@dataclass(frozen=True)
class HeardAnswer(CallbackData, prefix="heard:ans"):
    """The speaker's "Yes, that's it" / "Not quite", on their own copy of the reflection."""

    choice: Literal["yes", "no"]
    reflection_id: int


@dataclass(frozen=True)
class HeardCorrection(CallbackData, prefix="heard:fix"):
    """Send a "not quite" that the gentle check held: which reflection, which words (a
    checksum: typing again makes this button old)."""

    reflection_id: int
    text_sum: int


@dataclass(frozen=True)
class HeardTyped(CallbackData, prefix="heard:typed"):
    """ "Not quite: send these words" for a text typed right after a reflection arrived."""

    reflection_id: int
    text_sum: int


@dataclass(frozen=True)
class HeardKeep(CallbackData, prefix="heard:keep"):
    reflection_id: int


@dataclass(frozen=True)
class HeardPlain(CallbackData, prefix="heard:plain"):
    """ "Just say 'not quite'": no words, the listener is told and can try again."""

    reflection_id: int


def offer_keyboard(
    texts: Texts, name: str, message_id: int, attempt: int, source: Literal["p", "o"], text: str
) -> InlineKeyboardMarkup:
    """Send (this very text) / say it my way (only for the prepared words) / not now."""
    send = HeardSend(message_id, attempt, source, sharing_views.text_sum(text)).pack()
    rows = [[(texts.heard_send_button.format(name=name), send)]]
    if source == "p":
        rows.append([(texts.heard_own_button, HeardOwn(message_id).pack())])
    rows.append([(texts.heard_skip_button, HeardSkip(message_id).pack())])
    return grid(*rows)


def answer_keyboard(texts: Texts, reflection_id: int) -> InlineKeyboardMarkup:
    return grid(
        [(texts.heard_yes_button, HeardAnswer("yes", reflection_id).pack())],
        [(texts.heard_no_button, HeardAnswer("no", reflection_id).pack())],
    )


def plain_keyboard(texts: Texts, reflection_id: int) -> InlineKeyboardMarkup:
    return grid([(texts.heard_plain_button, HeardPlain(reflection_id).pack())])


def again_keyboard(texts: Texts, message_id: int) -> InlineKeyboardMarkup:
    return grid(
        [(texts.heard_again_button, HeardOwn(message_id).pack())],
        [(texts.heard_prepared_button, HeardOffer(message_id).pack())],
    )


def your_side_keyboard(texts: Texts, message_id: int, *, can_talk: bool) -> InlineKeyboardMarkup:
    """Once understood: the listener's own side (a written reply, and a time to talk unless
    they gave their one-tap answer already)."""
    rows = [[(texts.reply_write_button, sharing_views.PartnerWrite("write", message_id).pack())]]
    if can_talk:
        rows.append(
            [(texts.reply_talk_button, sharing_views.PartnerAnswer("talk", message_id).pack())]
        )
    return grid(*rows)


def correction_keyboard(
    texts: Texts, name: str, reflection_id: int, words: str
) -> InlineKeyboardMarkup:
    send = HeardCorrection(reflection_id, sharing_views.text_sum(words)).pack()
    return grid(
        [(texts.heard_send_button.format(name=name), send)],
        [(texts.heard_plain_button, HeardPlain(reflection_id).pack())],
    )


def typed_answer_keyboard(texts: Texts, reflection_id: int, words: str) -> InlineKeyboardMarkup:
    """For a text typed after a reflection arrived: that's it, not quite (these words), or
    keep it here."""
    return grid(
        [(texts.heard_yes_button, HeardAnswer("yes", reflection_id).pack())],
        [
            (
                texts.heard_typed_button,
                HeardTyped(reflection_id, sharing_views.text_sum(words)).pack(),
            )
        ],
        [(texts.confirm_keep_button, HeardKeep(reflection_id).pack())],
    )
