"""Turns a due reminder into a Telegram message. Telegram's answer decides the outcome: sent,
blocked (403), or a passing failure to retry later."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.content import Content
from bot.features.compose import views as compose_views
from bot.features.follow_ups import views as follow_ups_views
from bot.handlers import keyboards
from bot.reminders.dispatcher import Sent
from bot.storage import Storage
from bot.storage.reminders import CHECKIN, CONTINUE, NOTICE, SEND_LATER, DueReminder

log = logging.getLogger(__name__)


class ReminderSender:
    def __init__(self, bot: Bot, content: Content, storage: Storage) -> None:
        self.bot = bot
        self.content = content
        self.storage = storage

    async def __call__(self, due: DueReminder, offer_pause: bool) -> Sent:
        message = await self._message(due, offer_pause)
        if message is None:
            return Sent.SENT  # nothing left to remind about (e.g. the message was deleted)
        text, markup = message
        try:
            await self.bot.send_message(due.reminder.user_id, text, reply_markup=markup)
        except Forbidden:
            return Sent.BLOCKED
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                return Sent.BLOCKED
            log.warning("reminder=%s rejected: %s", due.reminder.id, error.__class__.__name__)
            return Sent.RETRY
        except TelegramError as error:
            log.warning("reminder=%s not sent: %s", due.reminder.id, error.__class__.__name__)
            return Sent.RETRY
        return Sent.SENT

    async def _message(
        self, due: DueReminder, offer_pause: bool
    ) -> tuple[str, InlineKeyboardMarkup | None] | None:
        texts = self.content.texts
        kind = due.reminder.kind
        if kind == CHECKIN and offer_pause:
            return texts.pause_offer, keyboards.grid(
                [(texts.offer_pause_button, "of:pause")],
                [(texts.offer_time_button, "of:time")],
                [(texts.offer_keep_button, "of:keep")],
            )
        if kind == CHECKIN:
            return self._nudge_text(due), keyboards.grid(
                [(texts.nudge_checkin_button, "nd:checkin")],
                [(texts.nudge_compose_button, compose_views.COMPOSE)],
                [(texts.nudge_breathe_button, "nd:breathe")],
                [(texts.nudge_snooze_button, "nd:snooze"), (texts.nudge_skip_button, "nd:skip")],
            )
        if kind == NOTICE:
            return self._notice(due), None
        if kind == CONTINUE:
            return texts.ready_to_continue, keyboards.grid(
                [(texts.continue_button, compose_views.RESUME)]
            )
        message_id = int(due.reminder.payload.get("message_id", 0))
        saved = await self.storage.saved_message(due.reminder.user_id, message_id)
        if saved is None:
            return None
        if kind == SEND_LATER:
            quoted = html.escape(saved.text, quote=False)
            return f"{texts.send_now_nudge}\n\n<blockquote>{quoted}</blockquote>", None
        return texts.outcome_question, keyboards.grid(
            [(texts.outcome_well_button, follow_ups_views.Outcome("well", message_id).pack())],
            [(texts.outcome_hard_button, follow_ups_views.Outcome("hard", message_id).pack())],
            [(texts.outcome_write_button, follow_ups_views.Outcome("write", message_id).pack())],
            [(texts.outcome_skip_button, follow_ups_views.Outcome("skip", message_id).pack())],
        )

    def _notice(self, due: DueReminder) -> str:
        payload = due.reminder.payload
        texts = self.content.texts
        template = {
            "accepted_inviter": texts.accepted_inviter,
            "declined_inviter": texts.declined_inviter,
            "pairing_ended_by_partner": texts.pairing_ended_by_partner,
            "pairing_ended_plain": texts.pairing_ended_plain,
        }[str(payload["text"])]
        return template.format(name=html.escape(str(payload.get("name", ""))))

    def _nudge_text(self, due: DueReminder) -> str:
        """The day's nudge: varied, but the same all day for one person."""
        nudges = self.content.texts.nudges
        moment = due.reminder.next_fire_at or datetime.now(UTC)
        today = moment.astimezone(ZoneInfo(due.time_zone)).date().toordinal()
        return nudges[(today + due.reminder.user_id) % len(nudges)]
