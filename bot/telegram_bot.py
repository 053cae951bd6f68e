"""The bot object every handler talks through: PTB's ExtBot, answering each tap once and
taking an edit that changes nothing for done.

Telegram accepts one answer per callback query and refuses a second. Handlers answer where
they know what to say; a later answer to the same tap is dropped here, and a tap nobody
answered is answered after its handlers ran (bot/handlers/redelivery.py), so the spinner
never hangs and nothing fails for answering twice."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
# Taps expire on Telegram's side within seconds; this many is far more than are in flight.
REMEMBERED_TAPS = 10_000


def _tidying(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """An edit that only takes a message's buttons off."""
    return not args[3:] and kwargs.get("reply_markup") is None


class SoftStartBot(ExtBot[None]):
    __slots__ = ("_answered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self._answered: OrderedDict[str, None] = OrderedDict()

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any) -> Any:
        """Taking the buttons off a message that has none left (a second tap on it) is
        already done: Telegram's "message is not modified" is no failure here. And taking
        buttons off is tidying up: if it fails, the person's step goes on (a tap on a button
        left behind is recognised as old)."""
        try:
            return await super().edit_message_reply_markup(*args, **kwargs)
        except BadRequest as error:
            if NOT_MODIFIED not in error.message.lower() and not _tidying(args, kwargs):
                raise
            return True
        except TelegramError as error:
            if not _tidying(args, kwargs):
                raise
            log.warning("buttons not taken off: %s", error.__class__.__name__)
            return True

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Any:
        """Showing what a message already shows (a second tap on the same page or card)."""
        try:
            return await super().edit_message_text(*args, **kwargs)
        except BadRequest as error:
            if NOT_MODIFIED not in error.message.lower():
                raise
            return True

    def was_answered(self, callback_query_id: str) -> bool:
        return callback_query_id in self._answered

    async def answer_callback_query(
        self, callback_query_id: str, *args: Any, **kwargs: Any
    ) -> bool:
        if callback_query_id in self._answered:
            log.debug("callback=%s answered already; not again", callback_query_id)
            return True
        self._answered[callback_query_id] = None
        while len(self._answered) > REMEMBERED_TAPS:
            self._answered.popitem(last=False)
        return await super().answer_callback_query(callback_query_id, *args, **kwargs)
