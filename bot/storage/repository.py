"""The repository facade: the only way handlers read and write data. No SQL outside storage/.

Every write that comes from a user's update records the update id in the same transaction, so a
redelivered update can be recognised and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, delete, func, literal, or_, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.conversation import Awaited
from bot.core.draft import Draft, Step
from bot.core.history import (
    PAGE_SIZE,
    HistoryPage,
    SavedMessage,
    UserExport,
    clamp_page,
    reflection_export,
)
from bot.core.pairing import Partner
from bot.core.reflect import Reflection, Role
from bot.core.reminder_kinds import ReminderKind
from bot.core.safety import PLAN_PARTS
from bot.core.week import Named, Records
from bot.storage.common import UpdateMark, aware, ensure_user, insert_for, insert_for_dialect
from bot.storage.conversation import ConversationRepository, awaited_of
from bot.storage.database import create_reader, reclaim_deleted
from bot.storage.inbox import InboxRepository
from bot.storage.keys import Keyring
from bot.storage.listening import ListeningRepository
from bot.storage.models import (
    OTHERS_NAMING,
    USER_COLUMNS,
    Base,
    CheckinRow,
    DoneAction,
    DraftRow,
    MessageRow,
    ProcessedUpdate,
    ReflectionRow,
    SafetyPlanRow,
    User,
)
from bot.storage.pairing import PairingRepository, forget_pairing
from bot.storage.reminders import ReminderRepository
from bot.storage.safety import SafetyRepository
from bot.storage.sealed import open_text, seal_values
from bot.storage.sealing import DataKey, Unreadable

log = logging.getLogger(__name__)
OUTCOME_KIND = ReminderKind.OUTCOME.value
# Actions that are only taps remembered for a moment (bot/handlers/taps.py): "tap:...".
TAP_PREFIX = "tap:"
# What a partner's answers leave behind (targets end with the id of the one answered): a
# one-tap answer, and a written reply (bot/features/sharing).
ANSWER_ACTIONS = ("reply", "wrote", "time")
T = TypeVar("T")
A = TypeVar("A")


async def _once_more_if_reconnected(query: Callable[[A], Awaitable[T]], argument: A) -> T:
    """Runs a query; if its pooled connection turned out dead (the database restarted since it
    was last used), runs it once more on a fresh one. Only for statements that are safe to
    repeat: a read, or the draft's upsert."""
    try:
        return await query(argument)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.info("database connection was gone; trying once more on a new one")
        return await query(argument)


def _to_draft(row: Row[Any] | DraftRow, key: DataKey | None) -> Draft:
    """Raises Unreadable if a part does not open: a draft with a hole is no draft to resume."""
    user_id = row.user_id

    def part(name: str) -> str:
        return open_text(key, "drafts", name, user_id, getattr(row, name))

    return Draft(
        feeling=part("feeling"),
        reason=part("reason"),
        regulation=part("regulation"),
        request=part("request"),
        step=Step(row.step),
        editing=row.editing,
        kept=frozenset(part("kept_checks").split()),
    )


def _readable(rows: Iterable[MessageRow], key: DataKey | None) -> list[SavedMessage]:
    """The messages that open; one that does not (changed outside the bot, or restored from a
    backup after its key was shredded) is left out rather than failing the whole list."""
    found = []
    for row in rows:
        try:
            found.append(_to_saved(row, key))
        except Unreadable:
            log.warning("user=%s: message %s does not open; left out", row.user_id, row.id)
    return found


def _to_saved(row: MessageRow, key: DataKey | None) -> SavedMessage:
    def part(name: str) -> str:
        return open_text(key, "messages", name, row.user_id, getattr(row, name), row.id)

    return SavedMessage(
        id=row.id,
        text=part("text"),
        created_at=aware(row.created_at),
        feeling=part("feeling"),
        reason=part("reason"),
        regulation=part("regulation"),
        request=part("request"),
    )


DRAFTS = Base.metadata.tables[DraftRow.__tablename__]
USERS = Base.metadata.tables[User.__tablename__]
_ASKED = ("awaiting", "awaiting_since", "pending_reply_message", "pending_reply_to")
USERS = Base.metadata.tables[User.__tablename__]
# How many of a draft's latest updates it remembers (see DraftRow.recent_updates): more than
# one person's updates in the one batch of getUpdates that a crash can leave unconfirmed.
RECENT_UPDATES = 8
_RECENT_CHARS = RECENT_UPDATES * 17 - 1
_DRAFT_FIELDS = (
    "feeling", "reason", "regulation", "request", "step", "editing", "kept_checks", "active",
    "updated_at",
)  # fmt: skip


def _latest_reflections(
    copies: list[Reflection],
) -> tuple[list[Reflection], dict[int, Reflection]]:
    """From a person's copies (newest first): the latest of each message they said back, and
    the latest said back to them for each of their messages."""
    heard: dict[int, Reflection] = {}
    said_back: dict[int, Reflection] = {}
    for found in copies:
        latest = heard if found.role is Role.LISTENER else said_back
        latest.setdefault(found.message_id, found)
    return list(heard.values()), said_back


async def _insert_message(
    session: AsyncSession,
    key: DataKey,
    user_id: int,
    parts: dict[str, str],
    text: str,
    at: datetime | None,
) -> int:
    """A finished message, its parts and text sealed; its id. `at`: the bot's clock."""
    await ensure_user(session, user_id)
    values = {**parts, "text": text}
    # Inserted first for its id, which is part of where each sealed text belongs.
    message = MessageRow(user_id=user_id, **dict.fromkeys(values, ""))
    message.created_at = at or datetime.now(UTC)
    session.add(message)
    await session.flush()
    for name, sealed in seal_values(key, "messages", user_id, values, message.id).items():
        setattr(message, name, sealed)
    return message.id


class _HotPath:
    """The statements of every conversation step, built once per database kind.

    A step reads the draft and writes it back. Built once and run on a plain connection
    with parameters, they skip the ORM and SQLAlchemy's per-statement cache-key work, which
    together cost more CPU than the rest of a step (measured with py-spy; see the README)."""

    def __init__(self, dialect: str) -> None:
        insert = insert_for_dialect(dialect)
        # The draft, and what else the bot asked the person since (a check-in, a part of the
        # safety plan): in the same statement, so the step's read stays one.
        self.load_draft = (
            select(DRAFTS, *(USERS.c[name] for name in _ASKED))
            .select_from(DRAFTS.outerjoin(USERS, USERS.c.id == DRAFTS.c.user_id))
            .where(DRAFTS.c.user_id == bindparam("user_id"))
        )
        upsert = insert(DRAFTS)
        self.save_draft = upsert.on_conflict_do_update(
            index_elements=[DRAFTS.c.user_id],
            set_={
                **{name: upsert.excluded[name] for name in _DRAFT_FIELDS},
                # A save outside an update (no id) keeps the last one's.
                "update_id": func.coalesce(upsert.excluded.update_id, DRAFTS.c.update_id),
                # This update's key in front, the oldest falling off the end (keys are 16
                # characters, so the cut is always between two keys).
                "recent_updates": func.coalesce(
                    func.substr(
                        upsert.excluded.recent_updates.concat(" ").concat(
                            func.coalesce(DRAFTS.c.recent_updates, "")
                        ),
                        1,
                        _RECENT_CHARS,
                    ),
                    DRAFTS.c.recent_updates,
                ),
            },
        )
        self.draft_updates = select(DRAFTS.c.recent_updates).where(
            DRAFTS.c.user_id == bindparam("user_id")
        )


class Storage:
    """Drafts, history and everything else, keyed by the Telegram user id."""

    def __init__(
        self, engine: AsyncEngine, keys: Keyring, quick: AsyncEngine | None = None
    ) -> None:
        self.engine = engine
        self.keys = keys
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._hot = _HotPath(engine.dialect.name)
        self._reader = create_reader(engine)
        # On PostgreSQL, a step's single statement runs without BEGIN/COMMIT around it: one
        # round trip instead of three, and one statement is atomic on its own. (SQLite gains
        # nothing: its driver keeps no transaction open for a lone statement either way.)
        self._single = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        self.pairing = PairingRepository(self._sessions)
        self.reminders = ReminderRepository(self._sessions, keys)
        self.conversation = ConversationRepository(self._sessions, keys)
        self.safety = SafetyRepository(self._sessions, keys)
        self.listening = ListeningRepository(self._sessions, keys)
        self.inbox = InboxRepository(engine, keys, quick)

    async def close(self) -> None:
        """Closes every connection (at shutdown)."""
        if self._reader is not None:
            self._reader.dispose()
        await self.inbox.close()
        await self.engine.dispose()
        await self.keys.close()

    def _session(self) -> AsyncSession:
        return self._sessions()

    async def _applied(
        self, session: AsyncSession, user_id: int, update: UpdateMark | None
    ) -> None:
        """Marks the update as applied, in the caller's transaction (idempotent). The users
        row must exist (a processed update is data about the user)."""
        if update is None:
            return
        insert = insert_for(session)(ProcessedUpdate)
        await session.execute(
            insert.from_select(
                ["update_id", "update_key", "user_id", "applied_at"],
                select(
                    literal(update.id, ProcessedUpdate.update_id.type),
                    literal(update.key, ProcessedUpdate.update_key.type),
                    USERS.c.id,
                    literal(datetime.now(UTC), ProcessedUpdate.applied_at.type),
                ).where(USERS.c.id == user_id),
            ).on_conflict_do_update(
                # An id seen before a renumbering belongs to another update: this one wins.
                index_elements=[ProcessedUpdate.update_id],
                set_={
                    "update_key": insert.excluded.update_key,
                    "user_id": insert.excluded.user_id,
                    "applied_at": insert.excluded.applied_at,
                },
            )
        )

    async def record_handled(self, user_id: int, update: UpdateMark) -> None:
        """Marks an update as handled after a handler that changed nothing through the draft
        (its own writes are committed by then). Nothing for someone without a users row: a
        person who just had their data forgotten must not get a row back."""
        async with self._session() as session, session.begin():
            await self._applied(session, user_id, update)

    # --- updates ---------------------------------------------------------------------------

    async def latest_applied_update(self) -> int | None:
        """At start-up. The drafts' maximum reads the drafts table without an index, like the
        conversation states read at start-up do anyway: with an index on update_id, one more to
        write on every step, PostgreSQL did 574 against 649 steps/s (100 people, 0 ms)."""
        async with self._session() as session:
            found = [
                await session.scalar(select(func.max(ProcessedUpdate.update_id))),
                await session.scalar(select(func.max(DraftRow.update_id))),
            ]
            return max((int(value) for value in found if value is not None), default=None)

    async def was_applied(self, update: UpdateMark, user_id: int) -> bool:
        """True if this very update (same id and content) was handled already: Telegram
        delivered it again. Its handling is recorded, or it is among the draft's latest."""
        async with self.engine.connect() as connection:
            recorded = await connection.scalar(
                select(ProcessedUpdate.update_key).where(ProcessedUpdate.update_id == update.id)
            )
            if recorded == update.key:
                return True
            recent = await connection.scalar(self._hot.draft_updates, {"user_id": user_id})
            return recent is not None and update.key in recent.split()

    async def prune_processed_updates(self, before: datetime) -> int:
        async with self._session() as session, session.begin():
            result = await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.applied_at < before)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def prune_taps(self, before: datetime) -> int:
        """Housekeeping: taps remembered to tell a double tap (bot/handlers/taps.py) outlive
        their few seconds of use; older ones go."""
        async with self._session() as session, session.begin():
            result = await session.execute(
                delete(DoneAction).where(
                    DoneAction.action.like(f"{TAP_PREFIX}%"), DoneAction.done_at < before
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- things done once ------------------------------------------------------------------

    async def claim_action(self, user_id: int, action: str, target: str) -> bool:
        """True if the user had not done `action` to `target` yet (it is now theirs to do);
        False if it was done (or is being done) already."""
        async with self._session() as session, session.begin():
            await ensure_user(session, user_id)
            result = await session.execute(
                insert_for(session)(DoneAction)
                .values(user_id=user_id, action=action, target=target, done_at=datetime.now(UTC))
                .on_conflict_do_nothing()
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def done_targets(self, user_id: int, action: str) -> set[str]:
        """Everything the user did `action` to (the exercises they answered, for one)."""
        async with self._session() as session:
            found = await session.scalars(
                select(DoneAction.target).where(
                    DoneAction.user_id == user_id, DoneAction.action == action
                )
            )
            return set(found)

    async def did(self, user_id: int, action: str, target: str) -> bool:
        """Whether the user did (or is doing) `action` to `target`."""
        async with self._session() as session:
            found = await session.get(DoneAction, (user_id, action, target))
            return found is not None

    async def first_tap(self, user_id: int, action: str, target: str, window: timedelta) -> bool:
        """False for the same tap again within `window` (a double tap, a slow phone): its screen
        was just shown. True otherwise, and the tap is remembered from now."""
        now = datetime.now(UTC)
        async with self._session() as session, session.begin():
            await ensure_user(session, user_id)
            statement = insert_for(session)(DoneAction).values(
                user_id=user_id, action=action, target=target, done_at=now
            )
            result = await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[DoneAction.user_id, DoneAction.action, DoneAction.target],
                    set_={"done_at": now},
                    where=DoneAction.done_at < now - window,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def forget_taps(self, user_id: int, *taps: str) -> None:
        """The screens these taps opened were closed: tapping again opens them again."""
        async with self._session() as session, session.begin():
            await session.execute(
                delete(DoneAction).where(DoneAction.user_id == user_id, DoneAction.action.in_(taps))
            )

    async def release_action(self, user_id: int, action: str, target: str) -> None:
        """The claimed action could not be done: a later tap may try again."""
        async with self._session() as session, session.begin():
            await session.execute(
                delete(DoneAction).where(
                    DoneAction.user_id == user_id,
                    DoneAction.action == action,
                    DoneAction.target == target,
                )
            )

    # --- drafts ----------------------------------------------------------------------------

    async def load_draft(self, user_id: int) -> Draft | None:
        """The user's draft, or None if they have none."""
        return (await self.load_step(user_id))[0]

    async def load_step(self, user_id: int) -> tuple[Draft | None, Awaited | None]:
        """The user's draft (None if they have none), and what else the bot last asked them to
        type, if anything: one read."""
        row = None
        if self._reader is not None:
            try:
                with self._reader.connect() as reader:
                    row = reader.execute(self._hot.load_draft, {"user_id": user_id}).first()
                return await self._step_of(row)
            except OperationalError:
                pass  # busy in a way WAL readers rarely are: ask through the writer instead
        row = await _once_more_if_reconnected(self._read_draft, user_id)
        return await self._step_of(row)

    async def _step_of(self, row: Row[Any] | None) -> tuple[Draft | None, Awaited | None]:
        if row is None:
            return None, None
        try:
            # Reading never makes a key: a draft without one does not open.
            draft = _to_draft(row, await self.keys.existing_key(row.user_id))
        except Unreadable:
            # Taken for an expired draft: the person is told, and starts afresh.
            log.warning("user=%s: the draft does not open; treated as gone", row.user_id)
            return None, awaited_of(row)
        return draft, awaited_of(row)

    async def _read_draft(self, user_id: int) -> Row[Any] | None:
        async with self._single.connect() as connection:
            result = await connection.execute(self._hot.load_draft, {"user_id": user_id})
            return result.first()

    async def save_draft(
        self,
        user_id: int,
        draft: Draft,
        *,
        update: UpdateMark | None,
        active: bool = True,
        known_user: bool = False,
    ) -> None:
        """Writes the whole draft at once: the step and the answers can never disagree. The
        update's id goes in the same row, which is what marks the update as applied."""
        now = datetime.now(UTC)
        parts = {
            "feeling": draft.feeling,
            "reason": draft.reason,
            "regulation": draft.regulation,
            "request": draft.request,
            # Which of the gentle check's findings the person kept says something about what
            # they wrote ("blame in the reason"): sealed like the words.
            "kept_checks": " ".join(sorted(draft.kept)),
        }
        values = {
            "user_id": user_id,
            **seal_values(await self.keys.key(user_id), "drafts", user_id, parts),
            "step": draft.step.value,
            "editing": draft.editing,
            "active": active,
            "updated_at": now,
            "update_id": update.id if update else None,
            "recent_updates": update.key if update else None,
        }
        if known_user:
            # One statement: the hot path of every conversation step.
            await _once_more_if_reconnected(self._write_draft, values)
            return
        async with self.engine.begin() as connection:
            await ensure_user(connection, user_id)
            await connection.execute(self._hot.save_draft, values)

    async def _write_draft(self, values: dict[str, Any]) -> None:
        async with self._single.begin() as connection:
            await connection.execute(self._hot.save_draft, values)

    async def draft_active(self, user_id: int) -> bool:
        """Whether the person is inside the composer (a draft they have not stepped out of)."""
        async with self._session() as session:
            row = await session.get(DraftRow, user_id)
            return row is not None and row.active

    async def set_draft_active(
        self, user_id: int, active: bool, *, update: UpdateMark | None
    ) -> None:
        async with self._session() as session, session.begin():
            row = await session.get(DraftRow, user_id)
            if row is not None:
                row.active = active
                await self._applied(session, user_id, update)

    async def finish_draft(
        self,
        user_id: int,
        draft: Draft,
        text: str,
        *,
        update: UpdateMark | None,
        at: datetime | None = None,
    ) -> int:
        """Saves the finished message to history and clears the draft, in one transaction."""
        key = await self.keys.key(user_id)
        parts = {
            "feeling": draft.feeling,
            "reason": draft.reason,
            "regulation": draft.regulation,
            "request": draft.request,
        }
        async with self._session() as session, session.begin():
            message_id = await _insert_message(session, key, user_id, parts, text, at)
            await session.execute(delete(DraftRow).where(DraftRow.user_id == user_id))
            await self._applied(session, user_id, update)
            return message_id

    async def save_message(
        self, user_id: int, parts: dict[str, str], text: str, at: datetime | None = None
    ) -> int:
        """A finished message made outside the composer (a repair message), in history."""
        key = await self.keys.key(user_id)
        async with self._session() as session, session.begin():
            return await _insert_message(session, key, user_id, parts, text, at)

    async def active_conversations(self) -> dict[int, Step]:
        """The step of every draft whose user is inside the conversation, for PTB persistence."""
        async with self._session() as session:
            rows = await session.execute(
                select(DraftRow.user_id, DraftRow.step).where(DraftRow.active.is_(True))
            )
            return {user_id: Step(step) for user_id, step in rows}

    async def conversation_step(self, user_id: int) -> Step | None:
        """The step of the user's draft if they are inside the conversation (replicas read it
        before each update: another replica may have moved it on)."""
        async with self.engine.connect() as connection:
            step = await connection.scalar(
                select(DraftRow.step).where(DraftRow.user_id == user_id, DraftRow.active.is_(True))
            )
        return None if step is None else Step(step)

    async def expire_drafts(self, older_than: datetime) -> int:
        """Deletes drafts untouched since `older_than`; returns how many."""
        async with self._session() as session, session.begin():
            result = await session.execute(delete(DraftRow).where(DraftRow.updated_at < older_than))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- history ---------------------------------------------------------------------------

    async def history_page(self, user_id: int, page: int) -> HistoryPage:
        """One page of the user's messages and of the messages they heard and said back,
        newest first (the last page if `page` is past it)."""
        heard, said_back = _latest_reflections(await self.listening.of_person(user_id))
        async with self._session() as session:
            total = len(heard) + int(
                await session.scalar(
                    select(func.count())
                    .select_from(MessageRow)
                    .where(MessageRow.user_id == user_id)
                )
                or 0
            )
            page = clamp_page(page, total)
            end = (page + 1) * PAGE_SIZE
            stamps = await session.execute(
                select(MessageRow.id, MessageRow.created_at)
                .where(MessageRow.user_id == user_id)
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
                .limit(end)
            )
            # Both kinds in one order; this page's share of each.
            entries = sorted(
                [(aware(at), True, row_id) for row_id, at in stamps]
                + [(found.created_at, False, found.id) for found in heard],
                reverse=True,
            )[page * PAGE_SIZE : end]
            shown = [row_id for _, mine, row_id in entries if mine]
            rows = await session.scalars(
                select(MessageRow)
                .where(MessageRow.id.in_(shown))
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
            )
            messages = _readable(rows, await self.keys.existing_key(user_id))
        shown_heard = {row_id for _, mine, row_id in entries if not mine}
        return HistoryPage(
            messages,
            page,
            total,
            heard=[found for found in heard if found.id in shown_heard],
            said_back={m.id: said_back[m.id] for m in messages if m.id in said_back},
        )

    async def recent_messages(self, user_id: int, limit: int) -> list[SavedMessage]:
        """The user's newest messages (for inline sharing)."""
        key = await self.keys.existing_key(user_id)
        async with self._session() as session:
            rows = await session.scalars(
                select(MessageRow)
                .where(MessageRow.user_id == user_id)
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
                .limit(limit)
            )
            return _readable(rows, key)

    async def saved_message(self, user_id: int, message_id: int) -> SavedMessage | None:
        """One of the user's own messages; None for anyone else's id."""
        async with self._session() as session:
            row = await session.get(MessageRow, message_id)
            if row is None or row.user_id != user_id:
                return None
        found = _readable([row], await self.keys.existing_key(user_id))
        return found[0] if found else None

    async def delete_history_before(self, cutoff: datetime) -> int:
        """Retention: deletes finished messages older than `cutoff`."""
        async with self._session() as session, session.begin():
            result = await session.execute(delete(MessageRow).where(MessageRow.created_at < cutoff))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- the weekly reflection -------------------------------------------------------------

    async def week_records(
        self, user_id: int, since: datetime, went_well: str, was_hard: str
    ) -> Records:
        """What the person's records hold since `since`, for the weekly reflection: feelings
        they named (check-ins and soft start-ups), soft start-ups written and sent, answers
        from their partner (one-tap answers and reflections), and how talks went (`went_well`
        and `was_hard` are the notes the two buttons leave). Texts that no longer open are
        left out."""
        key = await self.keys.existing_key(user_id)
        answered_target = f"%:{user_id}"
        async with self._session() as session:
            checkins = list(
                await session.scalars(
                    select(CheckinRow).where(
                        CheckinRow.user_id == user_id, CheckinRow.created_at >= since
                    )
                )
            )
            messages = list(
                await session.scalars(
                    select(MessageRow).where(
                        MessageRow.user_id == user_id, MessageRow.created_at >= since
                    )
                )
            )
            sent = list(
                await session.scalars(
                    select(DoneAction.done_at).where(
                        DoneAction.user_id == user_id,
                        DoneAction.action == "send",
                        DoneAction.done_at >= since,
                    )
                )
            )
            answers = list(
                await session.scalars(
                    select(DoneAction.done_at).where(
                        DoneAction.action.in_(ANSWER_ACTIONS),
                        DoneAction.target.like(answered_target),
                        DoneAction.done_at >= since,
                    )
                )
            )
            said_back = list(
                await session.scalars(
                    select(ReflectionRow.created_at).where(
                        ReflectionRow.user_id == user_id,
                        ReflectionRow.role == Role.SPEAKER.value,
                        ReflectionRow.created_at >= since,
                    )
                )
            )
        named, talks = [], []
        for row in checkins:
            try:
                feeling = open_text(key, "checkins", "feeling", user_id, row.feeling, row.id)
                note = open_text(key, "checkins", "note", user_id, row.note, row.id)
            except Unreadable:
                continue
            if row.kind == OUTCOME_KIND:
                good = True if note == went_well else False if note == was_hard else None
                talks.append((aware(row.created_at), good))
            elif feeling:
                named.append(Named(aware(row.created_at), feeling))
        for message in _readable(messages, key):
            named.append(Named(aware(message.created_at), message.feeling))
        return Records(
            named=named,
            written=[aware(message.created_at) for message in messages],
            sent=[aware(at) for at in sent],
            answered=[aware(at) for at in [*answers, *said_back]],
            talks=talks,
        )

    # --- the user --------------------------------------------------------------------------

    async def export(self, user_id: int) -> UserExport:
        """Everything kept about the user, opened with their own key."""
        key = await self.keys.existing_key(user_id)

        def draft_parts(row: DraftRow | None) -> dict[str, str] | None:
            """As the conversation sees it: a draft that does not open is no draft."""
            if row is None:
                return None
            try:
                found = _to_draft(row, key)
            except Unreadable:
                return None
            return {
                "feeling": found.feeling,
                "reason": found.reason,
                "regulation": found.regulation,
                "request": found.request,
                "step": row.step,
            }

        def checkin_part(row: CheckinRow, name: str) -> str:
            return open_text(key, "checkins", name, user_id, getattr(row, name), row.id)

        def checkin(row: CheckinRow) -> dict[str, str] | None:
            try:
                feeling, note = checkin_part(row, "feeling"), checkin_part(row, "note")
            except Unreadable:
                return None
            return {"feeling": feeling, "note": note, "at": aware(row.created_at).isoformat()}

        def opened(table: str, column: str, sealed: str | None) -> str | None:
            try:
                return open_text(key, table, column, user_id, sealed) if sealed else None
            except Unreadable:
                return None

        reflections = await self.listening.of_person(user_id)
        async with self._session() as session:
            user = await session.get(User, user_id)
            draft = await session.get(DraftRow, user_id)
            messages = await session.scalars(
                select(MessageRow)
                .where(MessageRow.user_id == user_id)
                .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
            )
            checkins = await session.scalars(
                select(CheckinRow).where(CheckinRow.user_id == user_id)
            )
            plan = await session.get(SafetyPlanRow, user_id)
            return UserExport(
                user_id=user_id,
                time_zone=user.time_zone if user else None,
                messages=_readable(messages, key),
                draft=draft_parts(draft),
                checkins=[entry for entry in map(checkin, checkins) if entry is not None],
                help_country=user.help_country if user else None,
                kept_words=opened("users", "pending_text", user.pending_text if user else None),
                reflections=[reflection_export(found) for found in reflections],
                safety_plan=(
                    {
                        part.value: opened("safety_plans", part.value, getattr(plan, part.value))
                        or ""
                        for part in PLAN_PARTS
                    }
                    if plan is not None
                    else None
                ),
            )

    async def forget(self, user_id: int, now: datetime) -> Partner | None:
        """Deletes every row about the user, in every table, in one transaction; returns the
        partner they were paired with, who is told only that the pairing ended.

        Their data key goes first (committed in the key store before the rows go): from then
        on nothing of theirs opens, in this database or in any copy of it, even if deleting
        the rows fails and has to be tried again."""
        await self.keys.forget(user_id)
        async with self._session() as session, session.begin():
            partner = await forget_pairing(session, user_id, now)
            tables = Base.metadata.tables
            # Children first, the users row last, so it works with or without foreign keys.
            for name, columns in USER_COLUMNS.items():
                if name in {"users", "pairings"}:
                    continue
                table = tables[name]
                await session.execute(
                    delete(table).where(or_(*(table.c[column] == user_id for column in columns)))
                )
            for name, (column, instead) in OTHERS_NAMING.items():
                table = tables[name]
                await session.execute(
                    table.update().where(table.c[column] == user_id).values(instead)
                )
            await session.execute(delete(User).where(User.id == user_id))
        await reclaim_deleted(self.engine)
        return partner
