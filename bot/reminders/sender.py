"""Turns a due reminder into a Telegram message. Telegram's answer decides the outcome: sent,
blocked (403), or a passing failure to retry later."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.content import Content
from bot.core.conversation import Awaited, Expecting
from bot.core.history import preview
from bot.core.reflect import Understood
from bot.core.reminder_kinds import ReminderKind
from bot.core.schedule import moment_of, spoken, spoken_ahead
from bot.features.checkin import views as checkin_views
from bot.features.compose import views as compose_views
from bot.features.coregulation import views as coregulation_views
from bot.features.follow_ups import views as follow_ups_views
from bot.features.pairing import views as pairing_views
from bot.features.sharing import views as sharing_views
from bot.features.week.handlers import send_weekly, weekly_message
from bot.reminders.dispatcher import Sent
from bot.storage import Storage
from bot.storage.reminders import DueReminder

log = logging.getLogger(__name__)


class ReminderSender:
    def __init__(self, bot: Bot, content: Content, storage: Storage) -> None:
        self.bot = bot
        self.content = content
        self.storage = storage

    async def __call__(self, due: DueReminder, offer_pause: bool) -> Sent:
        if due.reminder.kind == ReminderKind.WEEKLY:
            return await self._weekly(due)
        message = await self._message(due, offer_pause)
        if message is None:
            return Sent.SENT  # nothing left to remind about (e.g. the message was deleted)
        text, markup = message
        reminder = due.reminder
        if reminder.kind == ReminderKind.CHECKIN and not offer_pause:
            # The nudge asks how they are: an answer in words is a check-in. Set before it is
            # sent, so an answer typed the moment it arrives finds it (and a question the
            # person is in the middle of answering keeps its place).
            await self.storage.conversation.expect_if_free(
                reminder.user_id,
                Awaited(Expecting.NUDGE_ANSWER),
                at=reminder.next_fire_at or datetime.now(UTC),
            )
        return await self._send(
            reminder.id,
            lambda: self.bot.send_message(reminder.user_id, text, reply_markup=markup),
        )

    async def _weekly(self, due: DueReminder) -> Sent:
        """The weekly reflection, with its picture; skipped (to next week) while the person
        paused their reminders."""
        reminder = due.reminder
        now = reminder.next_fire_at or datetime.now(UTC)
        daily = await self.storage.reminders.daily(reminder.user_id)
        if daily is not None and daily.paused_until is not None and daily.paused_until > now:
            return Sent.SENT
        message = await weekly_message(
            self.storage,
            self.content,
            reminder.user_id,
            now,
            ZoneInfo(due.time_zone),
            on_sunday=True,
        )
        return await self._send(
            reminder.id, lambda: send_weekly(self.bot, reminder.user_id, message)
        )

    async def _send(self, reminder_id: int, send: Callable[[], Awaitable[object]]) -> Sent:
        """Telegram's answer decides: sent, blocked (403, or the chat is gone), or a passing
        failure to retry later."""
        try:
            await send()
        except Forbidden:
            return Sent.BLOCKED
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                return Sent.BLOCKED
            log.warning("reminder=%s rejected: %s", reminder_id, error.__class__.__name__)
            return Sent.RETRY
        except TelegramError as error:
            log.warning("reminder=%s not sent: %s", reminder_id, error.__class__.__name__)
            return Sent.RETRY
        return Sent.SENT

    async def _message(
        self, due: DueReminder, offer_pause: bool
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """The reminder as its feature's view renders it; None if nothing is left to say."""
        texts = self.content.texts
        reminder = due.reminder
        kind = reminder.kind
        if kind == ReminderKind.CHECKIN:
            if offer_pause:
                return checkin_views.pause_offer(texts)
            moment = reminder.next_fire_at or datetime.now(UTC)
            return checkin_views.nudge(texts, moment, due.time_zone, reminder.user_id)
        if kind == ReminderKind.NOTICE:
            return pairing_views.notice(texts, reminder.payload), None
        if kind == ReminderKind.CONTINUE:
            return compose_views.ready_to_continue(self.content)
        if kind in (ReminderKind.COME_BACK, ReminderKind.TALK):
            return await self._with_partner(due)
        message_id = int(reminder.payload.get("message_id", 0))
        # None also for a message that no longer opens: nothing to remind of.
        saved = await self.storage.saved_message(reminder.user_id, message_id)
        if saved is None:
            return None
        if kind == ReminderKind.SEND_LATER:
            # The moment to send it: with the same ways to send as the message itself.
            partner = await self.storage.pairing.partner_of(reminder.user_id)
            markup = sharing_views.share_keyboard(texts, saved, partner, remind=False)
            return follow_ups_views.send_now(texts, saved.text), markup
        return follow_ups_views.outcome_question(texts, message_id)

    async def _with_partner(
        self, due: DueReminder
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """A reminder about the partner (coming back to their message, a talk): only while
        the two are still paired with each other; else nothing is said."""
        texts = self.content.texts
        reminder = due.reminder
        partner = await self.storage.pairing.partner_of(reminder.user_id)
        if partner is None or partner.user_id != reminder.payload.get("with"):
            return None
        if reminder.kind == ReminderKind.TALK:
            now = reminder.next_fire_at or datetime.now(UTC)
            talk = moment_of(int(reminder.payload.get("at", 0)))
            say = self.content.spoken_times
            if (await self.storage.reminders.user_clock(reminder.user_id)).time_zone is None:
                when = spoken_ahead(talk, now, say)  # no clock of theirs to name
            else:
                when = spoken(talk, now, ZoneInfo(due.time_zone), say)
            return texts.talk_reminder.format(name=html.escape(partner.name), when=when), None
        message_id = int(reminder.payload.get("message_id", 0))
        saved = await self.storage.saved_message(partner.user_id, message_id)
        if saved is None:
            return None
        _, latest = await self.storage.listening.tries(reminder.user_id, message_id)
        return coregulation_views.come_back_reminder(
            texts,
            partner.name,
            preview(saved.text, coregulation_views.ABOUT_LENGTH),
            message_id,
            can_hear=latest is not Understood.YES,
        )
