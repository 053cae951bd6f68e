"""Pairings, invites and replies between partners. Reached as `Storage.pairing`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.pairing import Invite, InviteProblem, Partner, invite_problem
from bot.storage.common import aware, ensure_user
from bot.storage.conversation import NOTHING_AWAITED
from bot.storage.models import InviteRow, MessageRow, PairingRow, User
from bot.storage.reminders import add_notice


def _to_invite(row: InviteRow) -> Invite:
    return Invite(
        token_hash=row.token_hash,
        inviter_id=row.inviter_id,
        inviter_name=row.inviter_name,
        expires_at=aware(row.expires_at),
        used=row.used_at is not None,
        revoked=row.revoked,
    )


async def _pairing_of(session: AsyncSession, user_id: int) -> PairingRow | None:
    result = await session.scalars(
        select(PairingRow).where(
            or_(PairingRow.inviter_id == user_id, PairingRow.partner_id == user_id)
        )
    )
    return result.first()


def _partner_in(row: PairingRow, user_id: int) -> Partner:
    if row.inviter_id == user_id:
        return Partner(row.partner_id, row.partner_name)
    return Partner(row.inviter_id, row.inviter_name)


class PairingRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def partner_of(self, user_id: int) -> Partner | None:
        async with self._sessions() as session:
            row = await _pairing_of(session, user_id)
            return _partner_in(row, user_id) if row else None

    async def create_invite(
        self, inviter_id: int, inviter_name: str, token_hash: str, expires_at: datetime
    ) -> None:
        """A new invite; any earlier open invite of the same person is revoked."""
        async with self._sessions() as session, session.begin():
            await ensure_user(session, inviter_id)
            await session.execute(
                update(InviteRow)
                .where(InviteRow.inviter_id == inviter_id, InviteRow.used_at.is_(None))
                .values(revoked=True)
            )
            session.add(
                InviteRow(
                    token_hash=token_hash,
                    inviter_id=inviter_id,
                    inviter_name=inviter_name[:64],
                    created_at=datetime.now(UTC),
                    expires_at=expires_at,
                )
            )

    async def open_invite(self, inviter_id: int, now: datetime) -> Invite | None:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(InviteRow).where(
                    InviteRow.inviter_id == inviter_id,
                    InviteRow.used_at.is_(None),
                    InviteRow.revoked.is_(False),
                )
            )
            invites = [_to_invite(row) for row in rows]
            return next((i for i in invites if i.expires_at > now), None)

    async def revoke_invites(self, inviter_id: int) -> int:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(InviteRow)
                .where(
                    InviteRow.inviter_id == inviter_id,
                    InviteRow.used_at.is_(None),
                    InviteRow.revoked.is_(False),
                )
                .values(revoked=True)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def offer_invite(
        self, token_hash: str, user_id: int, answer_key_hash: str, now: datetime
    ) -> tuple[Invite | None, InviteProblem | None]:
        """The invite behind a token, and what (if anything) stops `user_id` accepting it. If
        nothing does, it is offered to them: only the buttons with this answer key, pressed by
        them, can answer it (any earlier offer's buttons stop working)."""
        async with self._sessions() as session, session.begin():
            row = await session.get(InviteRow, token_hash, with_for_update=True)
            invite = _to_invite(row) if row else None
            inviter_paired = bool(invite and await _pairing_of(session, invite.inviter_id))
            user_paired = bool(await _pairing_of(session, user_id))
            problem = invite_problem(
                invite, user_id, now, inviter_paired=inviter_paired, user_paired=user_paired
            )
            if problem is None and row is not None:
                row.offered_to, row.answer_key_hash = user_id, answer_key_hash
            return invite, problem

    async def answer_invite(
        self, answer_key_hash: str, user_id: int, user_name: str, accept: bool, now: datetime
    ) -> tuple[Invite | None, InviteProblem | None]:
        """Accepts (pairing the two) or declines an invite, using it up, in one transaction.
        Only the person it was offered to, with the key of the buttons they were shown."""
        async with self._sessions() as session, session.begin():
            row = await session.scalar(
                select(InviteRow)
                .where(InviteRow.answer_key_hash == answer_key_hash)
                .with_for_update()
            )
            if row is not None and row.offered_to != user_id:
                row = None
            invite = _to_invite(row) if row else None
            if accept and invite is not None:
                await _lock_people(session, invite.inviter_id, user_id)
            problem = invite_problem(
                invite,
                user_id,
                now,
                inviter_paired=bool(invite and await _pairing_of(session, invite.inviter_id)),
                user_paired=accept and bool(await _pairing_of(session, user_id)),
            )
            if problem is not None or row is None or invite is None:
                return invite, problem
            row.used_at = now
            name = user_name[:64]
            await add_notice(
                session,
                invite.inviter_id,
                "accepted_inviter" if accept else "declined_inviter",
                name,
                now,
            )
            if accept:
                session.add(
                    PairingRow(
                        inviter_id=invite.inviter_id,
                        partner_id=user_id,
                        inviter_name=invite.inviter_name,
                        partner_name=user_name[:64],
                        created_at=now,
                    )
                )
            return invite, None

    async def end_pairing(self, user_id: int, now: datetime) -> Partner | None:
        """Ends the user's pairing (the partner is told, by name); returns who they were."""
        async with self._sessions() as session, session.begin():
            row = await _pairing_of(session, user_id)
            if row is None:
                return None
            partner = _partner_in(row, user_id)
            me = _partner_in(row, partner.user_id)
            await add_notice(session, partner.user_id, "pairing_ended_by_partner", me.name, now)
            await session.delete(row)
            await _clear_replies_between(session, user_id, partner.user_id)
            return partner

    async def message_owner(self, message_id: int) -> int | None:
        async with self._sessions() as session:
            row = await session.get(MessageRow, message_id)
            return row.user_id if row else None


async def _lock_people(session: AsyncSession, *people: int) -> None:
    """Holds both people's users rows until the transaction ends, so two pairings that share
    a person are made one after the other, and the second sees the first (one partner at a
    time). Locked in id order, so two such transactions cannot deadlock. SQLite has one
    writer at a time, which serialises them anyway."""
    for person in sorted(set(people)):
        await ensure_user(session, person)
    await session.execute(
        select(User.id).where(User.id.in_(people)).order_by(User.id).with_for_update()
    )


async def _clear_replies_between(session: AsyncSession, one: int, other: int) -> None:
    await session.execute(
        update(User)
        .where(
            or_(
                (User.id == one) & (User.pending_reply_to == other),
                (User.id == other) & (User.pending_reply_to == one),
            )
        )
        .values(**NOTHING_AWAITED)
    )


async def forget_pairing(session: AsyncSession, user_id: int, now: datetime) -> Partner | None:
    """Within /forget's transaction: ends the pairing and clears replies aimed at the user.
    The partner is told only that the pairing ended (no name: nothing about the user stays)."""
    row = await _pairing_of(session, user_id)
    partner = _partner_in(row, user_id) if row else None
    if partner is not None:
        await add_notice(session, partner.user_id, "pairing_ended_plain", "", now)
    await session.execute(
        update(User).where(User.pending_reply_to == user_id).values(**NOTHING_AWAITED)
    )
    await session.execute(
        delete(PairingRow).where(
            or_(PairingRow.inviter_id == user_id, PairingRow.partner_id == user_id)
        )
    )
    return partner
