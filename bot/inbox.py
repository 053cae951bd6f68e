"""The inbox: every update is kept in the database before Telegram hears "received", and the
bot's workers take updates from there, on any replica.

- `receive` keeps a batch (from a long poll, or one webhook request) and wakes the workers.
- Workers claim the oldest waiting update of each chat that has none in hand, hand it to PTB
  (`Application.process_update`, the handlers as before), mark it done, and take the same
  chat's next one in that transaction. So one person's updates go strictly one after another,
  across replicas; different people's side by side (up to MAX_CONCURRENT_UPDATES per replica).
- A claim is a lease, renewed while the replica lives. A replica that dies leaves its updates
  to another once the lease runs out; that second attempt is marked (HANDLING_AGAIN), and the
  redelivery guard skips what was saved already: at most the reply that was in flight repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import Update

from bot.concurrency import chat_key
from bot.handlers.context import AnyApplication
from bot.handlers.redelivery import HANDLING_AGAIN, update_mark
from bot.storage import is_unavailable
from bot.storage.inbox import Arrived, InboxRepository, InHand
from bot.storage.models import utc_now
from bot.telegram_bot import SoftStartBot

log = logging.getLogger(__name__)

# An update that took a replica down this many times is dropped (with a line), so that one
# poisonous update cannot take every replica down in turn.
MOST_ATTEMPTS = 5
# Workers look for work at least this often (another replica's update whose lease ran out, or
# one stored by a replica that is busy with that chat), and at once when woken.
LOOK_EVERY_SECONDS = 0.25
# Updates kept in memory, as read when they arrived, for the worker that takes them here.
PARSED_KEPT = 10_000


def replica_id(*where: object) -> str:
    """The same for a process started again in the same place (host, folder, port): what a
    killed run left in hand is taken back at once by its own restart, not after the lease."""
    place = "|".join([socket.gethostname(), os.getcwd(), *map(str, where)])
    return hashlib.blake2b(place.encode(), digest_size=8).hexdigest()


def inbox_key(update: Update) -> str:
    """The redelivery key (id and content); for what the guard does not watch (inline
    queries), the id and the kind of update."""
    mark = update_mark(update)
    if mark is not None:
        return mark.key
    user = update.effective_user
    content = f"unwatched:{user.id if user else 0}"
    digest = hashlib.blake2b(f"{update.update_id}|{content}".encode(), digest_size=8)
    return digest.hexdigest()


class Inbox:
    def __init__(
        self,
        application: AnyApplication,
        repository: InboxRepository,
        *,
        lease: timedelta,
        workers: int,
        replica: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_budget_share: Callable[[int], None] | None = None,
        before_each: Callable[[Update], Awaitable[None]] | None = None,
    ) -> None:
        self.application = application
        self.repository = repository
        self.replica = replica or secrets.token_hex(8)
        self.lease = lease
        self.workers = workers
        self._clock = clock
        self._on_budget_share = on_budget_share
        self._before_each = before_each
        self._woken = asyncio.Event()
        self._stopping = False
        self._looking: asyncio.Task[None] | None = None
        self._renewing: asyncio.Task[None] | None = None
        self._chains: set[asyncio.Task[None]] = set()
        # Chat -> the update id in hand: for the health check and tests.
        self.in_hand: dict[int, int] = {}
        self._last_look = 0.0
        self._parsed: OrderedDict[tuple[int, int], Update] = OrderedDict()
        self._full = False
        self.replicas = 1
        # Another replica has been alive beside this one: memory-kept state may be stale.
        self._shared = False

    # --- intake ----------------------------------------------------------------------------

    async def receive(self, raw_updates: Sequence[dict[str, Any]]) -> int:
        """Keeps the updates; returns once they are committed. Those without a sender (a
        channel post, an update PTB cannot read) have nothing for the bot to do and are not
        kept."""
        bot = self.application.bot
        arrived = []
        for raw in raw_updates:
            update = _readable(bot, raw)
            user, chat = update.effective_user, chat_key(update)
            if user is None or chat is None:
                self._senderless(update)
                continue
            arrived.append(
                Arrived(update.update_id, inbox_key(update), chat, user.id, json.dumps(raw))
            )
            # Read once: this replica most likely handles it, and need not open it again.
            self._parsed[(update.update_id, user.id)] = update
            while len(self._parsed) > PARSED_KEPT:
                self._parsed.popitem(last=False)
        if len(self._chains) < self.workers and not self._stopping:
            new, taken = await self.repository.store_and_take(
                arrived, self._clock(), self.replica, self.lease
            )
        else:
            new, taken = await self.repository.store(arrived, self._clock()), []
        for hand in taken:
            self._begin(hand)
        if new > len(taken):
            self._woken.set()  # some wait behind their chat's update in hand, or for a worker
        return new

    def _senderless(self, update: Update) -> None:
        """Nobody to answer and nothing to keep (a channel post, an update PTB cannot read):
        handed to the handlers at once, which log it and let it go."""
        task = asyncio.create_task(self.application.process_update(update))
        self._chains.add(task)
        task.add_done_callback(self._chains.discard)

    # --- workers ---------------------------------------------------------------------------

    async def start(self, first_of_its_kind: bool = False) -> None:
        """`first_of_its_kind`: the only process there can be (SQLite): what a killed one left
        in hand is taken back at once, without waiting for its lease."""
        # What this replica's last run left in hand (killed), or anyone's on SQLite (the only
        # process there can be) goes back to waiting now, not when its lease runs out.
        taken_back = await self.repository.give_back(None if first_of_its_kind else self.replica)
        if taken_back:
            log.info("inbox: %d update(s) left in hand by the last run, handled again", taken_back)
        await self._renew()
        if self._shared:
            # Joining running replicas: they learn of this one at their next renewal, and
            # from then on read shared state before each update. Nothing is taken till then.
            await asyncio.sleep(self.lease.total_seconds() / 3 + 0.5)
        self._looking = asyncio.create_task(self._look(), name="inbox workers")
        self._renewing = asyncio.create_task(self._keep_renewing(), name="inbox leases")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Takes nothing new; waits for the updates in hand (up to the grace), then gives back
        any still running so another replica (or the next start) handles them."""
        self._stopping = True
        self._woken.set()
        for task in (self._looking, self._renewing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._chains:
            _, late = await asyncio.wait(self._chains, timeout=grace_seconds)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        with contextlib.suppress(Exception):
            await self.repository.give_back(self.replica)
            await self.repository.leave(self.replica)

    @property
    def alive(self) -> bool:
        """The workers run and looked for work recently (for /healthz)."""
        return (
            self._looking is not None
            and not self._looking.done()
            and time.monotonic() - self._last_look < max(5.0, 10 * LOOK_EVERY_SECONDS)
        )

    async def _look(self) -> None:
        while not self._stopping:
            self._woken.clear()
            self._last_look = time.monotonic()
            free = self.workers - len(self._chains)
            taken: list[InHand] = []
            if free > 0:
                try:
                    taken = await self.repository.claim(
                        self.replica, self._clock(), self.lease, free
                    )
                except Exception as error:
                    if not is_unavailable(error):
                        log.exception("inbox: looking for updates failed")
                    else:
                        log.warning("inbox: the database is out of reach; looking again soon")
                for hand in taken:
                    self._begin(hand)
                if taken and len(taken) == free:
                    continue
            self._full = len(self._chains) >= self.workers
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), LOOK_EVERY_SECONDS)

    def _begin(self, hand: InHand) -> None:
        self.in_hand[hand.chat_id] = hand.update_id
        task = asyncio.create_task(self._chain(hand), name=f"inbox chat {hand.chat_id}")
        self._chains.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._chains.discard(task)
        if self._full:
            self._woken.set()  # a worker is free, and updates may wait for one

    async def _chain(self, hand: InHand | None) -> None:
        """Handles the chat's updates one after another while more wait."""
        chat = hand.chat_id if hand else 0
        try:
            while hand is not None and not self._stopping:
                self.in_hand[chat] = hand.update_id
                try:
                    await self._handle(hand)
                except Exception:
                    # Outside every handler (PTB's error handlers saw the handlers' own): not
                    # tried again and again, the chat goes on.
                    log.exception("update=%s could not be handled", hand.update_id)
                current = hand
                try:
                    hand = await self._finish(current)
                except Exception:
                    log.exception("update=%s: marking it done failed", current.update_id)
                    # Not left in this replica's hand for ever (its leases are renewed): back
                    # to waiting, for the next look.
                    with contextlib.suppress(Exception):
                        await self.repository.give_back(self.replica, current.row)
                    return
        finally:
            self.in_hand.pop(chat, None)

    async def _handle(self, hand: InHand) -> None:
        update = self._parsed.pop((hand.update_id, hand.user_id), None)
        if update is None:
            payload = await self.repository.open(hand)
            if payload is None:
                log.info(
                    "update=%s no longer opens (its sender's key is gone); skipped",
                    hand.update_id,
                )
                return
            update = Update.de_json(json.loads(payload), self.application.bot)
        if hand.attempts > MOST_ATTEMPTS:
            log.error(
                "update=%s dropped: %d attempts did not finish it",
                hand.update_id,
                hand.attempts - 1,
            )
            return
        token = HANDLING_AGAIN.set(hand.attempts > 1)
        try:
            if hand.attempts > 1:
                log.info("update=%s handled again (attempt %d)", hand.update_id, hand.attempts)
            if self._before_each is not None and self._shared:
                await self._synced(update)
            # PTB hands any handler's exception to the error handlers (bot/handlers/errors.py).
            await self.application.process_update(update)
        finally:
            HANDLING_AGAIN.reset(token)

    async def _synced(self, update: Update) -> None:
        """What other replicas changed in memory-kept state (the composer's place) is read back;
        with the database out of reach the handler itself will say so, so it goes on."""
        assert self._before_each is not None
        try:
            await self._before_each(update)
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("update=%s: conversation state not read (database busy)", update.update_id)

    async def _finish(self, hand: InHand) -> InHand | None:
        """Marks it done and takes the chat's next; a database out of reach is waited out (the
        update's effects are saved: handling it again would only repeat the reply)."""
        pause = 0.2
        while True:
            try:
                return await self.repository.finish(hand, self.replica, self._clock(), self.lease)
            except Exception as error:
                if not is_unavailable(error) or self._stopping:
                    raise
                log.warning(
                    "update=%s handled, not yet marked done (database busy)", hand.update_id
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    # --- leases and the replicas' budget ------------------------------------------------------

    async def _keep_renewing(self) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self._renew()
            except Exception as error:
                if not is_unavailable(error):
                    log.exception("inbox: renewing leases failed")

    async def _renew(self) -> None:
        now = self._clock()
        await self.repository.extend(self.replica, now, self.lease)
        replicas = await self.repository.seen(self.replica, now, alive_within=self.lease)
        if replicas > 1:
            # For the rest of its life: what another replica changed stays changed.
            self._shared = True
        if replicas != self.replicas:
            log.info("replicas alive on this database: %d", replicas)
            self.replicas = replicas
            if self._on_budget_share is not None:
                self._on_budget_share(replicas)


def _readable(bot: Any, raw: dict[str, Any]) -> Update:
    if isinstance(bot, SoftStartBot):
        return bot.readable(raw)
    return Update.de_json(raw, bot)
