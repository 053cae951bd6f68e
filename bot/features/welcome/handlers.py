"""/start and /help: a warm welcome and how it works."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.core.draft import MAX_PART_LENGTH
from bot.features.welcome import views
from bot.handlers.context import AnyApplication, Context, chat_id, logged

PRIVATE = filters.ChatType.PRIVATE


@logged
async def start(update: Update, context: Context) -> None:
    """Says what the bot is for, that it is not therapy, and offers to compose."""
    content = context.content
    user = update.effective_user
    name = html.escape(user.first_name) if user else ""
    await context.bot.send_message(
        chat_id(update),
        content.texts.start.format(name=name),
        reply_markup=views.start_keyboard(content),
    )


@logged
async def help_command(update: Update, context: Context) -> None:
    """How the conversation works, the commands, and the bot's limits."""
    content = context.content
    text = content.texts.help.format(limit=MAX_PART_LENGTH)
    await context.bot.send_message(chat_id(update), text, reply_markup=views.help_keyboard(content))


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("start", start, filters=PRIVATE))
    application.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
