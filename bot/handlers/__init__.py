"""Thin Telegram adapters, one module per feature.

The order matters: PTB runs the first matching handler in a group. Redelivered updates are
stopped before anything (group -1). Edits are caught first so they never count as answers; the
composer comes before /start and /help so that /help mid-flow keeps the user's place; the
catch-alls come last.
"""

from bot.handlers import compose, errors, fallback, forget, history, redelivery, start
from bot.handlers.context import AnyApplication


def register_handlers(application: AnyApplication) -> None:
    redelivery.register(application)
    fallback.register_first(application)
    compose.register(application)
    start.register(application)
    history.register(application)
    forget.register(application)
    fallback.register_last(application)
    errors.register(application)
