"""What each person's next typed text answers (bot/core/conversation.py). Reached as
`Storage.conversation`. Kept on the users row: `awaiting` says what, `pending_reply_message`
which message it is about, `pending_reply_to` whom it goes to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.conversation import GUESSES, Awaited, Expecting
from bot.storage.common import aware, ensure_user
from bot.storage.keys import Keyring
from bot.storage.models import User
from bot.storage.sealed import open_or_empty
from bot.storage.sealing import place

NOTHING_AWAITED = {
    "awaiting": None,
    "awaiting_since": None,
    "pending_reply_to": None,
    "pending_reply_message": None,
    "pending_text": None,
}


def _columns(awaited: Awaited, at: datetime | None) -> dict[str, object]:
    """The users row's columns for a new question (a text held for an older one goes)."""
    return {
        "awaiting": awaited.what.value,
        "awaiting_since": at,
        "pending_reply_to": awaited.to_user,
        "pending_reply_message": awaited.message_id,
        "pending_text": None,
    }


def awaited_of(row: Any) -> Awaited | None:
    """What the users row (or a row with its awaiting columns) says the bot asked for."""
    if row.awaiting is None:
        return None
    try:
        what = Expecting(row.awaiting)
    except ValueError:
        return None  # written by a version that asked for something else
    since = aware(row.awaiting_since) if row.awaiting_since else None
    return Awaited(what, row.pending_reply_message, row.pending_reply_to, since)


class ConversationRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: Keyring) -> None:
        self._sessions = sessions
        self._keys = keys

    async def awaited(self, user_id: int) -> Awaited | None:
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            return None if user is None else awaited_of(user)

    async def expect_if_free(self, user_id: int, awaited: Awaited, at: datetime) -> None:
        """Like `expect`, unless the person is already asked a question: a question the bot
        put to them wins over a guess; a newer guess replaces an older one."""
        guesses = [what.value for what in GUESSES]
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(User)
                .where(User.id == user_id)
                .where(or_(User.awaiting.is_(None), User.awaiting.in_(guesses)))
                .values(**_columns(awaited, at))
            )

    async def stop_expecting(self, user_id: int, what: Expecting, message_id: int) -> None:
        """Nothing is awaited any more, if what is awaited is still `what` about `message_id`
        (another question asked since keeps its place): one conditional statement."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(User)
                .where(
                    User.id == user_id,
                    User.awaiting == what.value,
                    User.pending_reply_message == message_id,
                )
                .values(**NOTHING_AWAITED)
            )

    async def hold_text(self, user_id: int, text: str) -> None:
        """Keeps a typed text until the person says what to do with it."""
        sealed = (await self._keys.key(user_id)).seal(text, place("users", "pending_text", user_id))
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            await session.execute(
                update(User).where(User.id == user_id).values(pending_text=sealed)
            )

    async def held_text(self, user_id: int) -> str | None:
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            if user is None or user.pending_text is None:
                return None
        key = await self._keys.existing_key(user_id)
        # Words that no longer open (changed outside the bot) are words no longer kept.
        return open_or_empty(key, "users", "pending_text", user_id, user.pending_text) or None

    async def expect(
        self, user_id: int, awaited: Awaited | None, at: datetime | None = None
    ) -> None:
        """The bot just asked (at `at`) for `awaited` (None: for nothing any more)."""
        values = NOTHING_AWAITED if awaited is None else _columns(awaited, at)
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            await session.execute(update(User).where(User.id == user_id).values(**values))
