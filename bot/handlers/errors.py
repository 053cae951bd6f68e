"""The error handler: log first (ids, never text), then tell the user kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.handlers.context import AnyApplication, Context, SavedButNotShown
from bot.logs import is_passing, short_reason
from bot.storage import is_unavailable
from bot.storage.sealing import Unreadable

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: Context) -> None:
    """Logs the failure and says sorry; the draft stays as it was last saved."""
    error = context.error
    if not isinstance(update, Update):
        if isinstance(error, TelegramError):
            # A failed poll: bot/telegram_bot.py already said it in one line, with the pause.
            log.debug("polling failed: %s", error.__class__.__name__)
        elif is_passing(error):
            log.warning("failed outside an update: %s", short_reason(error))
        else:
            log.error("failed outside an update: %s", error.__class__.__name__, exc_info=error)
        return
    update_id = update.update_id
    if is_passing(error):
        log.warning("update=%s failed: %s", update_id, short_reason(error))
    else:
        log.error("update=%s failed: %s", update_id, error.__class__.__name__, exc_info=error)
    if update.effective_chat is None:
        return
    texts = context.texts
    if isinstance(error, SavedButNotShown):
        text = texts.saved_not_shown
    elif isinstance(error, Unreadable):
        text = texts.unreadable
    elif error and is_unavailable(error):
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
