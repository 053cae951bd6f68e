"""Thin Telegram adapters, one module per feature.

The order matters: PTB runs the first matching handler in a group, groups in ascending order.
Only private chats pass the gate (group -4). Redelivered updates are stopped next (group -3),
then words that point to danger (group -2); a command drops whatever typed answer the bot was
waiting for (group -1). Edits are caught first so they never count as
answers; the composer comes before /start and /help so that /help mid-flow keeps the user's
place; invite deep links (/start pair_...) come before the plain /start; the catch-alls come
last.
"""

from bot.features.conversation import handlers as conversation
from bot.handlers import (
    compose,
    errors,
    fallback,
    forget,
    gate,
    history,
    learn,
    partner,
    redelivery,
    reminders,
    safety,
    share,
    start,
)
from bot.handlers.context import AnyApplication


def register_handlers(application: AnyApplication) -> None:
    gate.register(application)
    redelivery.register(application)
    safety.register(application)
    fallback.register_first(application)
    compose.register(application)
    partner.register(application)
    start.register(application)
    history.register(application)
    forget.register(application)
    learn.register(application)
    reminders.register(application)
    share.register(application)
    conversation.register(application)
    fallback.register_last(application)
    errors.register(application)
