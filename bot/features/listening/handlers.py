"""The listener's turn. On a delivered soft start-up, "Say what I heard" prepares the sender's
own words in the listener's voice (bot/core/reflect.py); the listener sends them as they are,
in their own words, or not at all. The speaker answers "Yes, that's it" (the listener's own
side follows) or "Not quite" (a few words go back, and the listener can try again).

Nothing is sent without the listener's tap on the very text they saw; every button checks that
the two are still paired with each other, so an old one after the pairing ended sends nothing."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.conversation import Awaited, Expecting
from bot.core.draft import MAX_PART_LENGTH, Draft
from bot.core.history import SavedMessage, preview
from bot.core.pairing import Partner
from bot.core.reflect import (
    Reflection,
    Role,
    Understood,
    next_try,
    reflection,
    whole_reflection,
)
from bot.features.compose import views as compose_views
from bot.features.listening import views
from bot.features.sharing.handlers import (
    Delivery,
    check_note,
    deliver,
    expect_answer,
)
from bot.features.sharing.views import text_sum
from bot.handlers.context import AnyApplication, Context, chat_id, logged, user_id
from bot.handlers.taps import first_tap

log = logging.getLogger(__name__)

ABOUT_LENGTH = 40


def _first_name(update: Update) -> str:
    return html.escape(update.effective_user.first_name if update.effective_user else "")


def _prepared(context: Context, saved: SavedMessage) -> str:
    """The reflection the bot prepares from the sender's parts (all of the message, turned
    around, for one without a feeling: a repair message)."""
    if not saved.feeling.strip():
        return whole_reflection(saved.text, context.content.turnaround)
    draft = Draft(
        feeling=saved.feeling,
        reason=saved.reason,
        regulation=saved.regulation,
        request=saved.request,
    )
    return reflection(draft, context.content.phrasing, context.content.turnaround)


async def _toast(update: Update, text: str) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(text)


async def _just_shown(update: Update, context: Context, tap: str) -> bool:
    """True (and a "just below" toast) for the same button on the same message tapped again
    within seconds."""
    if await first_tap(update, context, tap):
        return False
    await _toast(update, context.texts.just_below)
    return True


async def _heard_from(
    update: Update, context: Context, message_id: int
) -> tuple[Partner, SavedMessage] | None:
    """The partner and the message they sent, if the presser is paired with its sender now;
    otherwise None, and the presser is told why (a toast)."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    owner = await storage.pairing.message_owner(message_id)
    if owner is None or owner == me:
        await _toast(update, texts.stale_button)
        return None
    partner = await storage.pairing.partner_of(me)
    if partner is None or partner.user_id != owner:
        await _toast(update, texts.heard_partner_gone)
        return None
    saved = await storage.saved_message(owner, message_id)
    if saved is None:
        await _toast(update, texts.stale_button)
        return None
    return partner, saved


async def _this_try(update: Update, context: Context, partner: Partner, message_id: int) -> int:
    """The number of the listener's next reflection of the message; 0 (and they are told so)
    while the last one waits for an answer or was understood."""
    tries, latest = await context.storage.listening.tries(user_id(update), message_id)
    attempt = next_try(tries, latest)
    if attempt is None:
        await _already(update, context, partner, latest)
        return 0
    return attempt


def _already_text(context: Context, partner: Partner, latest: Understood | None) -> str:
    """Said back already: understood, or waiting for the speaker's answer."""
    texts, name = context.texts, html.escape(partner.name)
    text = texts.heard_already_understood if latest is Understood.YES else texts.heard_waiting
    return text.format(name=name)


async def _already(
    update: Update, context: Context, partner: Partner, latest: Understood | None
) -> None:
    await context.bot.send_message(chat_id(update), _already_text(context, partner, latest))


# --- the listener --------------------------------------------------------------------------


@logged
async def offer(update: Update, context: Context) -> None:
    """ "Say what I heard": the prepared reflection, to send, say differently, or leave."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = views.HeardOffer.of(query.data).message_id
    found = await _heard_from(update, context, message_id)
    if found is None:
        return
    partner, saved = found
    storage, texts, me = context.storage, context.texts, user_id(update)
    tries, latest = await storage.listening.tries(me, message_id)
    attempt = next_try(tries, latest)
    if attempt is not None and await _just_shown(update, context, "tap:heard"):
        return
    await query.answer()
    if attempt is None:
        await _already(update, context, partner, latest)
        return
    prepared = _prepared(context, saved)
    text = texts.heard_offer.format(
        name=html.escape(partner.name), reflection=html.escape(prepared, quote=False)
    )
    markup = views.offer_keyboard(texts, partner.name, message_id, attempt, "p", prepared)
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)
    # "Say it your own way" invites typing: a text now is that (inside the composer, a text
    # is the draft's next part, and "Say it my way" asks for it plainly).
    if not await storage.draft_active(me):
        awaited = Awaited(Expecting.REFLECTION, message_id=message_id, to_user=partner.user_id)
        await storage.conversation.expect(me, awaited, at=context.now())


@logged
async def say_it_my_way(update: Update, context: Context) -> None:
    """ "Say it my way" (or "try again in my words"): the next text is the reflection. Inside
    the composer too: the text answers this question, and the draft waits."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = views.HeardOwn.of(query.data).message_id
    found = await _heard_from(update, context, message_id)
    if found is None:
        return
    partner, _ = found
    storage, me = context.storage, user_id(update)
    tries, latest = await storage.listening.tries(me, message_id)
    attempt = next_try(tries, latest)
    if attempt is not None and await _just_shown(update, context, "tap:own"):
        return
    await query.answer()
    if attempt is None:
        await _already(update, context, partner, latest)
        return
    awaited = Awaited(Expecting.REFLECTION, message_id=message_id, to_user=partner.user_id)
    await storage.conversation.expect(me, awaited, at=context.now())
    prompt = context.texts.heard_own_prompt.format(
        name=html.escape(partner.name), limit=MAX_PART_LENGTH
    )
    await context.bot.send_message(chat_id(update), prompt)


async def reflection_from_text(
    update: Update, context: Context, awaited: Awaited, text: str
) -> None:
    """The listener's own words for what they heard: shown back with "Send it"; typing again
    replaces them."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    partner = await storage.pairing.partner_of(me)
    message_id = awaited.message_id or 0
    if partner is None or partner.user_id != awaited.to_user:
        await storage.conversation.expect(me, None)
        await context.bot.send_message(chat_id(update), texts.heard_partner_gone)
        return
    attempt = await _this_try(update, context, partner, message_id)
    if not attempt:
        await storage.conversation.expect(me, None)
        return
    words = text.strip()
    await storage.conversation.hold_text(me, words)
    shown = texts.heard_own_preview.format(
        name=html.escape(partner.name), reflection=html.escape(words, quote=False)
    )
    shown += "\n\n" + (check_note(context, words) or texts.heard_own_hint)
    markup = views.offer_keyboard(texts, partner.name, message_id, attempt, "o", words)
    await context.bot.send_message(chat_id(update), shown, reply_markup=markup)


@logged
async def send_reflection(update: Update, context: Context) -> None:
    """Sends the reflection shown on this button, once per try; the speaker gets it with
    "Yes, that's it" / "Not quite"."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.HeardSend.of(query.data)
    found = await _heard_from(update, context, button.message_id)
    if found is None:
        return
    partner, saved = found
    storage, texts, me = context.storage, context.texts, user_id(update)
    action = ("heard", f"{button.message_id}:{button.attempt}")
    if await storage.did(me, *action):  # a second tap: a toast, not another message
        _, latest = await storage.listening.tries(me, button.message_id)
        await query.answer(_already_text(context, partner, latest))
        return
    if button.source == "p":
        text = _prepared(context, saved)
    else:
        text = await storage.conversation.held_text(me) or ""
    if not text or text_sum(text) != button.text_sum:
        await query.answer(texts.stale_button)
        return
    await query.answer()
    if not await storage.claim_action(me, *action):
        _, latest = await storage.listening.tries(me, button.message_id)
        await _already(update, context, partner, latest)
        return
    delivery = await _deliver_reflection(update, context, partner, saved, button, text)
    if delivery is Delivery.FAILED:
        await storage.release_action(me, *action)
        return
    await context.storage.conversation.stop_expecting(me, Expecting.REFLECTION, button.message_id)
    await query.edit_message_reply_markup(reply_markup=None)
    if delivery is Delivery.SENT:
        await context.bot.send_message(
            chat_id(update), texts.heard_sent.format(name=html.escape(partner.name))
        )
    if await storage.draft_active(me):
        await context.bot.send_message(chat_id(update), texts.heard_draft_waiting)


async def _deliver_reflection(
    update: Update,
    context: Context,
    partner: Partner,
    saved: SavedMessage,
    button: views.HeardSend,
    text: str,
) -> Delivery:
    """Both copies are kept first (the speaker's buttons name theirs), and removed again if
    nothing arrived."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    copies = await storage.listening.record(
        me, partner.user_id, button.message_id, button.attempt, text, saved.text
    )
    incoming = texts.heard_incoming.format(
        name=_first_name(update),
        reflection=html.escape(text, quote=False),
        about=html.escape(preview(saved.text, ABOUT_LENGTH)),
    )
    markup = views.answer_keyboard(texts, copies[1])
    # The speaker may simply type their answer ("yes, that's it"): held for a tap.
    guess = Awaited(Expecting.HEARD_ANSWER, message_id=copies[1], to_user=me)
    await storage.conversation.expect_if_free(partner.user_id, guess, at=context.now())
    try:
        delivery = await deliver(context, update, partner, incoming, markup)
    except BaseException:
        await storage.listening.discard(me, copies)
        await storage.release_action(me, "heard", f"{button.message_id}:{button.attempt}")
        raise
    if delivery is Delivery.FAILED:
        await storage.listening.discard(me, copies)
    log.info("user=%s reflection %s: %s", me, copies[0], delivery.value)
    return delivery


@logged
async def not_now(update: Update, context: Context) -> None:
    """ "Not now": nothing sent; the message and its buttons stay."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = views.HeardSkip.of(query.data).message_id
    found = await _heard_from(update, context, message_id)
    if found is None:
        return
    partner, _ = found
    me = user_id(update)
    if not await first_tap(update, context, "tap:skip"):
        await query.answer()
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    _, latest = await context.storage.listening.tries(me, message_id)
    if latest in (Understood.SENT, Understood.YES):
        # An old "Not now" while a later try waits (or was understood): say where things are.
        await _already(update, context, partner, latest)
        return
    await context.storage.conversation.stop_expecting(me, Expecting.REFLECTION, message_id)
    # That screen is closed: "Say what I heard" right away opens a new one.
    await context.storage.forget_taps(me, "tap:heard", "tap:own")
    name = html.escape(partner.name)
    await context.bot.send_message(chat_id(update), context.texts.heard_skipped.format(name=name))


# --- the speaker ---------------------------------------------------------------------------


async def _own_copy(
    update: Update, context: Context, reflection_id: int
) -> tuple[Reflection, Partner] | None:
    """The speaker's copy of a reflection and its listener, if the two are still paired;
    otherwise None, and a toast says why."""
    me = user_id(update)
    found = await context.storage.listening.get(me, reflection_id)
    if found is None or found.role is not Role.SPEAKER:
        await _toast(update, context.texts.stale_button)
        return None
    partner = await context.storage.pairing.partner_of(me)
    if partner is None or partner.user_id != found.partner_id:
        await _toast(update, context.texts.heard_partner_gone)
        return None
    return found, partner


@logged
async def answer(update: Update, context: Context) -> None:
    """ "Yes, that's it" or "Not quite", once per reflection."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.HeardAnswer.of(query.data)
    own = await _own_copy(update, context, button.reflection_id)
    if own is None:
        return
    found, partner = own
    storage, texts, me = context.storage, context.texts, user_id(update)
    status = Understood.YES if button.choice == "yes" else Understood.NOT_QUITE
    if await storage.listening.answer(me, found.id, status, context.now()) is None:
        await query.answer(texts.heard_already_answered)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await storage.conversation.stop_expecting(me, Expecting.HEARD_ANSWER, found.id)
    name = html.escape(partner.name)
    if status is Understood.NOT_QUITE:
        awaited = Awaited(Expecting.CORRECTION, message_id=found.id, to_user=partner.user_id)
        await storage.conversation.expect(me, awaited, at=context.now())
        await context.bot.send_message(
            chat_id(update),
            texts.heard_not_quite_prompt.format(name=name),
            reply_markup=views.plain_keyboard(texts, found.id),
        )
        return
    # What the listener types next is most likely their side: held for "send it?".
    await expect_answer(context, partner.user_id, found.message_id, me)
    told = texts.heard_understood_listener.format(name=_first_name(update))
    # A time to talk is one of the one-tap answers: offered only if none was given yet.
    answered = await storage.did(partner.user_id, "reply", f"{found.message_id}:{me}")
    markup = views.your_side_keyboard(texts, found.message_id, can_talk=not answered)
    try:
        delivery = await deliver(context, update, partner, told, markup)
    except BaseException:
        await storage.listening.reopen(me, found.id)
        raise
    if delivery is Delivery.SENT:
        await context.bot.send_message(
            chat_id(update), texts.heard_understood_speaker.format(name=name)
        )


async def _about(context: Context, me: int, found: Reflection) -> str:
    """Which message a "not quite" is about (the listener may have heard several)."""
    saved = await context.storage.saved_message(me, found.message_id)
    return html.escape(preview(saved.text if saved else found.text, ABOUT_LENGTH))


async def correction_from_text(
    update: Update, context: Context, awaited: Awaited, text: str
) -> None:
    """The speaker's words on what the listener missed: they go to the listener, who can
    try again; words with a verdict or contempt in them are shown with the gentle check and
    go only on a tap (typing again replaces them)."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    found = await storage.listening.get(me, awaited.message_id or 0)
    partner = await storage.pairing.partner_of(me)
    if found is None or partner is None or partner.user_id != found.partner_id:
        await storage.conversation.expect(me, None)
        await context.bot.send_message(chat_id(update), texts.heard_partner_gone)
        return
    words = text.strip()
    note = check_note(context, words)
    if note:
        await storage.conversation.hold_text(me, words)
        shown = texts.heard_correction_preview.format(
            name=html.escape(partner.name), words=html.escape(words, quote=False), check=note
        )
        markup = views.correction_keyboard(texts, partner.name, found.id, words)
        await context.bot.send_message(chat_id(update), shown, reply_markup=markup)
        return
    await _send_correction(update, context, partner, found, words)


async def _send_correction(
    update: Update, context: Context, partner: Partner, found: Reflection, words: str
) -> None:
    told = context.texts.heard_not_quite_words.format(
        name=_first_name(update),
        words=html.escape(words, quote=False),
        about=await _about(context, user_id(update), found),
    )
    if await _tell_not_quite(update, context, partner, found, told, words):
        await context.storage.conversation.expect(user_id(update), None)


@logged
async def send_held_correction(update: Update, context: Context) -> None:
    """ "Send it" under a "not quite" the gentle check held: the very words shown."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.HeardCorrection.of(query.data)
    own = await _own_copy(update, context, button.reflection_id)
    if own is None:
        return
    found, partner = own
    storage, me = context.storage, user_id(update)
    awaited = await storage.conversation.awaited(me)
    held = await storage.conversation.held_text(me)
    if (
        awaited is None
        or awaited.what is not Expecting.CORRECTION
        or awaited.message_id != found.id
        or held is None
        or text_sum(held) != button.text_sum
    ):
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _send_correction(update, context, partner, found, held)


@logged
async def just_not_quite(update: Update, context: Context) -> None:
    """ "Just say 'not quite'": the listener hears it without words."""
    query = update.callback_query
    assert query is not None and query.data is not None
    own = await _own_copy(update, context, views.HeardPlain.of(query.data).reflection_id)
    if own is None:
        return
    found, partner = own
    storage, texts, me = context.storage, context.texts, user_id(update)
    if await storage.did(me, "not-quite", str(found.id)):
        await query.answer(texts.heard_already_answered)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    about = await _about(context, me, found)
    told = texts.heard_not_quite_plain.format(name=_first_name(update), about=about)
    if await _tell_not_quite(update, context, partner, found, told, ""):
        await storage.conversation.stop_expecting(me, Expecting.CORRECTION, found.id)


async def _tell_not_quite(
    update: Update,
    context: Context,
    partner: Partner,
    found: Reflection,
    told: str,
    words: str,
) -> bool:
    """Once per reflection (words or none); True once it is done with (sent, or already
    sent), False if it should wait for another try."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    name = html.escape(partner.name)
    action = ("not-quite", str(found.id))
    if found.status is not Understood.NOT_QUITE or not await storage.claim_action(me, *action):
        if update.callback_query is not None:
            await update.callback_query.answer(texts.heard_already_answered)
        else:
            await context.bot.send_message(chat_id(update), texts.heard_already_answered)
        return True
    if words:
        await storage.listening.correct(me, found.id, words)
    markup = views.again_keyboard(texts, found.message_id)
    if not await storage.draft_active(partner.user_id):
        # Before it arrives: their next text is most likely the next try (not inside their
        # own draft, where a text is its next part).
        again = Awaited(Expecting.REFLECTION, message_id=found.message_id, to_user=me)
        await storage.conversation.expect_if_free(partner.user_id, again, at=context.now())
    # Before it arrives: a tap on "Try again" the moment it does must find it said.
    await storage.listening.not_quite_told(me, found.id)
    try:
        delivery = await deliver(context, update, partner, told, markup)
    except BaseException:
        await storage.listening.not_quite_told(me, found.id, told=False)
        await storage.release_action(me, *action)
        raise
    if delivery is Delivery.FAILED:
        await storage.listening.not_quite_told(me, found.id, told=False)
        await storage.release_action(me, *action)
        return False
    if delivery is Delivery.SENT:
        await context.bot.send_message(
            chat_id(update), texts.heard_correction_sent.format(name=name)
        )
    return True


async def answer_in_words(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """Text typed right after a reflection arrived: most likely the answer to it. It waits for
    a tap: "Yes, that's it", "Not quite: send these words", or "Keep it here"."""
    storage, texts, me = context.storage, context.texts, user_id(update)
    found = await storage.listening.get(me, awaited.message_id or 0)
    partner = await storage.pairing.partner_of(me)
    words = text.strip()
    if (
        found is None
        or found.status is not Understood.SENT
        or partner is None
        or partner.user_id != found.partner_id
    ):
        # Answered already, or no longer theirs to answer: kept, like any words typed.
        await storage.conversation.expect(me, None)
        await storage.conversation.hold_text(me, words)
        await context.bot.send_message(
            chat_id(update),
            texts.from_text_offer,
            reply_markup=compose_views.from_text_keyboard(context.content, can_compose=True),
        )
        return
    await storage.conversation.hold_text(me, words)
    asked = texts.heard_answer_asked.format(
        name=html.escape(partner.name), words=html.escape(words, quote=False)
    )
    note = check_note(context, words)
    await context.bot.send_message(
        chat_id(update),
        f"{asked}\n\n{note}" if note else asked,
        reply_markup=views.typed_answer_keyboard(texts, found.id, words),
    )


@logged
async def send_typed(update: Update, context: Context) -> None:
    """ "Not quite: send these words": the held text goes as the "not quite"."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.HeardTyped.of(query.data)
    own = await _own_copy(update, context, button.reflection_id)
    if own is None:
        return
    found, partner = own
    storage, texts, me = context.storage, context.texts, user_id(update)
    held = await storage.conversation.held_text(me)
    if held is None or text_sum(held) != button.text_sum:
        await query.answer(texts.stale_button)
        return
    answered = await storage.listening.answer(me, found.id, Understood.NOT_QUITE, context.now())
    if answered is None:
        await query.answer(texts.heard_already_answered)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await storage.conversation.expect(me, None)
    await _send_correction(update, context, partner, answered, held)


@logged
async def keep_typed(update: Update, context: Context) -> None:
    """ "Keep it here": nothing is sent; the reflection's own buttons still answer it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    own = await _own_copy(update, context, views.HeardKeep.of(query.data).reflection_id)
    if own is None:
        return
    found, partner = own
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.storage.conversation.stop_expecting(
        user_id(update), Expecting.HEARD_ANSWER, found.id
    )
    name = html.escape(partner.name)
    await context.bot.send_message(chat_id(update), context.texts.reply_kept.format(name=name))


def register(application: AnyApplication) -> None:
    for handler, codec in (
        (offer, views.HeardOffer),
        (say_it_my_way, views.HeardOwn),
        (send_reflection, views.HeardSend),
        (not_now, views.HeardSkip),
        (answer, views.HeardAnswer),
        (send_held_correction, views.HeardCorrection),
        (send_typed, views.HeardTyped),
        (keep_typed, views.HeardKeep),
        (just_not_quite, views.HeardPlain),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=codec.pattern()))
