"""People first: the Bot API budget shared by two classes of sends.

Interactive sends answer what a person just did (an answer, the next question, an edit, a
delivery to a partner they asked for). Background sends are the reminders engine's (daily
check-ins, follow-ups, outbox notices). At 21:00 thousands of check-ins are due at once; if
they queued with everything else, a person composing a soft start-up would wait seconds for
each answer, at the very moment the bot exists for. So:

- every send with a chat counts against one budget of RATE_LIMIT_PER_SECOND (Telegram's limit
  is per bot), the total never above it;
- while the budget has room, a person's send goes at once; a background send only takes an
  empty budget, leaving room for the next person's step, and when people wait for a slot the
  next one is theirs;
- background still gets a floor (a share of the rate, 10% by default) while people keep every
  slot busy, so reminders are late at worst, never starved;
- a background send to the same chat waits a pause after the previous one (Telegram allows
  about one message a second per chat in bursts);
- a 429 answer pauses every send for the time Telegram asks, then the request is tried again.

The class is a context variable: sends run inside `in_background()` (the dispatcher's tick) are
background, everything else is interactive. aiolimiter's leaky buckets do the counting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Chats whose background pacing is remembered; a fan-out touches each chat once or twice.
REMEMBERED_CHATS = 20_000


class SendClass(StrEnum):
    INTERACTIVE = "interactive"
    BACKGROUND = "background"


_CLASS: ContextVar[SendClass] = ContextVar("send_class", default=SendClass.INTERACTIVE)


@contextlib.contextmanager
def in_background() -> Iterator[None]:
    """Sends made inside (and in tasks started inside) yield to people's."""
    token = _CLASS.set(SendClass.BACKGROUND)
    try:
        yield
    finally:
        _CLASS.reset(token)


def current_class() -> SendClass:
    return _CLASS.get()


def _bucket(per_second: float, size: float = 1) -> AsyncLimiter:
    """A leaky bucket draining `per_second`, holding `size` sends."""
    return AsyncLimiter(size, size / per_second)


# The overall bucket holds a step's worth of sends (an answer and an edit, and one more), but
# background sends only go when it is empty: so a fan-out runs at the full rate, and a
# person's step still finds room at once. In any one second that is at most the rate plus
# this room minus one (a PTB AIORateLimiter bucket of the rate would allow twice the rate).
ROOM_FOR_A_STEP = 3


Request = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class PeopleFirstRateLimiter(BaseRateLimiter[int]):
    """Sends go at once while the budget has room. When it has none, they queue by class and
    one task hands out each slot as the budget frees it: to a person's send if one waits, to a
    reminder when its floor is due or nobody else waits."""

    def __init__(
        self,
        per_second: float,
        background_floor: float = 0.1,
        chat_pause_seconds: float = 1.0,
        max_retries: int = 3,
    ) -> None:
        self.chat_pause_seconds = chat_pause_seconds
        self.max_retries = max_retries
        self.per_second = per_second
        self.background_floor = background_floor
        self._budget(per_second)
        self._waiting: dict[SendClass, deque[asyncio.Future[None]]] = {
            SendClass.INTERACTIVE: deque(),
            SendClass.BACKGROUND: deque(),
        }
        self._someone_waits = asyncio.Event()
        self._dispenser: asyncio.Task[None] | None = None
        self._chats: OrderedDict[str, AsyncLimiter] = OrderedDict()
        self._resumed = asyncio.Event()
        self._resumed.set()

    def _budget(self, per_second: float) -> None:
        self._room = min(ROOM_FOR_A_STEP, max(1, math.floor(per_second)))
        self._overall = _bucket(per_second, self._room)
        self._look_every = min(0.05, 1 / per_second)
        self._floor = _bucket(per_second * self.background_floor)

    def share(self, replicas: int) -> None:
        """Telegram's limit is per bot: with several replicas alive, each takes an even share
        of it (sends already waiting finish on the old buckets)."""
        self._budget(self.per_second / max(1, replicas))

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._dispenser is not None:
            self._dispenser.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispenser
            self._dispenser = None

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        retries = rate_limit_args or self.max_retries
        for attempt in range(retries + 1):
            if chat_id is not None:
                await self._turn(chat_id)
            await self._resumed.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                pause = error.retry_after
                seconds = pause if isinstance(pause, int | float) else pause.total_seconds()
                log.warning("%s: Telegram asked to wait %.1f s; all sends pause", endpoint, seconds)
                self._resumed.clear()
                try:
                    await asyncio.sleep(seconds + 0.1)
                finally:
                    self._resumed.set()
        raise AssertionError("unreachable")

    async def _turn(self, chat_id: Any) -> None:
        kind = current_class()
        if kind is SendClass.BACKGROUND:
            await self._chat_bucket(chat_id).acquire()
            if not self._someone_waits.is_set() and self._empty():
                await self._overall.acquire()  # returns at once
                return
        elif not self._waiting[kind] and self._overall.has_capacity():
            await self._overall.acquire()  # room in the budget: returns at once
            return
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[kind].append(slot)
        self._someone_waits.set()
        if self._dispenser is None or self._dispenser.done():
            self._dispenser = asyncio.create_task(self._dispense(), name="send slots")
        queued = asyncio.get_running_loop().time()
        await slot
        if log.isEnabledFor(logging.DEBUG):
            waited = (asyncio.get_running_loop().time() - queued) * 1000
            log.debug("%s send waited %.0f ms for its slot", kind, waited)

    def _empty(self) -> bool:
        return self._overall.has_capacity(self._room)

    async def _dispense(self) -> None:
        people, reminders = (self._waiting[kind] for kind in SendClass)
        while True:
            await self._someone_waits.wait()
            for line in (people, reminders):
                while line and line[0].done():  # given up (its task was cancelled)
                    line.popleft()
            if people and not (reminders and self._floor.has_capacity()):
                await self._overall.acquire()
                people.popleft().set_result(None)
            elif reminders:
                if people:
                    # People would take every slot: this one is the reminders' floor.
                    await self._floor.acquire()
                elif not self._empty():
                    # The room stays free for the next person's step.
                    await asyncio.sleep(self._look_every)
                    continue
                await self._overall.acquire()
                reminders.popleft().set_result(None)
            if not any(self._waiting.values()):
                self._someone_waits.clear()

    def _chat_bucket(self, chat_id: Any) -> AsyncLimiter:
        key = str(chat_id)
        bucket = self._chats.get(key)
        if bucket is None:
            bucket = self._chats[key] = AsyncLimiter(1, self.chat_pause_seconds)
            while len(self._chats) > REMEMBERED_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(key)
        return bucket
