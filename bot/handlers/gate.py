"""What reaches the features at all: people in their private chat with the bot.

Every handler may then rely on a sender and a chat. Updates from groups and channels, and
taps on buttons outside the private chat (which the bot never puts there: a forged tap could
otherwise post someone's saved words into a group), stop here."""

from __future__ import annotations

import logging

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.handlers.context import AnyApplication, Context

log = logging.getLogger(__name__)


def _in_private_chat(update: Update) -> bool:
    if update.inline_query is not None or update.chosen_inline_result is not None:
        return update.effective_user is not None  # asked from any chat, answered to the asker
    chat, user = update.effective_chat, update.effective_user
    return (
        chat is not None and user is not None and chat.type == Chat.PRIVATE and chat.id == user.id
    )


async def only_private_chats(update: Update, context: Context) -> None:
    """Stops whatever does not come from a person's private chat with the bot."""
    if _in_private_chat(update):
        return
    log.info("update=%s not from a private chat; ignored", update.update_id)
    if update.callback_query is not None:
        await update.callback_query.answer(context.texts.stale_button)
    raise ApplicationHandlerStop


def register(application: AnyApplication) -> None:
    # Before everything else, the redelivery guard (-3) included.
    application.add_handler(TypeHandler(Update, only_private_chats), group=-4)
