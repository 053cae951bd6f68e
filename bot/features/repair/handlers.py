"""Repair, offered when a talk went badly ("how did it go?" -> "It was hard"): a minute to
calm down first, then three short questions (one's own part, an appreciation, a request to try
again) put together into a message that is saved and shared like any other."""

from __future__ import annotations

import html
import json

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.conversation import Awaited, Expecting
from bot.core.repair import RepairStep, compose_repair
from bot.features.repair import views
from bot.features.sharing.handlers import share_keyboard
from bot.handlers.context import AnyApplication, Context, chat_id, logged, user_id
from bot.handlers.taps import first_tap


@logged
async def start(update: Update, context: Context) -> None:
    """Calm first: the breathing, or "I'm ready"."""
    query = update.callback_query
    assert query is not None
    if not await first_tap(update, context, "tap:repair"):
        await query.answer(context.texts.just_below)
        return
    await query.answer()
    texts = context.texts
    markup = views.calm_keyboard(texts)
    await context.bot.send_message(chat_id(update), texts.repair_calm, reply_markup=markup)


@logged
async def ready(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    if not await first_tap(update, context, "tap:repair"):
        await query.answer(context.texts.just_below)
        return
    await query.answer()
    await _ask(update, context, RepairStep.PART)


QUESTIONS = {
    RepairStep.PART: "repair_ask_part",
    RepairStep.THANKS: "repair_ask_thanks",
    RepairStep.AGAIN: "repair_ask_again",
}


async def _ask(update: Update, context: Context, step: RepairStep) -> None:
    awaited = Awaited(Expecting.REPAIR, message_id=int(step))
    await context.storage.conversation.expect(user_id(update), awaited, at=context.now())
    await context.bot.send_message(chat_id(update), getattr(context.texts, QUESTIONS[step]))


def _answers_so_far(held: str | None, step: RepairStep) -> list[str] | None:
    """The answers kept for the earlier steps; None if they are not there as they should be."""
    if step is RepairStep.PART:
        return []
    try:
        answers = json.loads(held or "")
    except ValueError:
        return None
    if not isinstance(answers, list) or len(answers) != step - 1:
        return None
    return [str(answer) for answer in answers]


async def answer_from_text(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """One answer; the next question, or the message once all three are there."""
    storage, me = context.storage, user_id(update)
    try:
        step = RepairStep(awaited.message_id or 1)
    except ValueError:
        step = RepairStep.PART
    answers = _answers_so_far(await storage.conversation.held_text(me), step)
    if answers is None:  # lost track (changed outside the bot): start the questions again
        await _ask(update, context, RepairStep.PART)
        return
    answers.append(text.strip())
    if step is not RepairStep.AGAIN:
        await _ask(update, context, RepairStep(step + 1))
        # Kept (sealed, like any words kept for later) until the message is made.
        await storage.conversation.hold_text(me, json.dumps(answers))
        return
    await storage.conversation.expect(me, None)
    await _finish(update, context, answers)


async def _finish(update: Update, context: Context, answers: list[str]) -> None:
    content, me = context.content, user_id(update)
    part, thanks, again = answers
    text = compose_repair(part, thanks, again, content.words.repair.built(), content.phrasing)
    parts = {"feeling": "", "reason": part, "regulation": thanks, "request": again}
    message_id = await context.storage.save_message(me, parts, text, at=context.now())
    saved = await context.storage.saved_message(me, message_id)
    await context.bot.send_message(chat_id(update), content.texts.repair_done)
    if saved is None:
        return
    markup = await share_keyboard(context, me, saved)
    await context.bot.send_message(
        chat_id(update), html.escape(saved.text, quote=False), reply_markup=markup
    )


def register(application: AnyApplication) -> None:
    application.add_handler(CallbackQueryHandler(start, pattern=f"^{views.START}$"))
    application.add_handler(CallbackQueryHandler(ready, pattern=f"^{views.READY}$"))
