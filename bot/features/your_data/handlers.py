"""/forget: delete everything the bot keeps about the user, after a confirmation."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

from bot.features.your_data import views
from bot.handlers.context import AnyApplication, Context, chat_id, logged, user_id

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE


@logged
async def forget(update: Update, context: Context) -> None:
    """Explains what will be deleted and asks to confirm."""
    texts = context.texts
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.forget_yes_button, callback_data=views.FORGET_YES)],
            [InlineKeyboardButton(texts.forget_no_button, callback_data=views.FORGET_NO)],
        ]
    )
    await context.bot.send_message(chat_id(update), texts.forget_confirm, reply_markup=buttons)


@logged
async def forget_yes(update: Update, context: Context) -> int:
    """Deletes every row about the user in one transaction; ends any conversation."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    found = context.services
    now = found.clock()
    former_partner = await found.storage.forget(user_id(update), now)
    log.info("user=%s forgot their data", user_id(update))
    await context.bot.send_message(chat_id(update), found.content.texts.forgotten)
    if former_partner is not None:
        found.wake(now)  # the partner's "the pairing ended" waits in the outbox
    return ConversationHandler.END


@logged
async def forget_no(update: Update, context: Context) -> None:
    """Keeps everything; the conversation, if any, goes on where it was."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(chat_id(update), context.texts.forget_kept)


def _confirmations() -> list[BaseHandler[Update, Context, object]]:
    return [
        CallbackQueryHandler(forget_yes, pattern=f"^{views.FORGET_YES}$"),
        CallbackQueryHandler(forget_no, pattern=f"^{views.FORGET_NO}$"),
    ]


def in_flow_handlers() -> list[BaseHandler[Update, Context, object]]:
    """For the composer's fallbacks, so that confirming mid-conversation ends it."""
    return _confirmations()


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("forget", forget, filters=PRIVATE))
    application.add_handlers(_confirmations())
