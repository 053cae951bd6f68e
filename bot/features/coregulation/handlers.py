"""The partner's side of co-regulation. "I need a little time" (sharing) offers a come-back
reminder; a time to talk offered with one tap or typed (sharing) is confirmed here by the
other ("works for me"), or answered with another time, and both are reminded before it."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.conversation import Awaited, Expecting
from bot.core.pairing import Partner
from bot.core.schedule import (
    TALK_LEAD,
    Later,
    minutes_of,
    moment_of,
    next_day_evening,
    talk_moment,
    talk_reminder_at,
    typed_talk_moment,
)
from bot.features.coregulation.views import ComeBack, TalkAnswer, clock_of
from bot.features.follow_ups import handlers as follow_ups
from bot.features.reminders.common import say
from bot.features.sharing import handlers as share
from bot.handlers.context import AnyApplication, Context, logged, user_id
from bot.storage.reminders import COME_BACK, OUTCOME, TALK, Reminder

COME_BACK_AT = {"hour": Later.HOUR, "evening": Later.EVENING, "tomorrow": Later.TOMORROW_MORNING}


def _first_name(update: Update) -> str:
    return html.escape(update.effective_user.first_name if update.effective_user else "")


@logged
async def come_back_chosen(update: Update, context: Context) -> None:
    """When to be reminded to come back to the partner's message (or no reminder); once."""
    query = update.callback_query
    assert query is not None
    button = ComeBack.of(query.data)
    texts, storage, me = context.texts, context.storage, user_id(update)
    partner = await share.paired_over(update, context, button.message_id)
    if partner is None:
        await share.expired(update, context)
        return
    chosen = ("come_back", str(button.message_id))
    if not await storage.claim_action(me, *chosen):
        await query.answer(texts.come_back_done)
        return
    try:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
        if button.when == "none":
            await say(update, context, texts.come_back_none)
            return
        payload = {"message_id": button.message_id, "with": partner.user_id}
        when = COME_BACK_AT[button.when].value
        planned = await follow_ups.plan(update, context, COME_BACK, when, payload)
    except BaseException:
        await storage.release_action(me, *chosen)  # nothing set: choosing again works
        raise
    if planned.fire is None:
        await follow_ups.ask_zone_first(update, context)
        return
    await say(update, context, texts.come_back_set.format(next=planned.said))


@logged
async def talk_answer(update: Update, context: Context) -> None:
    """ "Works for me" or "another time", on a time to talk the partner offered: once per
    offer, whichever of the two is tapped."""
    query = update.callback_query
    assert query is not None
    button = TalkAnswer.of(query.data)
    texts, storage, me = context.texts, context.storage, user_id(update)
    partner = await share.paired_over(update, context, button.message_id)
    if partner is None:
        await share.expired(update, context)
        return
    if button.choice == "yes" and button.at and moment_of(button.at) < context.now():
        await query.answer(texts.talk_passed)
        return
    answered = ("talk_answer", f"{button.message_id}:{button.offer}:{partner.user_id}")
    if not await storage.claim_action(me, *answered):
        asked = await storage.conversation.awaited(me)
        typing = asked is not None and asked.what is Expecting.TALK_OTHER
        # "Another time" tapped twice: the question is just below, nothing was answered yet.
        await query.answer(texts.just_below if typing else texts.talk_already)
        return
    try:
        if button.choice == "other":
            await _another_time(update, context, button, partner)
        else:
            await _agree(update, context, button, partner)
    except NothingDelivered:
        await storage.release_action(me, *answered)  # they were told; answering again works
    except BaseException:
        await storage.release_action(me, *answered)  # nothing happened: answering again works
        raise


async def _another_time(
    update: Update, context: Context, button: TalkAnswer, partner: Partner
) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    awaited = Awaited(Expecting.TALK_OTHER, button.message_id, partner.user_id)
    await context.storage.conversation.expect(user_id(update), awaited, at=context.now())
    await say(update, context, context.texts.talk_other_prompt)


async def _agree(update: Update, context: Context, button: TalkAnswer, partner: Partner) -> None:
    """Tells the partner it works, then sets a reminder for both before the talk (first asking
    where this person is when neither clock was known for one of the bot's own slots)."""
    query = update.callback_query
    assert query is not None
    texts = context.texts
    at = button.at or await _placed_now(context, user_id(update), partner, button)
    await query.answer()
    their_when = await share.said_to(context, partner.user_id, at) or _slot_words(
        context, button.slot
    )
    told = (
        texts.talk_agreed.format(name=_first_name(update), when=their_when)
        if their_when
        else texts.talk_agreed_unplaced.format(name=_first_name(update))
    )
    delivery = await share.deliver(context, update, partner, told, None)
    if delivery is share.Delivery.FAILED:
        raise NothingDelivered  # the answer is given back; trying again works
    await query.edit_message_reply_markup(reply_markup=None)
    if at:
        await say(update, context, await _remind_both(update, context, at, partner))
    elif button.slot == "typed" and not button.clock:
        await say(update, context, texts.talk_settled_unplaced)
    else:
        # A time on a clock not known yet: placed as soon as this person says where they are.
        payload = {"with": partner.user_id, "slot": button.slot, "clock": button.clock}
        await context.storage.reminders.add_waiting_for_zone(user_id(update), TALK, payload)
        await follow_ups.ask_zone_first(update, context)


async def _placed_now(context: Context, me: int, partner: Partner, button: TalkAnswer) -> int:
    """An offer made before either clock was known, placed on one known now (0: still none)."""
    if button.slot != "typed":
        return await share.talk_at(context, me, partner.user_id, button.slot)
    zone = await share.talk_zone(context, me, partner.user_id)
    if not button.clock or zone is None:
        return 0
    return minutes_of(typed_talk_moment(*clock_of(button.clock), context.now(), zone))


class NothingDelivered(Exception):
    """The partner could not be reached (they were told nothing; the sender was)."""


def _slot_words(context: Context, slot: str) -> str:
    texts = context.texts
    return {
        "evening": texts.talk_evening_button,
        "tomorrow": texts.talk_tomorrow_button,
        "weekend": texts.talk_weekend_button,
    }.get(slot, "")


async def _remind_both(update: Update, context: Context, at: int, partner: Partner) -> str:
    """Sets the reminder before the talk for both, and moves "how did it go?" to after it;
    returns what this person is told."""
    me = user_id(update)
    name = html.escape(partner.name)
    mine = await share.said_to(context, me, at)
    if not mine:  # this person's clock is not known: the other's, named as theirs
        theirs = await share.said_to(context, partner.user_id, at)
        mine = context.texts.their_time.format(when=theirs, name=name)
    talk = moment_of(at)
    await _outcome_after(context, me, partner.user_id, talk)
    remind = talk_reminder_at(talk, context.now())
    if remind is None:
        return context.texts.talk_settled_soon.format(name=name, when=mine)
    store = context.storage.reminders
    for person, other in ((me, partner.user_id), (partner.user_id, me)):
        await store.add_one_shot(person, TALK, remind, {"with": other, "at": at})
    context.services.wake(remind)
    return context.texts.talk_settled.format(name=name, when=mine)


async def _outcome_after(context: Context, me: int, partner: int, talk: datetime) -> None:
    """ "How did it go?" comes the evening after the talk, never before it."""
    store = context.storage.reminders
    for person in (me, partner):
        clock = await store.user_clock(person)
        if clock.time_zone is None:
            continue  # still waiting for their clock: placed from the talk's day then
        after = next_day_evening(talk, ZoneInfo(clock.time_zone))
        for reminder in await store.one_shots(person):
            fire = reminder.next_fire_at
            if reminder.kind == OUTCOME and fire is not None and fire < talk + TALK_LEAD:
                await store.reschedule_one_shot(reminder.id, after)


async def place_talk(
    update: Update, context: Context, waiting: Reminder, zone: ZoneInfo
) -> str | None:
    """A talk agreed before this person's clock was known, now placed (follow_ups)."""
    store = context.storage.reminders
    partner = await context.storage.pairing.partner_of(user_id(update))
    if not await store.drop_waiting(waiting.id):
        return None
    if partner is None or partner.user_id != waiting.payload.get("with"):
        return None
    slot, clock = str(waiting.payload.get("slot", "evening")), int(waiting.payload.get("clock", 0))
    if clock:
        at = minutes_of(typed_talk_moment(*clock_of(clock), context.now(), zone))
    else:
        at = minutes_of(talk_moment(slot, context.now(), zone))
    return await _remind_both(update, context, at, partner)


follow_ups.PLACERS[TALK] = place_talk


async def talk_other_from_text(
    update: Update, context: Context, awaited: Awaited, text: str
) -> None:
    """Another time to talk, typed: goes to the partner with "works for me" of their own."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    partner = await storage.pairing.partner_of(me)
    if partner is None or partner.user_id != awaited.to_user:
        await storage.conversation.expect(me, None)
        await say(update, context, texts.not_paired)
        return
    offer, markup = await share.typed_talk_offer(
        context, update, partner.user_id, awaited.message_id or 0, text
    )
    delivery = await share.deliver(context, update, partner, offer, markup)
    if delivery is share.Delivery.FAILED:
        return  # still awaited: sending it again delivers it
    await storage.conversation.expect(me, None)
    if delivery is share.Delivery.SENT:
        await say(update, context, texts.reply_sent.format(name=html.escape(partner.name)))


def register(application: AnyApplication) -> None:
    application.add_handler(CallbackQueryHandler(come_back_chosen, pattern=ComeBack.pattern()))
    application.add_handler(CallbackQueryHandler(talk_answer, pattern=TalkAnswer.pattern()))
