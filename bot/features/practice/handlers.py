"""/practice: an exercise, the person's own version, and the gentle check's reading of it with
one way to say it. Nothing typed here is kept or sent; only which exercises were done is (so
/practice picks up where the person left off)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

from bot.core.conversation import Awaited, Expecting
from bot.core.practice import first_open, read_answer
from bot.features.practice import views
from bot.handlers.context import AnyApplication, Context, applied, chat_id, logged, user_id
from bot.handlers.taps import first_tap

# What the done-actions table calls a finished exercise.
DONE = "practice"


async def _show(update: Update, context: Context, index: int) -> None:
    """Exercise `index`, and the next text is its answer."""
    content = context.content
    await context.storage.conversation.expect(
        user_id(update), Awaited(Expecting.PRACTICE, message_id=index), at=context.now()
    )
    await context.bot.send_message(
        chat_id(update),
        views.card(content, index),
        reply_markup=views.card_keyboard(content, index),
    )


async def _done(context: Context, me: int, index: int) -> None:
    await context.storage.claim_action(me, DONE, str(index))


@logged
async def practice(update: Update, context: Context) -> None:
    """/practice: a word on what this is (the first time), and the first exercise not done."""
    total = len(context.content.exercises)
    done = {
        int(target)
        for target in await context.storage.done_targets(user_id(update), DONE)
        if target.isdigit()
    }
    if not done:
        await context.bot.send_message(chat_id(update), context.texts.practice_intro)
    await _show(update, context, first_open(done, total))


@logged
async def practice_in_flow(update: Update, context: Context) -> int:
    """/practice inside the composer: practice steps out of it (what is typed here must never
    become the draft's next part); the draft is kept for /compose."""
    await context.storage.set_draft_active(user_id(update), active=False, update=applied(context))
    await practice(update, context)
    return ConversationHandler.END


def in_flow_handlers() -> list[BaseHandler[Update, Context, object]]:
    return [CommandHandler("practice", practice_in_flow, filters=filters.ChatType.PRIVATE)]


async def _current(context: Context, me: int) -> int | None:
    """The exercise waiting for an answer, if any."""
    awaited = await context.storage.conversation.awaited(me)
    if awaited is None or awaited.what is not Expecting.PRACTICE:
        return None
    return awaited.message_id


async def _behind(update: Update, context: Context, index: int) -> bool:
    """An old exercise's button while another one is current: says so (a toast)."""
    current = await _current(context, user_id(update))
    if current is None or current == index:
        return False
    assert update.callback_query is not None
    await update.callback_query.answer(context.texts.practice_behind)
    return True


def _exercise_of(context: Context, index: int) -> bool:
    return 0 <= index < len(context.content.exercises)


@logged
async def go(update: Update, context: Context) -> None:
    """ "Next ›" or "Try this one again"; past the last one, round again from the first."""
    query = update.callback_query
    assert query is not None and query.data is not None
    index = views.PracticeGo.of(query.data).index
    total = len(context.content.exercises)
    if index > total:
        await query.answer(context.texts.stale_button)
        return
    current = await _current(context, user_id(update))
    if current is not None and current not in (index, index - 1):
        await query.answer(context.texts.practice_behind)
        return
    if not await first_tap(update, context, "tap:practice"):
        await query.answer(context.texts.just_below)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if index == total:
        await context.bot.send_message(chat_id(update), context.texts.practice_all_done)
        index = 0
    await _show(update, context, index)


async def _open(update: Update, context: Context, index: int, tap: str) -> bool:
    """Whether a button of exercise `index` acts (and its tap is answered): not for an
    exercise that is not there, one behind the current, or the same tap again."""
    query = update.callback_query
    assert query is not None
    if not _exercise_of(context, index):
        await query.answer(context.texts.stale_button)
        return False
    if await _behind(update, context, index):
        return False
    if not await first_tap(update, context, tap):
        await query.answer(context.texts.just_below)
        return False
    await query.answer()
    return True


@logged
async def hint(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    index = views.PracticeHint.of(query.data).index
    if not await _open(update, context, index, "tap:hint"):
        return
    exercise = context.content.exercises[index]
    await context.bot.send_message(
        chat_id(update), context.texts.practice_hint.format(hint=exercise.hint)
    )


@logged
async def show_one_way(update: Update, context: Context) -> None:
    """ "Show me one way": the model answer, and what next."""
    query = update.callback_query
    assert query is not None and query.data is not None
    index = views.PracticeShow.of(query.data).index
    if not await _open(update, context, index, "tap:practice"):
        return
    await query.edit_message_reply_markup(reply_markup=None)
    # A text now is one more try at this exercise ("Try this one again" shows it again).
    await _done(context, user_id(update), index)
    content = context.content
    await context.bot.send_message(
        chat_id(update),
        views.model(content, content.exercises[index]),
        reply_markup=views.after_keyboard(content, index),
    )


async def answer_from_text(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """The person's version: read with the gentle check, then one way to say it."""
    content, me = context.content, user_id(update)
    index = awaited.message_id or 0
    if not _exercise_of(context, index):
        await context.bot.send_message(chat_id(update), context.texts.outside_flow)
        return
    exercise = content.exercises[index]
    reading = read_answer(
        exercise,
        text,
        content.rules,
        content.signals,
        content.words.feelings.known,
        content.words.faux_feelings,
        content.checks.shorthand,
    )
    await _done(context, me, index)
    await context.bot.send_message(
        chat_id(update),
        views.feedback(content, exercise, reading),
        reply_markup=views.after_keyboard(content, index),
    )


@logged
async def stop(update: Update, context: Context) -> None:
    """ "Done for now"."""
    query = update.callback_query
    assert query is not None and query.data is not None
    index = views.PracticeStop.of(query.data).index
    if not await first_tap(update, context, "tap:practice-stop"):
        await query.answer()
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.storage.conversation.stop_expecting(user_id(update), Expecting.PRACTICE, index)
    texts = context.texts
    await context.bot.send_message(chat_id(update), texts.practice_stopped)
    if await context.storage.load_draft(user_id(update)) is not None:
        await context.bot.send_message(chat_id(update), texts.practice_draft_waiting)


def register(application: AnyApplication) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("practice", practice, filters=private))
    for handler, codec in (
        (go, views.PracticeGo),
        (hint, views.PracticeHint),
        (show_one_way, views.PracticeShow),
        (stop, views.PracticeStop),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=codec.pattern()))
