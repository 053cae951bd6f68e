"""Updates Telegram delivers again after a crash change nothing the second time."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.handlers.context import AnyApplication, Context, services

log = logging.getLogger(__name__)


HIGHEST = "highest_update_id"


async def remember_highest_applied(application: AnyApplication) -> None:
    """At start-up: the newest update id ever applied. Anything newer cannot be a repeat."""
    storage = application.bot_data["services"].storage
    application.bot_data[HIGHEST] = await storage.latest_applied_update() or 0


async def skip_redelivered(update: Update, context: Context) -> None:
    """Stops an update whose change is already saved (its id was recorded with the change).

    Update ids only grow, so an id above every id seen so far is new and needs no look-up;
    a repeat (after a crash, or PTB fetching again after a network error) is never above."""
    if update.effective_user is None:
        return
    if update.update_id > context.bot_data.get(HIGHEST, -1):
        context.bot_data[HIGHEST] = update.update_id
        return
    if await services(context).storage.was_applied(update.update_id, update.effective_user.id):
        log.info("update=%s was applied before; skipped", update.update_id)
        raise ApplicationHandlerStop


def register(application: AnyApplication) -> None:
    # Group -2 runs before the safety check (-1) and every feature's handlers (0).
    application.add_handler(TypeHandler(Update, skip_redelivered), group=-2)
