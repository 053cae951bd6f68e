"""After composing: "remind me to send it", and "how did it go?" the next evening."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Update,
)
from telegram.ext import CallbackQueryHandler

from bot.core.conversation import Expecting
from bot.core.schedule import (
    NEXT_EVENING,
    at_clock,
    follow_up_moment,
    needs_zone,
    outside_quiet_hours,
    spoken_ahead,
)
from bot.features.follow_ups.views import AskSendWhen, Outcome, SendWhen
from bot.features.reminders.common import ask_zone, expect, read_time, say, when_text
from bot.features.repair import views as repair_views
from bot.handlers.context import (
    AnyApplication,
    Context,
    logged,
    user_id,
)
from bot.handlers.keyboards import grid
from bot.handlers.taps import first_tap
from bot.storage.reminders import COME_BACK, CONTINUE, OUTCOME, SEND_LATER, Reminder

# In a waiting follow-up's payload: when it was chosen for (bot/core/schedule.py).
WHEN = "when"
Payload = dict[str, Any]


# Kinds whose waiting rows their own feature places once the zone is known (a talk both
# agreed on: bot/features/coregulation); each returns what the person is told, if anything.
Placer = Callable[[Update, Context, Reminder, ZoneInfo], Awaitable[str | None]]
PLACERS: dict[str, Placer] = {}


@dataclass(frozen=True)
class Plan:
    fire: datetime | None  # None: waiting for the person's time zone
    said: str  # when, as the person hears it


@logged
async def ask_send_when(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = AskSendWhen.of(query.data).message_id
    if await context.storage.saved_message(user_id(update), message_id) is None:
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    texts = context.texts
    markup = grid(
        [
            (texts.in_hour_button, SendWhen("hour", message_id).pack()),
            (texts.this_evening_button, SendWhen("evening", message_id).pack()),
        ],
        [
            (texts.tomorrow_morning_button, SendWhen("morning", message_id).pack()),
            (texts.type_time_button, SendWhen("type", message_id).pack()),
        ],
    )
    await say(update, context, texts.ask_send_when, markup)


async def plan(update: Update, context: Context, kind: str, when: str, payload: Payload) -> Plan:
    """Schedules a follow-up `when` ("evening", "at 21:45", ...) on the person's own clock.
    Before their time zone is known it waits for it (never taking UTC for their clock):
    `Plan.fire` is None then, and the caller asks where they are."""
    store = context.storage.reminders
    me = user_id(update)
    clock = await store.user_clock(me)
    if clock.time_zone is None and needs_zone(when):
        await store.add_waiting_for_zone(me, kind, {**payload, WHEN: when})
        return Plan(None, "")
    zone = ZoneInfo(clock.time_zone or context.services.settings.default_time_zone)
    now = context.now()
    fire = outside_quiet_hours(follow_up_moment(when, now, zone), zone, clock.quiet)
    await store.add_one_shot(me, kind, fire, payload)
    context.services.wake(fire)
    if clock.time_zone is None:
        return Plan(fire, spoken_ahead(fire, now, context.content.spoken_times))
    return Plan(fire, when_text(context, fire, zone))


async def ask_zone_first(update: Update, context: Context) -> None:
    """The one step before a follow-up can be placed on the person's clock."""
    await ask_zone(update, context, context.texts.zone_first)


async def schedule_send_later(update: Update, context: Context, message_id: int, when: str) -> None:
    """ "Send it" `when`, and "how did it go?" the evening after."""
    planned = await plan(update, context, SEND_LATER, when, {"message_id": message_id})
    await schedule_outcome(update, context, message_id)
    if planned.fire is None:
        await ask_zone_first(update, context)
        return
    await say(update, context, context.texts.send_later_set.format(next=planned.said))


async def schedule_outcome(update: Update, context: Context, message_id: int) -> None:
    """ "How did the conversation go?" the next evening, once per message."""
    store = context.storage.reminders
    if any(
        r.kind == OUTCOME and r.payload.get("message_id") == message_id
        for r in await store.one_shots(user_id(update))
    ):
        return
    await plan(update, context, OUTCOME, NEXT_EVENING, {"message_id": message_id})


async def zone_now_known(update: Update, context: Context, zone: ZoneInfo) -> bool:
    """The person just said where they are: the follow-ups that waited for it get their
    moments, and the ones they chose are confirmed. False if none of theirs was waiting."""
    store = context.storage.reminders
    clock = await store.user_clock(user_id(update))
    now = context.now()
    confirmations = _confirmations(context)
    told: list[str] = []
    for waiting in await store.waiting_for_zone(user_id(update)):
        placer = PLACERS.get(waiting.kind)
        if placer is not None:
            line = await placer(update, context, waiting, zone)
            if line:
                told.append(line)
            continue
        when = str(waiting.payload.get(WHEN, NEXT_EVENING))
        fire = outside_quiet_hours(follow_up_moment(when, now, zone), zone, clock.quiet)
        if not await store.place_waiting(waiting.id, fire):
            continue
        context.services.wake(fire)
        if waiting.kind in confirmations:
            told.append(confirmations[waiting.kind].format(next=when_text(context, fire, zone)))
    # Said once everything is placed: what they hear is already true.
    for line in told:
        await say(update, context, line)
    return bool(told)


def _confirmations(context: Context) -> dict[str, str]:
    """What a person hears once a follow-up they chose has its moment (an automatic one,
    like "how did it go?", says nothing)."""
    texts = context.texts
    return {
        SEND_LATER: texts.send_later_set,
        CONTINUE: texts.break_set,
        COME_BACK: texts.come_back_set,
    }


@logged
async def send_when_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    button = SendWhen.of(query.data)
    slot, message_id = button.when, button.message_id
    if await context.storage.saved_message(user_id(update), message_id) is None:
        await query.answer(context.texts.stale_button)
        return
    if not await first_tap(update, context, "tap:send-when"):
        await query.answer(context.texts.just_below)  # a double tap: one reminder is enough
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if slot == "type":
        await expect(update, context, Expecting.SEND_TIME, int(message_id))
        await say(update, context, context.texts.ask_type_time)
        return
    await schedule_send_later(update, context, int(message_id), slot)


async def send_time_from_text(update: Update, context: Context, text: str, message_id: int) -> None:
    at = read_time(context, text)
    if at is None:
        await say(update, context, context.texts.bad_time)
        return
    await expect(update, context, None)
    await schedule_send_later(update, context, message_id, at_clock(at))


@logged
async def outcome_answer(update: Update, context: Context) -> None:
    """How the conversation went: a tap, or a few words, saved to the journal."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = Outcome.of(query.data)
    kind, message_id = button.how, button.message_id
    texts = context.texts
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    store = context.storage.reminders
    if kind == "write":
        await expect(update, context, Expecting.OUTCOME_NOTE, int(message_id))
        await say(update, context, texts.outcome_prompt)
        return
    if kind == "skip":
        return
    if kind == "later":
        # They have not talked yet (a time agreed in words, a busy week): ask again tomorrow.
        payload = {"message_id": int(message_id)}
        planned = await plan(update, context, OUTCOME, NEXT_EVENING, payload)
        if planned.fire is None:
            await ask_zone_first(update, context)
        else:
            await say(update, context, texts.outcome_later.format(next=planned.said))
        return
    note = texts.outcome_well if kind == "well" else texts.outcome_hard
    await store.add_checkin(user_id(update), context.now(), "", note, kind=OUTCOME)
    if kind == "well":
        await say(update, context, texts.outcome_saved)
        return
    # After a hard talk: a way back to each other, when they are ready.
    await say(update, context, texts.outcome_hard_saved, repair_views.offer(texts))


async def outcome_from_text(update: Update, context: Context, text: str) -> None:
    await expect(update, context, None)
    await context.storage.reminders.add_checkin(
        user_id(update), context.now(), "", text.strip(), kind=OUTCOME
    )
    await say(update, context, context.texts.outcome_saved)


def register(application: AnyApplication) -> None:
    application.add_handler(CallbackQueryHandler(ask_send_when, pattern=AskSendWhen.pattern()))
    application.add_handler(CallbackQueryHandler(send_when_chosen, pattern=SendWhen.pattern()))
    application.add_handler(CallbackQueryHandler(outcome_answer, pattern=Outcome.pattern()))
