"""Typed text outside the composer goes to what the bot last asked for; with nothing asked,
a pointer to /compose. The answer's own handler clears what was awaited once it took the
answer; an answer that cannot be used (empty, too long) leaves it, so trying again works."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.core.conversation import Awaited, Expecting, still_open
from bot.core.draft import MAX_PART_LENGTH, PartProblem, part_problem
from bot.core.first_words import MAX_KEPT_LENGTH, FirstWords, keep_more, kind_of
from bot.core.safety import MAX_PLAN_PART_LENGTH, PLAN_QUESTIONS
from bot.features.checkin import handlers as checkin
from bot.features.compose import views as compose_views
from bot.features.coregulation import handlers as coregulation
from bot.features.follow_ups import handlers as follow_ups
from bot.features.listening import handlers as listening
from bot.features.practice import handlers as practice
from bot.features.reminders import handlers as reminders
from bot.features.repair import handlers as repair
from bot.features.safety import handlers as safety
from bot.features.sharing import handlers as share
from bot.handlers.context import AnyApplication, Context, chat_id, logged, user_id

Answer = Callable[[Update, Context, Awaited, str], Awaitable[None]]


def _with_text(take: Callable[[Update, Context, str], Awaitable[None]]) -> Answer:
    async def answer(update: Update, context: Context, awaited: Awaited, text: str) -> None:
        await take(update, context, text)

    return answer


async def _send_time(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    await follow_ups.send_time_from_text(update, context, text, awaited.message_id or 0)


ANSWERS: dict[Expecting, Answer] = {
    Expecting.TIME_ZONE: _with_text(reminders.zone_from_text),
    Expecting.DAILY_TIME: _with_text(reminders.daily_time_from_text),
    Expecting.CHECKIN: _with_text(checkin.save_checkin),
    Expecting.CHECKIN_MORE: _with_text(checkin.more_from_text),
    Expecting.NUDGE_ANSWER: _with_text(checkin.save_checkin),
    Expecting.OUTCOME_NOTE: _with_text(follow_ups.outcome_from_text),
    Expecting.SEND_TIME: _send_time,
    Expecting.PARTNER_REPLY: share.reply_from_text,
    Expecting.TALK_TIME: share.reply_from_text,
    Expecting.TALK_OTHER: coregulation.talk_other_from_text,
    Expecting.INCOMING: share.incoming_text,
    Expecting.REFLECTION: listening.reflection_from_text,
    Expecting.CORRECTION: listening.correction_from_text,
    Expecting.HEARD_ANSWER: listening.answer_in_words,
    Expecting.PRACTICE: practice.answer_from_text,
    Expecting.REPAIR: repair.answer_from_text,
    **dict.fromkeys(PLAN_QUESTIONS, safety.plan_part_from_text),
    Expecting.SAFETY_PAUSE: safety.paused,
}
# A safety plan's part may be longer than a part of a message.
LIMITS = dict.fromkeys(PLAN_QUESTIONS, MAX_PLAN_PART_LENGTH)


@logged
async def typed_text(update: Update, context: Context) -> None:
    """Text outside the composer: the answer to what the bot asked for, or a pointer."""
    assert update.message is not None and update.message.text is not None
    text = update.message.text
    found = context.services
    asked = await found.storage.conversation.awaited(user_id(update))
    awaited = still_open(asked, context.now())
    if asked is not None and awaited is None:
        await found.storage.conversation.expect(user_id(update), None)
    if awaited is None:
        await _nothing_asked(update, context, text)
        return
    await answer_question(update, context, awaited, text)


async def _nothing_asked(update: Update, context: Context, text: str) -> None:
    """A text with nothing asked: a greeting gets the pointer, a question about the bot the
    help; anything else is kept (added to what is kept already, so nothing typed is lost), with
    an offer to start a soft start-up with it or to keep it in the journal."""
    texts = context.texts
    words = context.content.words.first_words
    kind = kind_of(text, words.greetings, words.question_starts)
    problem = part_problem(text, MAX_KEPT_LENGTH)
    if problem is PartProblem.TOO_LONG:
        await context.bot.send_message(
            chat_id(update), texts.too_long_message.format(limit=MAX_KEPT_LENGTH)
        )
        return
    if problem is not None or kind is FirstWords.GREETING:
        await context.bot.send_message(chat_id(update), texts.outside_flow)
        return
    if kind is FirstWords.QUESTION:
        await context.bot.send_message(chat_id(update), texts.outside_flow_question)
        return
    storage = context.storage
    kept = await storage.conversation.held_text(user_id(update))
    await storage.conversation.hold_text(user_id(update), keep_more(kept, text))
    can_compose = await storage.load_draft(user_id(update)) is None
    offer = texts.from_text_offer if can_compose else texts.from_text_offer_with_draft
    keyboard = compose_views.from_text_keyboard(context.content, can_compose)
    await context.bot.send_message(chat_id(update), offer, reply_markup=keyboard)


@logged
async def journal_the_text(update: Update, context: Context) -> None:
    """ "Keep it in my journal": the held text becomes a journal entry."""
    query = update.callback_query
    assert query is not None
    held = await context.storage.conversation.held_text(user_id(update))
    if held is None:
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.storage.conversation.expect(user_id(update), None)
    await context.storage.reminders.add_checkin(user_id(update), context.now(), held)
    await context.bot.send_message(
        chat_id(update), context.texts.from_text_journaled.format(words=html.escape(held))
    )


async def answer_question(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """A typed answer to what the bot asked; an unusable one is asked again, kindly."""
    found = context.services
    limit = LIMITS.get(awaited.what, MAX_PART_LENGTH)
    problem = part_problem(text, limit)
    if problem is not None:
        texts = found.content.texts
        reply = (
            texts.too_long_message.format(limit=limit)
            if problem is PartProblem.TOO_LONG
            else texts.empty_text
        )
        await context.bot.send_message(chat_id(update), reply)
        return
    await ANSWERS[awaited.what](update, context, awaited, text)


async def moved_on(update: Update, context: Context) -> None:
    """A command means the person went elsewhere: a question left open before it (a time, a
    reply to the partner) must not catch a later text. /cancel says what it dropped; /help
    and /back keep the place."""
    awaited = await context.storage.conversation.awaited(user_id(update))
    if awaited is None or _kept_across(awaited, update):
        return
    await context.storage.conversation.expect(user_id(update), None)


def _kept_across(awaited: Awaited, update: Update) -> bool:
    """A held answer to the partner survives any command: losing it would lose words. A reply
    being written, what is being said back, or a "not quite", survives a look elsewhere
    (/history to recall what was written); a command that asks for something of its own
    (/compose) takes the next text."""
    if awaited.what in (Expecting.INCOMING, Expecting.HEARD_ANSWER):
        return True
    text = update.message.text if update.message and update.message.text else ""
    command = text.split(maxsplit=1)[0].lstrip("/").split("@")[0].casefold() if text else ""
    return awaited.what in KEPT_ACROSS_LOOKS and command in LOOKS


SAID_BACK = frozenset(
    {
        Expecting.REFLECTION,
        Expecting.CORRECTION,
        Expecting.PARTNER_REPLY,
        Expecting.TALK_TIME,
        Expecting.TALK_OTHER,
        Expecting.REPAIR,
        Expecting.PRACTICE,
    }
)
# A place asked for a reminder that waits for it survives a look too.
KEPT_ACROSS_LOOKS = SAID_BACK | {Expecting.TIME_ZONE, Expecting.CHECKIN_MORE}
# Commands that only show something.
LOOKS = frozenset({"history", "journal", "learn", "partner", "export"})
KEEPS_THE_QUESTION = filters.Regex(r"^/(cancel|help|back)(@\w+)?(\s|$)")


def register(application: AnyApplication) -> None:
    private_text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private_text, typed_text))
    application.add_handler(
        CallbackQueryHandler(journal_the_text, pattern=compose_views.FROM_TEXT_JOURNAL)
    )
    commands = filters.COMMAND & filters.ChatType.PRIVATE & ~KEEPS_THE_QUESTION
    # Before every feature (group 0), after the safety check (-2).
    application.add_handler(MessageHandler(commands, moved_on), group=-1)
