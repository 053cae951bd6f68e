"""After composing: "remind me to send it", and "how did it go?" the next evening."""

from __future__ import annotations

from datetime import datetime

from telegram import (
    Update,
)
from telegram.ext import CallbackQueryHandler

from bot.core.conversation import Expecting
from bot.core.schedule import (
    Later,
    later,
    next_daily,
    next_day_evening,
    outside_quiet_hours,
)
from bot.features.follow_ups.views import AskSendWhen, Outcome, SendWhen
from bot.features.reminders.common import expect, read_time, say, user_zone, when_text
from bot.features.repair import views as repair_views
from bot.handlers.context import (
    AnyApplication,
    Context,
    logged,
    user_id,
    user_time,
)
from bot.handlers.keyboards import grid
from bot.storage.reminders import OUTCOME, SEND_LATER


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


async def schedule_follow_ups(
    update: Update, context: Context, message_id: int, fire: datetime
) -> None:
    """ "Send it" at `fire`, and "how did it go?" the next evening."""
    store = context.storage.reminders
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    fire = outside_quiet_hours(fire, zone, clock.quiet)
    await store.add_one_shot(user_id(update), SEND_LATER, fire, {"message_id": message_id})
    await schedule_outcome(update, context, message_id)
    context.services.wake(fire)
    await say(
        update,
        context,
        context.texts.send_later_set.format(next=when_text(context, fire, zone)),
    )


async def schedule_outcome(update: Update, context: Context, message_id: int) -> None:
    """ "How did the conversation go?" the next evening, once per message."""
    store = context.storage.reminders
    if any(
        r.kind == OUTCOME and r.payload.get("message_id") == message_id
        for r in await store.one_shots(user_id(update))
    ):
        return
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    fire = outside_quiet_hours(next_day_evening(context.now(), zone), zone, clock.quiet)
    await store.add_one_shot(user_id(update), OUTCOME, fire, {"message_id": message_id})


@logged
async def send_when_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    button = SendWhen.of(query.data)
    slot, message_id = button.when, button.message_id
    if await context.storage.saved_message(user_id(update), message_id) is None:
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if slot == "type":
        await expect(update, context, Expecting.SEND_TIME, int(message_id))
        await say(update, context, context.texts.ask_type_time)
        return
    zone = await user_zone(update, context)
    fire = later(Later(slot), context.now(), zone)
    await schedule_follow_ups(update, context, int(message_id), fire)


async def send_time_from_text(update: Update, context: Context, text: str, message_id: int) -> None:
    at = read_time(context, text)
    if at is None:
        await say(update, context, context.texts.bad_time)
        return
    await expect(update, context, None)
    zone = await user_zone(update, context)
    fire = next_daily(at, zone, context.now())
    await schedule_follow_ups(update, context, message_id, fire)


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
