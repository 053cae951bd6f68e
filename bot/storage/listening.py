"""`Storage.listening`: reflections ("What I heard"), one copy for each of the two people."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.reflect import Reflection, Role, Understood
from bot.storage.common import aware, ensure_user
from bot.storage.keys import Keyring
from bot.storage.models import ReflectionRow
from bot.storage.sealed import open_text, seal_values
from bot.storage.sealing import DataKey, Unreadable

TABLE = "reflections"


def _opened(row: ReflectionRow, key: DataKey | None) -> Reflection | None:
    """The row as its owner reads it; None if it no longer opens."""

    def part(name: str) -> str:
        return open_text(key, TABLE, name, row.user_id, getattr(row, name), row.id)

    try:
        return Reflection(
            id=row.id,
            role=Role(row.role),
            partner_id=row.partner_id,
            message_id=row.message_id,
            attempt=row.attempt,
            text=part("text"),
            status=Understood(row.status),
            created_at=aware(row.created_at),
            heard=part("heard"),
            correction=part("correction"),
        )
    except Unreadable:
        return None


class ListeningRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: Keyring) -> None:
        self._sessions = sessions
        self._keys = keys

    async def tries(self, listener: int, message_id: int) -> tuple[int, Understood | None]:
        """How many reflections of this message the listener sent, and how the last one was
        answered (None: none sent)."""
        async with self._sessions() as session:
            statuses = list(
                await session.scalars(
                    select(ReflectionRow.status)
                    .where(
                        ReflectionRow.user_id == listener,
                        ReflectionRow.role == Role.LISTENER.value,
                        ReflectionRow.message_id == message_id,
                    )
                    .order_by(ReflectionRow.attempt.desc(), ReflectionRow.id.desc())
                )
            )
        return len(statuses), Understood(statuses[0]) if statuses else None

    async def record(
        self,
        listener: int,
        speaker: int,
        message_id: int,
        attempt: int,
        text: str,
        heard: str,
    ) -> tuple[int, int]:
        """Both copies in one transaction, before the reflection goes out (the speaker's
        buttons name their copy); returns (the listener's id, the speaker's id)."""
        keys = {person: await self._keys.key(person) for person in (listener, speaker)}
        # Stamped like finished messages (the wall clock), so /history orders both alike.
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            for person in (listener, speaker):
                await ensure_user(session, person)
            mine = self._row(listener, Role.LISTENER, speaker, message_id, attempt, now)
            theirs = self._row(speaker, Role.SPEAKER, listener, message_id, attempt, now)
            session.add_all([mine, theirs])
            # Inserted first for their ids, which are part of where each sealed text belongs.
            await session.flush()
            mine.counterpart_id, theirs.counterpart_id = theirs.id, mine.id
            for row, values in ((mine, {"text": text, "heard": heard}), (theirs, {"text": text})):
                for name, sealed in seal_values(
                    keys[row.user_id], TABLE, row.user_id, values, row.id
                ).items():
                    setattr(row, name, sealed)
            return mine.id, theirs.id

    @staticmethod
    def _row(
        owner: int, role: Role, partner: int, message_id: int, attempt: int, now: datetime
    ) -> ReflectionRow:
        return ReflectionRow(
            user_id=owner,
            role=role.value,
            partner_id=partner,
            message_id=message_id,
            attempt=attempt,
            text="",
            heard="",
            correction="",
            status=Understood.SENT.value,
            created_at=now,
        )

    async def discard(self, listener: int, ids: Iterable[int]) -> None:
        """Both copies of a reflection that never arrived."""
        async with self._sessions() as session, session.begin():
            for row_id in ids:
                row = await session.get(ReflectionRow, row_id)
                if row is not None and listener in {row.user_id, row.partner_id}:
                    await session.delete(row)

    async def get(self, user_id: int, row_id: int) -> Reflection | None:
        """One of the person's own copies; None for anyone else's id."""
        async with self._sessions() as session:
            row = await session.get(ReflectionRow, row_id)
            if row is None or row.user_id != user_id:
                return None
        return _opened(row, await self._keys.existing_key(user_id))

    async def answer(
        self, speaker: int, row_id: int, status: Understood, now: datetime
    ) -> Reflection | None:
        """ "That's it" or "Not quite", once: the speaker's copy moves on from "sent" (a
        second tap, or a tap on an answered one, finds it moved and changes nothing: None);
        the listener's copy follows."""
        async with self._sessions() as session, session.begin():
            moved = await session.execute(
                update(ReflectionRow)
                .where(
                    ReflectionRow.id == row_id,
                    ReflectionRow.user_id == speaker,
                    ReflectionRow.role == Role.SPEAKER.value,
                    ReflectionRow.status == Understood.SENT.value,
                )
                .values(status=status.value, answered_at=now)
            )
            if not moved.rowcount:  # type: ignore[attr-defined]
                return None
            row = await session.get(ReflectionRow, row_id)
            assert row is not None
            # A "not quite" reaches the listener's copy once it reaches the listener.
            if row.counterpart_id is not None and status is not Understood.NOT_QUITE:
                await session.execute(
                    update(ReflectionRow)
                    .where(
                        ReflectionRow.id == row.counterpart_id,
                        ReflectionRow.user_id == row.partner_id,
                    )
                    .values(status=status.value, answered_at=now)
                )
        return _opened(row, await self._keys.existing_key(speaker))

    async def not_quite_told(self, speaker: int, row_id: int, *, told: bool = True) -> None:
        """The listener hears the "not quite": their copy says so too (`told` False: it could
        not reach them after all, and their copy waits again)."""
        async with self._sessions() as session, session.begin():
            row = await session.get(ReflectionRow, row_id)
            if row is None or row.user_id != speaker or row.counterpart_id is None:
                return
            await session.execute(
                update(ReflectionRow)
                .where(
                    ReflectionRow.id == row.counterpart_id,
                    ReflectionRow.user_id == row.partner_id,
                )
                .values(
                    status=(Understood.NOT_QUITE if told else Understood.SENT).value,
                    answered_at=row.answered_at if told else None,
                )
            )

    async def reopen(self, speaker: int, row_id: int) -> None:
        """An answer that could not be passed on is no answer yet: both copies wait again."""
        async with self._sessions() as session, session.begin():
            row = await session.get(ReflectionRow, row_id)
            if row is None or row.user_id != speaker:
                return
            for copy_id, owner in ((row.id, speaker), (row.counterpart_id, row.partner_id)):
                await session.execute(
                    update(ReflectionRow)
                    .where(ReflectionRow.id == copy_id, ReflectionRow.user_id == owner)
                    .values(status=Understood.SENT.value, answered_at=None)
                )

    async def correct(self, speaker: int, row_id: int, words: str) -> bool:
        """The speaker's "not quite" words, on both copies (each sealed with its owner's key);
        False if that reflection was not answered "not quite"."""
        async with self._sessions() as session, session.begin():
            row = await session.get(ReflectionRow, row_id)
            if row is None or row.user_id != speaker or row.status != Understood.NOT_QUITE.value:
                return False
            other = (
                await session.get(ReflectionRow, row.counterpart_id)
                if row.counterpart_id is not None
                else None
            )
            for copy in (row, other if other and other.user_id == row.partner_id else None):
                if copy is None:
                    continue
                key = await self._keys.key(copy.user_id)
                sealed = seal_values(key, TABLE, copy.user_id, {"correction": words}, copy.id)
                copy.correction = sealed["correction"]
            return True

    async def said_back(self, speaker: int, message_id: int) -> Reflection | None:
        """The latest reflection of one of the speaker's messages (their copy)."""
        async with self._sessions() as session:
            row = await session.scalar(
                select(ReflectionRow)
                .where(
                    ReflectionRow.user_id == speaker,
                    ReflectionRow.role == Role.SPEAKER.value,
                    ReflectionRow.message_id == message_id,
                )
                .order_by(ReflectionRow.created_at.desc(), ReflectionRow.id.desc())
                .limit(1)
            )
        return None if row is None else _opened(row, await self._keys.existing_key(speaker))

    async def of_person(self, user_id: int) -> list[Reflection]:
        """Every copy the person keeps, newest first (those that no longer open left out)."""
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(ReflectionRow)
                    .where(ReflectionRow.user_id == user_id)
                    .order_by(ReflectionRow.created_at.desc(), ReflectionRow.id.desc())
                )
            )
        if not rows:
            return []
        key = await self._keys.existing_key(user_id)
        return [found for found in (_opened(row, key) for row in rows) if found is not None]
