"""The order every update meets the handlers in.

PTB runs the first matching handler in a group, groups in ascending order. Only private chats
pass the gate (group -4). Redelivered updates are stopped next (group -3), then words that
point to danger (group -2); a command drops whatever typed answer the bot was waiting for
(group -1). In the features' group (0), edits are caught first so they never count as
answers; the composer comes before /start and /help so that /help mid-flow keeps the user's
place; invite deep links (/start pair_...) come before the plain /start; typed text outside
the composer goes to the conversation router; the catch-alls come last. After every feature
(group 99), a tap nobody answered is answered and the update is marked handled.
"""

from bot.features.checkin import handlers as checkin
from bot.features.compose import handlers as compose
from bot.features.conversation import handlers as conversation
from bot.features.coregulation import handlers as coregulation
from bot.features.follow_ups import handlers as follow_ups
from bot.features.history import handlers as history
from bot.features.learn import handlers as learn
from bot.features.listening import handlers as listening
from bot.features.pairing import handlers as pairing
from bot.features.practice import handlers as practice
from bot.features.reminders import handlers as reminders
from bot.features.repair import handlers as repair
from bot.features.safety import handlers as safety
from bot.features.sharing import handlers as sharing
from bot.features.week import handlers as week
from bot.features.welcome import handlers as welcome
from bot.features.your_data import handlers as your_data
from bot.handlers import errors, fallback, gate, redelivery
from bot.handlers.context import AnyApplication


def register_handlers(application: AnyApplication) -> None:
    gate.register(application)
    redelivery.register(application)
    safety.register(application)
    fallback.register_first(application)
    compose.register(application)
    pairing.register(application)
    welcome.register(application)
    history.register(application)
    your_data.register(application)
    learn.register(application)
    practice.register(application)
    week.register(application)
    reminders.register(application)
    checkin.register(application)
    follow_ups.register(application)
    repair.register(application)
    sharing.register(application)
    coregulation.register(application)
    listening.register(application)
    conversation.register(application)
    fallback.register_last(application)
    errors.register(application)
