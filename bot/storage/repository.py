"""The repository facade: the only way handlers read and write data. No SQL outside storage/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.draft import Draft, Step
from bot.storage.models import DraftRow, MessageRow, User


def _to_draft(row: DraftRow) -> Draft:
    return Draft(
        feeling=row.feeling,
        reason=row.reason,
        regulation=row.regulation,
        request=row.request,
        step=Step(row.step),
        editing=row.editing,
    )


class Storage:
    """Drafts and finished messages, keyed by the Telegram user id."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    def _session(self) -> AsyncSession:
        return self._sessions()

    async def _ensure_user(self, session: AsyncSession, user_id: int) -> None:
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(User)
            .values(id=user_id, locale="en")
            .on_conflict_do_nothing(index_elements=[User.id])
        )

    async def load_draft(self, user_id: int) -> Draft | None:
        """The user's draft, or None if they have none."""
        async with self._session() as session:
            row = await session.get(DraftRow, user_id)
            return _to_draft(row) if row else None

    async def save_draft(self, user_id: int, draft: Draft, *, active: bool = True) -> None:
        """Writes the whole draft at once: the step and the answers can never disagree."""
        async with self._session() as session, session.begin():
            await self._ensure_user(session, user_id)
            row = await session.get(DraftRow, user_id)
            if row is None:
                row = DraftRow(user_id=user_id)
                session.add(row)
            row.feeling = draft.feeling
            row.reason = draft.reason
            row.regulation = draft.regulation
            row.request = draft.request
            row.step = draft.step.value
            row.editing = draft.editing
            row.active = active

    async def set_draft_active(self, user_id: int, active: bool) -> None:
        async with self._session() as session, session.begin():
            row = await session.get(DraftRow, user_id)
            if row is not None:
                row.active = active

    async def delete_draft(self, user_id: int) -> None:
        async with self._session() as session, session.begin():
            await session.execute(delete(DraftRow).where(DraftRow.user_id == user_id))

    async def finish_draft(self, user_id: int, draft: Draft, text: str) -> int:
        """Saves the finished message to history and clears the draft, in one transaction."""
        async with self._session() as session, session.begin():
            await self._ensure_user(session, user_id)
            message = MessageRow(
                user_id=user_id,
                feeling=draft.feeling,
                reason=draft.reason,
                regulation=draft.regulation,
                request=draft.request,
                text=text,
            )
            session.add(message)
            await session.execute(delete(DraftRow).where(DraftRow.user_id == user_id))
            await session.flush()
            return message.id

    async def messages(self, user_id: int) -> list[str]:
        """The user's finished messages, newest first."""
        async with self._session() as session:
            result = await session.scalars(
                select(MessageRow.text)
                .where(MessageRow.user_id == user_id)
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
            )
            return list(result)

    async def active_conversations(self) -> dict[int, Step]:
        """The step of every draft whose user is inside the conversation, for PTB persistence."""
        async with self._session() as session:
            rows = await session.execute(
                select(DraftRow.user_id, DraftRow.step).where(DraftRow.active.is_(True))
            )
            return {user_id: Step(step) for user_id, step in rows}

    async def expire_drafts(self, older_than: datetime) -> int:
        """Deletes drafts untouched since `older_than`; returns how many."""
        async with self._session() as session, session.begin():
            result = await session.execute(delete(DraftRow).where(DraftRow.updated_at < older_than))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
