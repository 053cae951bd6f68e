"""A double tap: the same button on the same message tapped again within a few seconds (a slow
phone, an impatient thumb). Its screen was just shown; showing it again fills the chat."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.handlers.context import Context, user_id

DOUBLE_TAP = timedelta(seconds=20)


def tapped_on(update: Update) -> str:
    """Which message a tap was on (for telling a double tap from a later one)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return str(message.message_id if message is not None else 0)


async def first_tap(update: Update, context: Context, tap: str) -> bool:
    """True for a first tap (remembered from now), False for the same tap again."""
    return await context.storage.first_tap(user_id(update), tap, tapped_on(update), DOUBLE_TAP)
