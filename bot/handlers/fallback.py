"""Whatever no feature handled: edits, unknown commands, stray text, old buttons."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.safety import PLAN_QUESTIONS
from bot.features.safety import views as safety_views
from bot.handlers.context import AnyApplication, Context, chat_id, logged

PRIVATE = filters.ChatType.PRIVATE


async def _say(update: Update, context: Context, text: str) -> None:
    await context.bot.send_message(chat_id(update), text)


@logged
async def edited_message(update: Update, context: Context) -> None:
    """An edit never changes a saved answer; say how to change it instead."""
    await _say(update, context, context.texts.edited_message)


@logged
async def back_outside(update: Update, context: Context) -> None:
    """/back with no conversation going."""
    await _say(update, context, context.texts.back_nothing)


@logged
async def cancel_outside(update: Update, context: Context) -> None:
    """/cancel outside the composer: whatever the bot was waiting for (a reply to the
    partner, a time, a note) is dropped, so the next text goes nowhere unexpected."""
    me = update.effective_user.id if update.effective_user else 0
    awaited = await context.storage.conversation.awaited(me)
    if awaited is None:
        await _say(update, context, context.texts.cancel_nothing)
        return
    await context.storage.conversation.expect(me, None)
    part = PLAN_QUESTIONS.get(awaited.what)
    if part is not None:  # nothing was going to be sent: say what stays as it was
        title = html.escape(safety_views.part_title(context.content, part))
        await _say(update, context, context.texts.plan_cancelled.format(title=title))
        return
    await _say(update, context, context.texts.cancel_awaited)


@logged
async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know."""
    await _say(update, context, context.texts.unknown_command)


@logged
async def outside_flow(update: Update, context: Context) -> None:
    """Text, stickers or photos with no conversation going: point to /compose."""
    await _say(update, context, context.texts.outside_flow)


@logged
async def stale_button(update: Update, context: Context) -> None:
    """A button from an older message, with no conversation going: a toast is enough (a
    double tap on a button that just did its work must not add a line to the chat)."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.texts.stale_button_outside)


def register_first(application: AnyApplication) -> None:
    """Before every feature: an edited message must never reach an answer handler."""
    application.add_handler(MessageHandler(filters.UpdateType.EDITED & PRIVATE, edited_message))


def register_last(application: AnyApplication) -> None:
    """After every feature: whatever is left gets a kind word."""
    application.add_handler(CommandHandler("back", back_outside, filters=PRIVATE))
    application.add_handler(CommandHandler("cancel", cancel_outside, filters=PRIVATE))
    application.add_handler(MessageHandler(filters.COMMAND & PRIVATE, unknown_command))
    application.add_handler(MessageHandler(PRIVATE, outside_flow))
    application.add_handler(CallbackQueryHandler(stale_button))
