"""Per-chat ordered concurrency: different people's updates are handled at the same time, one
person's updates strictly one after another, in the order Telegram sent them.

Sequential processing caps the bot at one update per Bot API round trip (about 18/s with a
50 ms round trip); fully concurrent processing would let two quick answers of the same person
race through the conversation. This keeps both properties.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    """Whose turn an update waits for: the chat, else the user (inline queries), else nobody."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _Turn:
    """A lock plus how many updates hold or wait for it, so idle chats are forgotten."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` in flight; per chat, one at a time, in arrival order
    (asyncio locks are fair: waiters get the lock first come, first served)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        turn = self._turns.setdefault(key, _Turn())
        turn.users += 1
        try:
            async with turn.lock:
                await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    @property
    def chats_in_flight(self) -> int:
        return len(self._turns)
