"""The bot object every handler talks through: PTB's ExtBot, answering each tap once and
taking an edit that changes nothing for done.

Telegram accepts one answer per callback query and refuses a second. Handlers answer where
they know what to say; a later answer to the same tap is dropped here, and a tap nobody
answered is answered after its handlers ran (bot/handlers/redelivery.py), so the spinner
never hangs and nothing fails for answering twice.

It also keeps the bot up when Telegram is not: getMe and getUpdates that fail wait with a
growing pause and say so in one line each (PTB's own loop would retry within milliseconds and
log a traceback every time), and an update PTB cannot read is skipped by its id instead of
stalling every chat behind it."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
EXPIRED_QUERY = "query is too old"
# Taps expire on Telegram's side within seconds; this many is far more than are in flight.
REMEMBERED_TAPS = 10_000
# The calls the bot repeats until they work: at start-up, and every long poll.
_KEPT_TRYING = frozenset({"getMe", "getUpdates"})
FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0


class Backoff:
    """Pauses between attempts at a call that keeps failing: 1 s, doubling, at most 30 s."""

    def __init__(self, first: float = FIRST_PAUSE_SECONDS, longest: float = LONGEST_PAUSE_SECONDS):
        self.first = first
        self.longest = longest
        self.failures = 0

    def next_pause(self) -> float:
        self.failures += 1
        return min(self.longest, self.first * 2 ** (self.failures - 1))

    def reset(self) -> int:
        failed, self.failures = self.failures, 0
        return failed


def _why(error: TelegramError) -> str:
    if isinstance(error, Conflict):
        return "another process is polling with this token (409 Conflict); stop the other one"
    return f"{error.__class__.__name__}: {error.message}"


def _tidying(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """An edit that only takes a message's buttons off."""
    return not args[3:] and kwargs.get("reply_markup") is None


class SoftStartBot(ExtBot[None]):
    __slots__ = ("_answered", "_backoff", "_last_batch")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self._answered: OrderedDict[str, None] = OrderedDict()
            self._backoff = Backoff()
            self._last_batch: list[dict[str, Any]] = []

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        if endpoint not in _KEPT_TRYING:
            return await super()._post(endpoint, *args, **kwargs)
        try:
            result = await super()._post(endpoint, *args, **kwargs)
        except (NetworkError, Conflict) as error:
            pause = self._backoff.next_pause()
            log.warning("%s failed (%s); trying again in %.0f s", endpoint, _why(error), pause)
            await asyncio.sleep(pause)
            # The pause is taken: PTB's loop retries a TimedOut at once (any other error it
            # would pause for again, and the line above would not say when).
            raise TimedOut(f"{endpoint} failed; paused {pause:.0f} s") from error
        failed = self._backoff.reset()
        if failed:
            log.info("%s works again after %d failed attempt(s)", endpoint, failed)
        if endpoint == "getUpdates":
            self._last_batch = result
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """The batch as PTB reads it; when PTB cannot read one update of it, the others are
        read one by one and the unreadable one goes on as an empty update (so the next poll
        confirms it and nobody waits behind it)."""
        try:
            return await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise
        except Exception:
            return tuple(self.readable(raw) for raw in self._last_batch)

    def readable(self, raw: dict[str, Any]) -> Update:
        try:
            return Update.de_json(raw, self)
        except Exception as error:
            # Its id and the reason only: the update holds what someone wrote.
            log.warning(
                "update=%s could not be read (%s); skipped",
                raw.get("update_id"),
                error.__class__.__name__,
            )
            return Update(update_id=int(raw["update_id"]))

    async def raw_updates(self, **kwargs: Any) -> list[dict[str, Any]]:
        """One long poll's batch as Telegram sent it (for the inbox, which keeps it as is)."""
        self._last_batch = []
        await self.get_updates(**kwargs)
        return list(self._last_batch)

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
        try:
            return await super().answer_callback_query(callback_query_id, *args, **kwargs)
        except BadRequest as error:
            # Answered already by a replica that died mid-tap, or too late: the spinner is
            # gone either way, and the person's step goes on (never "something went wrong").
            if EXPIRED_QUERY not in error.message.lower():
                raise
            log.info("callback=%s could not be answered any more", callback_query_id)
            return False
