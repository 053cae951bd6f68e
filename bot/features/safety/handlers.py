"""Safety first: words that point to danger or self-harm stop the coaching, whatever the step."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.core.check import points_to_danger
from bot.features.safety import views
from bot.handlers.context import AnyApplication, Context, chat_id, logged, user_id

log = logging.getLogger(__name__)


def safety_text(context: Context) -> str:
    """The care message with the general resources and the operator's own, if configured."""
    found = context.services
    texts = found.content.texts
    resources = texts.safety_resources
    local = found.settings.safety_resources.get(found.settings.locale)
    if local:
        resources = f"{resources}\n• {html.escape(local)}"
    return texts.safety.format(resources=resources)


@logged
async def words_point_to_danger(update: Update, context: Context) -> None:
    """Stops the update before any coaching and answers with care; nothing is saved."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if not points_to_danger(message.text, context.content.danger_patterns):
        return
    log.info("update=%s user=%s safety path", update.update_id, user_id(update))
    draft = await context.storage.load_draft(user_id(update))
    markup = None
    if draft is not None:
        label = context.texts.safety_continue_button
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=views.SAFETY_CONTINUE)]]
        )
    await context.bot.send_message(chat_id(update), safety_text(context), reply_markup=markup)
    raise ApplicationHandlerStop


@logged
async def show_safety(update: Update, context: Context) -> None:
    """The help page's "if you don't feel safe" button."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await context.bot.send_message(chat_id(update), safety_text(context))


def register(application: AnyApplication) -> None:
    # Group -1: after the redelivery guard (-2), before every feature (0).
    application.add_handler(
        MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, words_point_to_danger), group=-2
    )
    application.add_handler(CallbackQueryHandler(show_safety, pattern=f"^{views.SAFETY_SHOW}$"))
