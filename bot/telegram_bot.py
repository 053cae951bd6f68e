"""The bot object every handler talks through: PTB's ExtBot, answering each tap once.

Telegram accepts one answer per callback query and refuses a second. Handlers answer where
they know what to say; a later answer to the same tap is dropped here, and a tap nobody
answered is answered after its handlers ran (bot/handlers/redelivery.py), so the spinner
never hangs and nothing fails for answering twice."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from telegram.ext import ExtBot

log = logging.getLogger(__name__)

# Taps expire on Telegram's side within seconds; this many is far more than are in flight.
REMEMBERED_TAPS = 10_000


class SoftStartBot(ExtBot[None]):
    __slots__ = ("_answered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self._answered: OrderedDict[str, None] = OrderedDict()

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
