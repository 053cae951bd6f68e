"""The partner's side of co-regulation. "I need a little time" (sharing) offers a come-back
reminder; a time to talk offered with one tap or typed (sharing) is confirmed here by the
other ("works for me"), or answered with another time, and both are reminded before it."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.conversation import Awaited, Expecting
from bot.core.pairing import Partner
from bot.core.schedule import Later, moment_of, talk_reminder_at
from bot.features.coregulation.views import ComeBack, TalkAnswer, talk_answer_keyboard
from bot.features.follow_ups import handlers as follow_ups
from bot.features.reminders.common import say
from bot.features.sharing import handlers as share
from bot.handlers.context import AnyApplication, Context, logged, user_id
from bot.handlers.taps import first_tap
from bot.storage.reminders import COME_BACK, TALK

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
        await query.answer(texts.stale_button)
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
    """ "Works for me" or "another time", on a time to talk the partner offered."""
    query = update.callback_query
    assert query is not None
    button = TalkAnswer.of(query.data)
    texts = context.texts
    partner = await share.paired_over(update, context, button.message_id)
    if partner is None:
        await query.answer(texts.stale_button)
        return
    if button.choice == "other":
        await _another_time(update, context, button, partner)
        return
    if button.at and moment_of(button.at) < context.now():
        await query.answer(texts.talk_passed)
        return
    await _agree(update, context, button, partner)


async def _another_time(
    update: Update, context: Context, button: TalkAnswer, partner: Partner
) -> None:
    query = update.callback_query
    assert query is not None
    if not await first_tap(update, context, "tap:talk-other"):
        await query.answer(context.texts.just_below)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    awaited = Awaited(Expecting.TALK_OTHER, button.message_id, partner.user_id)
    await context.storage.conversation.expect(user_id(update), awaited, at=context.now())
    await say(update, context, context.texts.talk_other_prompt)


async def _agree(update: Update, context: Context, button: TalkAnswer, partner: Partner) -> None:
    """Tells the partner it works, then sets a reminder for both before the talk."""
    query = update.callback_query
    assert query is not None
    texts, storage, me = context.texts, context.storage, user_id(update)
    agreed = ("talk_ok", f"{button.message_id}:{button.at}:{partner.user_id}")
    if not await storage.claim_action(me, *agreed):
        await query.answer(texts.talk_already)
        return
    await query.answer()
    their_when = await share.said_to(context, partner.user_id, button.at)
    told = (
        texts.talk_agreed.format(name=_first_name(update), when=their_when)
        if their_when
        else texts.talk_agreed_unplaced.format(name=_first_name(update))
    )
    try:
        delivery = await share.deliver(context, update, partner, told, None)
    except BaseException:
        await storage.release_action(me, *agreed)
        raise
    if delivery is share.Delivery.FAILED:
        await storage.release_action(me, *agreed)
        return
    await query.edit_message_reply_markup(reply_markup=None)
    await _remind_both(update, context, button.at, partner)


async def _remind_both(update: Update, context: Context, at: int, partner: Partner) -> None:
    texts, me = context.texts, user_id(update)
    if not at:
        await say(update, context, texts.talk_settled_unplaced)
        return
    my_when = await share.said_to(context, me, at) or await share.said_to(
        context, partner.user_id, at
    )
    name = html.escape(partner.name)
    remind = talk_reminder_at(moment_of(at), context.now())
    if remind is None:
        await say(update, context, texts.talk_settled_soon.format(name=name, when=my_when))
        return
    store = context.storage.reminders
    for person, other in ((me, partner.user_id), (partner.user_id, me)):
        await store.add_one_shot(person, TALK, remind, {"with": other, "at": at})
    context.services.wake(remind)
    await say(update, context, texts.talk_settled.format(name=name, when=my_when))


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
    message_id = awaited.message_id or 0
    at = await share.typed_talk_at(context, me, partner.user_id, text)
    written = html.escape(text.strip(), quote=False)
    offer = texts.reply_talk.format(name=_first_name(update), when=written)
    markup = talk_answer_keyboard(texts, message_id, at)
    delivery = await share.deliver(context, update, partner, offer, markup)
    if delivery is share.Delivery.FAILED:
        return  # still awaited: sending it again delivers it
    await storage.conversation.expect(me, None)
    if delivery is share.Delivery.SENT:
        await say(update, context, texts.reply_sent.format(name=html.escape(partner.name)))


def register(application: AnyApplication) -> None:
    application.add_handler(CallbackQueryHandler(come_back_chosen, pattern=ComeBack.pattern()))
    application.add_handler(CallbackQueryHandler(talk_answer, pattern=TalkAnswer.pattern()))
