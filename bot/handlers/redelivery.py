"""Updates Telegram delivers again after a crash change nothing the second time."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.handlers.context import AnyApplication, Context, services

log = logging.getLogger(__name__)


async def skip_redelivered(update: Update, context: Context) -> None:
    """Stops an update whose change is already saved (its id was recorded with the change)."""
    if update.effective_user is None:
        return
    if await services(context).storage.was_applied(update.update_id):
        log.info("update=%s was applied before; skipped", update.update_id)
        raise ApplicationHandlerStop


def register(application: AnyApplication) -> None:
    # Group -2 runs before the safety check (-1) and every feature's handlers (0).
    application.add_handler(TypeHandler(Update, skip_redelivered), group=-2)
