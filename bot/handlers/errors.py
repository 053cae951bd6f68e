"""The error handler: log first (ids, never text), then tell the user kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.handlers.context import AnyApplication, Context, SavedButNotShown
from bot.storage import is_unavailable

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: Context) -> None:
    """Logs the failure and says sorry; the draft stays as it was last saved."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "update=%s failed: %s",
        update_id,
        context.error.__class__.__name__,
        exc_info=context.error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    texts = context.texts
    if isinstance(context.error, SavedButNotShown):
        text = texts.saved_not_shown
    elif context.error and is_unavailable(context.error):
        # A locked or unreachable database passes; the user only needs to send it again.
        text = texts.database_busy
    else:
        text = texts.error
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        log.warning("update=%s: could not send the error reply", update_id)


def register(application: AnyApplication) -> None:
    application.add_error_handler(on_error)
