"""Sharing a finished message: inline into any chat, copy, or straight to a paired partner,
who can answer with one tap or in their own words."""

from __future__ import annotations

import html
import logging
import secrets
from enum import Enum
from typing import cast
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.error import Forbidden, TimedOut
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    InlineQueryHandler,
    filters,
)

from bot.core.check import check_reply
from bot.core.conversation import Awaited, Expecting
from bot.core.draft import MAX_PART_LENGTH
from bot.core.history import SavedMessage, local_time, preview
from bot.core.pairing import Partner
from bot.core.reflect import Understood
from bot.core.schedule import minutes_of, moment_of, spoken, talk_moment, typed_talk_moment
from bot.features.coregulation import views as coregulation_views
from bot.features.follow_ups.handlers import schedule_outcome
from bot.features.listening.views import HeardOffer
from bot.features.reminders.common import read_talk_time
from bot.features.sharing import views
from bot.handlers import keyboards
from bot.handlers.context import (
    AnyApplication,
    Context,
    applied,
    chat_id,
    logged,
    user_id,
    user_time,
)
from bot.handlers.taps import first_tap

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
INLINE_RESULTS = 10
# A partner's "I need a little time" (other one-tap answers are "reply").
TIME_CLAIM = "time"
COMPOSE_LINK = "compose"


async def share_keyboard(
    context: Context, owner: int, message: SavedMessage
) -> InlineKeyboardMarkup:
    """Share to a chat, copy (when it fits), send to the partner (when paired), remind later."""
    partner = await context.storage.pairing.partner_of(owner)
    return views.share_keyboard(context.texts, message, partner)


# --- inline sharing ------------------------------------------------------------------------


@logged
async def inline_share(update: Update, context: Context) -> None:
    """The asker's own latest messages, filtered by what they type; never anyone else's."""
    query = update.inline_query
    assert query is not None
    found = context.services
    words = query.query.casefold().split()
    messages = await found.storage.recent_messages(query.from_user.id, limit=50)
    matching = [m for m in messages if all(w in m.text.casefold() for w in words)]
    time_zone = (await user_time(context, query.from_user.id)).zone.key
    texts = found.content.texts
    results = [
        InlineQueryResultArticle(
            id=str(message.id),
            title=preview(message.text, 64),
            description=texts.inline_description.format(
                date=local_time(message.created_at, time_zone).strftime(texts.date_format)
            ),
            input_message_content=InputTextMessageContent(html.escape(message.text, quote=False)),
        )
        for message in matching[:INLINE_RESULTS]
    ]
    button = None
    if not results:
        button = InlineQueryResultsButton(
            text=texts.inline_compose_first, start_parameter=COMPOSE_LINK
        )
    # Personal and never cached: one person's words must never show in another's results.
    await query.answer(results, is_personal=True, cache_time=0, button=button)


# --- sending to the partner ----------------------------------------------------------------


async def paired_over(update: Update, context: Context, message_id: int) -> Partner | None:
    """The presser's partner, if the message belongs to one of the two of them."""
    storage = context.storage
    partner = await storage.pairing.partner_of(user_id(update))
    owner = await storage.pairing.message_owner(message_id)
    if partner is None or owner not in {user_id(update), partner.user_id}:
        return None
    return partner


async def _reply_target(update: Update, context: Context) -> tuple[str, int, Partner] | None:
    """From a "reply:<kind>:<message id>" button: the kind, the message, and the partner the
    answer goes to; None (and an "expired" toast) if the two are not paired over it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.PartnerAnswer.parse(query.data) or views.PartnerWrite.of(query.data)
    partner = await paired_over(update, context, button.message_id)
    if partner is None:
        await expired(update, context)
        return None
    return button.kind, button.message_id, partner


async def expired(update: Update, context: Context) -> None:
    """A partner's button that no longer reaches anyone: why, in a toast."""
    assert update.callback_query is not None
    unpaired = await context.storage.pairing.partner_of(user_id(update)) is None
    texts = context.texts
    await update.callback_query.answer(texts.no_longer_paired if unpaired else texts.stale_button)


class Delivery(Enum):
    SENT = "sent"
    # Telegram did not answer in time: the message most likely arrived; never sent again.
    UNSURE = "unsure"
    # The partner blocked or stopped the bot: nothing arrived.
    FAILED = "failed"


async def deliver(
    context: Context,
    sender_update: Update,
    partner: Partner,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> Delivery:
    """Sends to the partner, and tells the sender what happened when it is not plainly sent.
    Any other failure raises: nothing arrived, and the sender may try again."""
    texts = context.texts
    name = html.escape(partner.name)
    try:
        await context.bot.send_message(partner.user_id, text, reply_markup=markup)
    except Forbidden:
        log.info("user=%s partner=%s unreachable", user_id(sender_update), partner.user_id)
        await context.bot.send_message(
            chat_id(sender_update), texts.delivery_failed.format(name=name)
        )
        return Delivery.FAILED
    except TimedOut:
        log.info("user=%s partner=%s delivery unconfirmed", user_id(sender_update), partner.user_id)
        await context.bot.send_message(
            chat_id(sender_update), texts.delivery_unsure.format(name=name)
        )
        return Delivery.UNSURE
    return Delivery.SENT


async def _deliver_once(
    context: Context,
    update: Update,
    partner: Partner,
    action: tuple[str, str],
    content: tuple[str, InlineKeyboardMarkup | None],
) -> Delivery | None:
    """Delivers unless this person did this `action` (kind, target) already: a second tap
    (a slow phone, an old message) says so instead of sending twice (None). The claim is
    given back when nothing arrived, so trying again then works."""
    storage = context.storage
    if not await storage.claim_action(user_id(update), *action):
        return None
    return await _deliver_claimed(context, update, partner, action, content)


async def _deliver_claimed(
    context: Context,
    update: Update,
    partner: Partner,
    action: tuple[str, str],
    content: tuple[str, InlineKeyboardMarkup | None],
) -> Delivery:
    """Delivers for an action already claimed; the claim is given back when nothing arrived."""
    storage, me = context.storage, user_id(update)
    try:
        delivery = await deliver(context, update, partner, *content)
    except BaseException:
        await storage.release_action(me, *action)
        raise
    if delivery is Delivery.FAILED:
        await storage.release_action(me, *action)
    return delivery


def _reply_keyboard(context: Context, message_id: int) -> InlineKeyboardMarkup:
    texts = context.texts
    answer, write = views.PartnerAnswer, views.PartnerWrite
    return keyboards.grid(
        [(texts.heard_button, HeardOffer(message_id).pack())],
        [(texts.reply_thanks_button, answer("thanks", message_id).pack())],
        [(texts.reply_talk_button, answer("talk", message_id).pack())],
        [(texts.reply_time_button, answer("time", message_id).pack())],
        [(texts.reply_write_button, write("write", message_id).pack())],
    )


@logged
async def send_to_partner(update: Update, context: Context) -> None:
    """Delivers one of the user's own messages to their partner, introduced by their name."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.SendToPartner.of(query.data)
    storage = context.storage
    texts = context.texts
    saved = await storage.saved_message(user_id(update), button.message_id)
    if saved is None:
        await expired(update, context)
        return
    partner = await storage.pairing.partner_of(user_id(update))
    await query.answer()
    if partner is None:
        await context.bot.send_message(chat_id(update), texts.not_paired)
        return
    name = html.escape(partner.name)
    if partner.user_id != button.partner_id:
        await context.bot.send_message(chat_id(update), texts.partner_changed.format(name=name))
        return
    sender = html.escape(update.effective_user.first_name if update.effective_user else "")
    text = texts.incoming.format(name=sender, message=html.escape(saved.text, quote=False))
    action = ("send", f"{button.message_id}:{button.partner_id}")
    content = (text, _reply_keyboard(context, button.message_id))
    # Before it arrives: the partner may type their answer the moment they see it.
    await expect_answer(context, partner.user_id, button.message_id, user_id(update))
    delivery = await _deliver_once(context, update, partner, action, content)
    if delivery is None:
        await context.bot.send_message(chat_id(update), texts.already_delivered.format(name=name))
    elif delivery is Delivery.SENT:
        await context.bot.send_message(chat_id(update), texts.delivered.format(name=name))
    if delivery is not None and delivery is not Delivery.FAILED:
        await schedule_outcome(update, context, button.message_id)


# --- answering -----------------------------------------------------------------------------


@logged
async def quick_reply(update: Update, context: Context) -> None:
    """A one-tap answer (thanks, a little time, a time to talk); the sender hears it."""
    query = update.callback_query
    assert query is not None
    target = await _reply_target(update, context)
    if target is None:
        return
    kind, message_id, partner = target
    texts = context.texts
    me = user_id(update)
    answered = f"{message_id}:{partner.user_id}"
    # "A little time" may be followed by a time to talk or thanks; those, once given, by
    # nothing else (two that disagree would leave the sender unsure which one holds).
    claim = TIME_CLAIM if kind == "time" else "reply"
    storage = context.storage
    if await storage.did(me, "reply", answered) or await storage.did(me, claim, answered):
        # Before the time picker too: a time chosen there would be refused. A toast: the
        # chat already shows the answer.
        await query.answer(texts.reply_already_sent.format(name=partner.name))
        return
    if kind == "talk":
        if not await first_tap(update, context, "tap:talk"):
            await query.answer(texts.just_below)
            return
        await query.answer()
        # A time typed under the question is the answer to it, as "I'll type a time" is.
        awaited = Awaited(Expecting.TALK_TIME, message_id=message_id, to_user=partner.user_id)
        await storage.conversation.expect(me, awaited, at=context.now())
        await context.bot.send_message(
            chat_id(update), texts.talk_when, reply_markup=_talk_keyboard(context, message_id)
        )
        return
    name = html.escape(update.effective_user.first_name if update.effective_user else "")
    slots = {
        "evening": texts.talk_evening_button,
        "tomorrow": texts.talk_tomorrow_button,
        "weekend": texts.talk_weekend_button,
    }
    markup = None
    if kind in slots:
        at = await talk_at(context, me, partner.user_id, kind)
        when = await for_reader(context, me, partner.user_id, at, slots[kind])
        text = texts.reply_talk.format(name=name, when=when)
        markup = coregulation_views.talk_answer_keyboard(
            texts, message_id, at, cast(coregulation_views.Slot, kind)
        )
    elif kind == "thanks":
        text = texts.reply_thanks.format(name=name)
    else:
        # The one waiting gets one small thing to do for themselves meanwhile.
        cares = context.content.words.waiting_care
        care = cares[message_id % len(cares)]
        text = f"{texts.reply_time.format(name=name)}\n\n{texts.waiting_care.format(care=care)}"
    await query.answer()
    action = (claim, answered)
    await expect_answer(context, partner.user_id, message_id, user_id(update))
    delivery = await _deliver_once(context, update, partner, action, (text, markup))
    partner_name = html.escape(partner.name)
    if delivery is None:
        await context.bot.send_message(
            chat_id(update), texts.reply_already_sent.format(name=partner_name)
        )
        return
    if delivery is Delivery.SENT:
        await context.bot.send_message(chat_id(update), texts.reply_sent.format(name=partner_name))
    if delivery is not Delivery.FAILED:
        # Only now (buttons taken away before the answer arrived could not be tapped again).
        # The time picker is done with; on the message itself, words can still follow, and
        # saying back what was heard unless that was understood already.
        if kind in slots:
            await query.edit_message_reply_markup(reply_markup=None)
            return
        _, latest = await context.storage.listening.tries(me, message_id)
        rows = (
            []
            if latest is Understood.YES
            else [[(texts.heard_button, HeardOffer(message_id).pack())]]
        )
        if kind == "time":
            # Coming back may well be a time to talk.
            rows.append([(texts.reply_talk_button, answer_button("talk", message_id))])
        write = views.PartnerWrite("write", message_id).pack()
        rows.append([(texts.reply_write_button, write)])
        await query.edit_message_reply_markup(reply_markup=keyboards.grid(*rows))
        if kind == "time":
            markup = coregulation_views.come_back_keyboard(texts, message_id)
            await context.bot.send_message(
                chat_id(update), texts.come_back_ask, reply_markup=markup
            )


def answer_button(kind: str, message_id: int) -> str:
    return views.PartnerAnswer(kind, message_id).pack()  # type: ignore[arg-type]


async def talk_zone(context: Context, *people: int) -> ZoneInfo | None:
    """The clock a time to talk is on: the first of `people` whose time zone is known."""
    for person in people:
        zone = (await context.storage.reminders.user_clock(person)).time_zone
        if zone:
            return ZoneInfo(zone)
    return None


async def talk_at(context: Context, me: int, partner: int, slot: str) -> int:
    """ "This evening", "tomorrow", "this weekend" on the offerer's clock (or, not known yet,
    the partner's), in minutes since 1970; 0 when neither clock is known."""
    zone = await talk_zone(context, me, partner)
    if zone is None:
        return 0
    return minutes_of(talk_moment(slot, context.now(), zone))


async def for_reader(
    context: Context, me: int, reader: int, at: int, words: str, *, own_words: bool = False
) -> str:
    """A time to talk as the reader reads it: on their own clock when it is the same as the
    offerer's ("this evening at 19:00"); the offerer's words with the reader's time when the
    clocks differ ("this evening (tomorrow at 01:00 for you)"); the words alone otherwise."""
    mine, theirs = await talk_zone(context, me), await talk_zone(context, reader)
    placed_on = mine or theirs
    if not at or theirs is None or placed_on is None:
        return words
    moment = moment_of(at)
    said = spoken(moment, context.now(), theirs, context.content.spoken_times)
    if moment.astimezone(theirs).utcoffset() == moment.astimezone(placed_on).utcoffset():
        return words if own_words else said
    return context.texts.talk_for_you.format(words=words, when=said)


async def typed_talk_offer(
    context: Context, update: Update, partner: int, message_id: int, text: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A typed time to talk, for the partner: their words, with the time on the partner's own
    clock beside them when their clocks differ; "works for me" or another time."""
    texts, me = context.texts, user_id(update)
    # A clock time today, tomorrow or on a weekday, on the writer's clock (else the partner's).
    found = read_talk_time(context, text)
    zone = await talk_zone(context, me, partner)
    at = (
        0
        if found is None or zone is None
        else minutes_of(typed_talk_moment(*found, context.now(), zone))
    )
    written = texts.quoted.format(words=html.escape(text.strip(), quote=False))
    # On the same clock, the writer's own words say it best.
    when = await for_reader(context, me, partner, at, written, own_words=True)
    name = html.escape(update.effective_user.first_name if update.effective_user else "")
    offer = texts.talk_typed.format(name=name, when=when)
    clock = coregulation_views.clock_code(*found) if found else 0
    return offer, coregulation_views.talk_answer_keyboard(texts, message_id, at, "typed", clock)


async def said_to(context: Context, person: int, at: int) -> str:
    """A time to talk as `person` says it ("this evening at 19:00"); "" if not on a clock."""
    zone = await talk_zone(context, person)
    if not at or zone is None:
        return ""
    return spoken(moment_of(at), context.now(), zone, context.content.spoken_times)


def _talk_keyboard(context: Context, message_id: int) -> InlineKeyboardMarkup:
    texts = context.texts
    answer, write = views.PartnerAnswer, views.PartnerWrite
    return keyboards.grid(
        [
            (texts.talk_evening_button, answer("evening", message_id).pack()),
            (texts.talk_tomorrow_button, answer("tomorrow", message_id).pack()),
        ],
        [
            (texts.talk_weekend_button, answer("weekend", message_id).pack()),
            (texts.talk_custom_button, write("custom", message_id).pack()),
        ],
    )


@logged
async def start_writing(update: Update, context: Context) -> int:
    """ "Write a reply" or "I'll type a time": the next text goes to the partner."""
    query = update.callback_query
    assert query is not None
    target = await _reply_target(update, context)
    if target is None:
        return ConversationHandler.END
    kind, message_id, partner = target
    storage = context.storage
    if not await first_tap(update, context, f"tap:{kind}"):
        await query.answer(context.texts.just_below)
        return ConversationHandler.END
    # Writing a reply steps out of a soft start-up being composed; the draft is kept.
    await storage.set_draft_active(user_id(update), active=False, update=applied(context))
    what = Expecting.TALK_TIME if kind == "custom" else Expecting.PARTNER_REPLY
    await storage.conversation.expect(
        user_id(update),
        Awaited(what, message_id=message_id, to_user=partner.user_id),
        at=context.now(),
    )
    await query.answer()
    texts = context.texts
    prompt = (
        texts.talk_custom_prompt
        if kind == "custom"
        else texts.write_prompt.format(limit=MAX_PART_LENGTH)
    )
    await context.bot.send_message(chat_id(update), prompt)
    return ConversationHandler.END


def check_note(context: Context, text: str) -> str:
    """The gentle check on words about to go to the partner ("" when nothing stands out)."""
    finding = check_reply(text, context.content.rules)
    if finding is None:
        return ""
    rule = context.content.checks.explained(finding.rule)
    return context.texts.reply_check.format(
        title=rule.title, words=html.escape(finding.words), explain=rule.explain, softer=rule.softer
    )


async def reply_from_text(
    update: Update, context: Context, awaited: Awaited, text: str, *, checked: bool = False
) -> None:
    """A reply (or a time to talk) the person typed for their partner, after "Write a reply"
    or "I'll type a time" (see bot/features/conversation). A reply with something harsh in it
    is held with the gentle check and sent only once they say so (`checked`)."""
    storage = context.storage
    texts = context.texts
    me = user_id(update)
    partner = await storage.pairing.partner_of(me)
    if partner is None or partner.user_id != awaited.to_user:
        await storage.conversation.expect(me, None)
        await context.bot.send_message(chat_id(update), texts.not_paired)
        return
    if awaited.what is Expecting.PARTNER_REPLY and not checked and check_note(context, text):
        held = Awaited(Expecting.INCOMING, awaited.message_id, awaited.to_user)
        await storage.conversation.expect(me, held, at=context.now())
        await incoming_text(update, context, held, text)
        return
    name = html.escape(update.effective_user.first_name if update.effective_user else "")
    written = html.escape(text.strip(), quote=False)
    action = None
    if awaited.what is Expecting.TALK_TIME:
        # A time to talk is a one-tap answer typed out: one per message, like the others.
        action = ("reply", f"{awaited.message_id or 0}:{partner.user_id}")
        if not await storage.claim_action(me, *action):
            await storage.conversation.expect(me, None)
            await context.bot.send_message(
                chat_id(update), texts.reply_already_sent.format(name=html.escape(partner.name))
            )
            return
        message, markup = await typed_talk_offer(
            context, update, partner.user_id, awaited.message_id or 0, text
        )
    else:
        message = texts.reply_written.format(name=name, message=written)
        markup = keyboards.grid(
            [(texts.write_back_button, views.PartnerWrite("write", awaited.message_id or 0).pack())]
        )
    # Cleared only once Telegram took it (or surely never will): a failed send keeps the
    # reply waiting (and gives a claimed time back), so sending the text again delivers it.
    await expect_answer(context, partner.user_id, awaited.message_id or 0, me)
    if action is None:
        delivery = await deliver(context, update, partner, message, markup)
    else:
        delivery = await _deliver_claimed(context, update, partner, action, (message, markup))
    await storage.conversation.expect(me, None)
    if delivery is not Delivery.FAILED and action is None:
        # Counted in the other one's weekly reflection ("your partner answered"); the words
        # themselves are delivered, never kept.
        reply = f"{awaited.message_id or 0}:{secrets.token_hex(4)}:{partner.user_id}"
        await storage.claim_action(me, "wrote", reply)
    if delivery is Delivery.SENT:
        await context.bot.send_message(
            chat_id(update), texts.reply_sent.format(name=html.escape(partner.name))
        )


async def expect_answer(context: Context, to: int, message_id: int, sender: int) -> None:
    """What `to` types next, outside anything else, is likely an answer to what just came."""
    awaited = Awaited(Expecting.INCOMING, message_id=message_id, to_user=sender)
    await context.storage.conversation.expect_if_free(to, awaited, at=context.now())


async def incoming_text(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """Text typed right after something arrived from the partner: most likely an answer,
    never dropped and never sent unasked. It waits for "send it?"."""
    me = user_id(update)
    partner = await context.storage.pairing.partner_of(me)
    if partner is None or partner.user_id != awaited.to_user:
        await context.storage.conversation.expect(me, None)
        await context.bot.send_message(chat_id(update), context.texts.outside_flow)
        return
    await context.storage.conversation.hold_text(me, text.strip())
    name = html.escape(partner.name)
    texts = context.texts
    markup = views.confirm_reply_keyboard(
        texts, partner.name, awaited.message_id or 0, text.strip()
    )
    quoted = html.escape(text.strip(), quote=False)
    asked = texts.confirm_reply.format(name=name, message=quoted)
    note = check_note(context, text)
    await context.bot.send_message(
        chat_id(update), f"{asked}\n\n{note}" if note else asked, reply_markup=markup
    )


@logged
async def confirm_reply(update: Update, context: Context) -> None:
    """ "Send it" or "keep it here" for a text held after a message from the partner."""
    query = update.callback_query
    assert query is not None
    button = views.ConfirmReply.of(query.data)
    me = user_id(update)
    awaited = await context.storage.conversation.awaited(me)
    held = await context.storage.conversation.held_text(me)
    if (
        awaited is None
        or awaited.what is not Expecting.INCOMING
        or awaited.message_id != button.message_id
        or held is None
        or views.text_sum(held) != button.text_sum
    ):
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if button.choice == "keep":
        await context.storage.conversation.expect(me, None)
        partner = await context.storage.pairing.partner_of(me)
        name = html.escape(partner.name if partner else "")
        await context.bot.send_message(chat_id(update), context.texts.reply_kept.format(name=name))
        return
    reply = Awaited(Expecting.PARTNER_REPLY, message_id=awaited.message_id, to_user=awaited.to_user)
    await reply_from_text(update, context, reply, held, checked=True)


WRITE_PATTERN = views.PartnerWrite.pattern()


def in_flow_handlers() -> list[BaseHandler[Update, Context, object]]:
    """For the composer's fallbacks: starting a reply mid-conversation leaves the composer."""
    return [CallbackQueryHandler(start_writing, pattern=WRITE_PATTERN)]


def register(application: AnyApplication) -> None:
    application.add_handler(InlineQueryHandler(inline_share))
    application.add_handler(
        CallbackQueryHandler(send_to_partner, pattern=views.SendToPartner.pattern())
    )
    application.add_handler(CallbackQueryHandler(start_writing, pattern=WRITE_PATTERN))
    application.add_handler(
        CallbackQueryHandler(confirm_reply, pattern=views.ConfirmReply.pattern())
    )
    application.add_handler(
        CallbackQueryHandler(
            quick_reply,
            pattern=views.PartnerAnswer.pattern(),
        )
    )
