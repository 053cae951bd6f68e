"""Sharing's button codecs: send to the partner, the partner's answers."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Literal

from telegram import (
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    SwitchInlineQueryChosenChat,
)

from bot.content import Texts
from bot.core.compose import utf16_length
from bot.core.history import SavedMessage
from bot.core.pairing import Partner
from bot.features.follow_ups import views as follow_ups_views
from bot.handlers.callback_data import CallbackData, PersonId
from bot.handlers.keyboards import grid


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
class ConfirmReply(CallbackData, prefix="rc"):
    """ "Send it to {partner}?" for a text typed right after their message: about which
    message, and which text (a checksum: a newer text makes this button old)."""

    choice: Literal["send", "keep"]
    message_id: int
    text_sum: int


def text_sum(text: str) -> int:
    """A short checksum of a held text, for ConfirmReply."""
    return zlib.crc32(text.encode()) % 1_000_000_000


def confirm_reply_keyboard(
    texts: Texts, partner_name: str, message_id: int, text: str
) -> InlineKeyboardMarkup:
    """ "Send it to {partner}" / "Keep it here" for a held text."""
    checksum = text_sum(text)
    return grid(
        [
            (
                texts.confirm_send_button.format(name=partner_name),
                ConfirmReply("send", message_id, checksum).pack(),
            )
        ],
        [(texts.confirm_keep_button, ConfirmReply("keep", message_id, checksum).pack())],
    )


@dataclass(frozen=True)
class PartnerWrite(CallbackData, prefix="reply"):
    """ "Write a reply" (or "write back"), or "I'll type a time": the next text goes over."""

    kind: Literal["write", "custom"]
    message_id: int


# Telegram's limit for a copy button's text, in UTF-16 units like every length it checks
# (an emoji counts two): a longer one makes Telegram refuse the whole message.
COPY_LIMIT = 256


def share_keyboard(
    texts: Texts, message: SavedMessage, partner: Partner | None, *, remind: bool = True
) -> InlineKeyboardMarkup:
    """Share to a chat, copy (when it fits), send to the partner (when paired), and (unless
    this is that reminder) "remind me to send it"."""
    chosen_chat = SwitchInlineQueryChosenChat(
        query="", allow_user_chats=True, allow_group_chats=True
    )
    rows = [
        [InlineKeyboardButton(texts.share_chat_button, switch_inline_query_chosen_chat=chosen_chat)]
    ]
    if utf16_length(message.text) <= COPY_LIMIT:
        rows[0].append(
            InlineKeyboardButton(texts.copy_button, copy_text=CopyTextButton(message.text))
        )
    if partner is not None:
        label = texts.send_partner_button.format(name=partner.name)
        data = SendToPartner(message.id, PersonId(partner.user_id)).pack()
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    if remind:
        later = follow_ups_views.AskSendWhen(message.id).pack()
        rows.append([InlineKeyboardButton(texts.remind_send_button, callback_data=later)])
    return InlineKeyboardMarkup(rows)
