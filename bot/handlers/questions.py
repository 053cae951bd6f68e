"""A question with buttons that may be answered by typing instead (the composer's steps, the
check-in's feelings): only the newest one keeps its buttons. Its message id is kept in the
chat's memory (not the database: on another replica, or after a restart, the old buttons
simply stay, and a tap on them is answered as an old button)."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.handlers.context import Context, chat_id

log = logging.getLogger(__name__)
# chat_data: the message id of the last question with buttons, per asker (a check-in asked
# mid-composer leaves the composer's question tappable: a tap there brings the typing back).
QUESTION = "question_with_buttons:"


async def send_question(
    update: Update,
    context: Context,
    text: str,
    markup: InlineKeyboardMarkup | None,
    asker: str = "composer",
) -> None:
    """Sends a question; the buttons of the asker's one before go at the same time."""
    chat = chat_id(update)
    key = QUESTION + asker
    previous = context.chat_data.pop(key, None) if context.chat_data is not None else None
    send = context.bot.send_message(chat, text, reply_markup=markup)
    if previous is None:
        sent = await send
    else:
        _, sent = await asyncio.gather(drop_buttons(context, chat, previous), send)
    if markup is not None and context.chat_data is not None:
        context.chat_data[key] = sent.message_id


async def answered_by_typing(update: Update, context: Context, asker: str) -> None:
    """The asker's last question was answered in words: its buttons go."""
    key = QUESTION + asker
    previous = context.chat_data.pop(key, None) if context.chat_data is not None else None
    if previous is not None:
        await drop_buttons(context, chat_id(update), previous)


def answered_by_tap(update: Update, context: Context, asker: str = "composer") -> None:
    """The question's own button was tapped (and its keyboard taken away by the tap)."""
    query = update.callback_query
    message = query.message if query is not None else None
    asked, key = context.chat_data, QUESTION + asker
    if message is not None and asked is not None and asked.get(key) == message.message_id:
        del asked[key]


async def drop_buttons(context: Context, chat: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat, message_id, reply_markup=None)
    except TelegramError:
        # Already gone (tapped, deleted) or Telegram busy: the buttons are only tidying.
        log.debug("chat=%s question=%s buttons stay", chat, message_id)
