"""`Storage.safety`: a person's private safety plan, and the country of their help lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.safety import PLAN_PARTS, PlanPart, SafetyPlan
from bot.storage.common import ensure_user, insert_for
from bot.storage.keys import Keyring
from bot.storage.models import SafetyPlanRow, User
from bot.storage.sealed import open_or_empty
from bot.storage.sealing import place


class SafetyRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: Keyring) -> None:
        self._sessions = sessions
        self._keys = keys

    async def plan(self, user_id: int) -> SafetyPlan:
        async with self._sessions() as session:
            row = await session.get(SafetyPlanRow, user_id)
            if row is None:
                return SafetyPlan()
        key = await self._keys.existing_key(user_id)
        return SafetyPlan(
            {
                part: open_or_empty(
                    key, "safety_plans", part.value, user_id, getattr(row, part.value)
                )
                for part in PLAN_PARTS
            }
        )

    async def save_part(self, user_id: int, part: PlanPart, text: str, at: datetime) -> None:
        """Writes one part (an empty text clears it), in one statement after the user row."""
        key = await self._keys.key(user_id)
        text = key.seal(text, place("safety_plans", part.value, user_id))
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            empty = {other.value: "" for other in PLAN_PARTS}
            await session.execute(
                insert_for(session)(SafetyPlanRow)
                .values(user_id=user_id, updated_at=at, **{**empty, part.value: text})
                .on_conflict_do_update(
                    index_elements=[SafetyPlanRow.user_id],
                    set_={part.value: text, "updated_at": at},
                )
            )

    async def country(self, user_id: int) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(select(User.help_country).where(User.id == user_id))

    async def choose_country(self, user_id: int, code: str) -> None:
        async with self._sessions() as session, session.begin():
            await ensure_user(session, user_id)
            await session.execute(update(User).where(User.id == user_id).values(help_country=code))
