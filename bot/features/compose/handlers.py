"""The Soft Start-Up conversation: FEELING -> REASON -> REGULATION -> REQUEST -> REVIEW.

See compose.mmd beside this file for the diagram. Every step saves the draft (with its step)
before it asks the next question, so the database is the truth about where the user is.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.check import Finding, check_draft
from bot.core.compose import compose_message, find_faux_feeling, tidy_part
from bot.core.conversation import GUESSES, Awaited, Expecting, still_open
from bot.core.draft import MAX_PART_LENGTH, PARTS, Draft, PartProblem, Step, part_problem
from bot.core.schedule import Later
from bot.features.compose import views
from bot.features.conversation import handlers as typed
from bot.features.follow_ups import handlers as follow_ups
from bot.features.practice import handlers as practice
from bot.features.safety import views as safety_views
from bot.features.sharing import handlers as share
from bot.features.welcome import views as welcome_views
from bot.features.your_data import handlers as forget
from bot.handlers import commands, questions, redelivery
from bot.handlers.context import (
    AnyApplication,
    Context,
    applied,
    chat_id,
    logged,
    user_id,
)
from bot.storage.persistence import COMPOSE_CONVERSATION
from bot.storage.reminders import CONTINUE

END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE


# --- asking --------------------------------------------------------------------------------


def _question(context: Context, draft: Draft) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons that ask for the draft's current step."""
    content = context.content
    texts = content.texts
    if draft.step is Step.REVIEW:
        findings = check_draft(draft, content.rules)
        if findings:
            return _finding_view(context, findings[0])
        message = compose_message(draft, content.phrasing)
        return texts.review.format(message=message.html), views.review_keyboard(content)
    progress = _progress(context, draft)
    questions = {
        Step.FEELING: texts.ask_feeling,
        Step.REASON: texts.ask_reason,
        Step.REGULATION: texts.ask_regulation,
        Step.REQUEST: texts.ask_request,
    }
    feeling = html.escape(compose_feeling(context, draft))
    text = questions[draft.step].format(progress=progress, feeling=feeling)
    markup = views.suggestions_keyboard(content, draft.step)
    written = draft.part(draft.step)
    if written and draft.step is Step.REASON and not draft.editing:
        # Words typed before /compose: shown, and kept with one tap (or replaced by typing).
        text += "\n\n" + texts.words_so_far.format(words=html.escape(written))
        markup = views.with_kept_words(content, draft.step, markup)
    return text, markup


def _progress(context: Context, draft: Draft) -> str:
    """ "Step 2 of 4"; while one part is changed from the review, no step number (it would
    seem to go backwards)."""
    texts = context.texts
    if draft.editing:
        return texts.progress_editing
    current, total = draft.progress
    return texts.progress.format(current=current, total=total)


def _finding_view(context: Context, finding: Finding) -> tuple[str, InlineKeyboardMarkup]:
    """One finding of the gentle check: what, why, a softer way; rewrite or keep."""
    content = context.content
    rule = content.checks.explained(finding.rule)
    text = content.texts.check_finding.format(
        part=views.part_name(content, finding.step),
        title=rule.title,
        words=html.escape(finding.words),
        explain=rule.explain,
        softer=rule.softer,
    )
    return text, views.finding_keyboard(content, finding)


def compose_feeling(context: Context, draft: Draft) -> str:
    """The feeling as the message will say it, for "You feel anxious." in the next question."""
    return tidy_part(Step.FEELING, draft.feeling, context.content.phrasing)


async def ask(update: Update, context: Context, draft: Draft, intro: str = "") -> Step:
    """Sends the question for the draft's step (after `intro`, in the same message) and
    returns that step as the next state."""
    text, markup = _question(context, draft)
    await questions.send_question(
        update, context, f"{intro}\n\n{text.lstrip()}" if intro else text, markup
    )
    return draft.step


async def _say(update: Update, context: Context, text: str) -> None:
    await context.bot.send_message(chat_id(update), text)


async def _load(update: Update, context: Context) -> Draft | None:
    """The user's draft; None if it expired or was deleted while they were away. A tap on the
    composer brings the person back to it: a question asked elsewhere since (a check-in, a part
    of the safety plan) no longer catches their next typed text."""
    draft, asked = await context.storage.load_step(user_id(update))
    if update.callback_query and _asked_since(asked, context) is not None:
        await context.storage.conversation.expect(user_id(update), None)
    return draft


def _asked_since(asked: Awaited | None, context: Context) -> Awaited | None:
    """A question another feature asked after the composer's, still open (guesses, like "is
    this your answer to Alice?", do not count: a composer answer is no answer to them)."""
    question = still_open(asked, context.now())
    return question if question is not None and question.what not in GUESSES else None


async def _gone(update: Update, context: Context) -> int:
    """The draft is no longer there (it expired, or the user deleted their data): say so, end."""
    if update.callback_query:
        await update.callback_query.answer()
    # A draft that no longer opens may still have its row: it no longer holds the person in
    # the conversation (which replicas read back from the database before each update).
    await context.storage.set_draft_active(user_id(update), False, update=None)
    await _say(update, context, context.texts.draft_gone)
    return END


async def move_on(
    update: Update, context: Context, draft: Draft, *, known_user: bool = False
) -> Step:
    """Saves the draft, then asks its next question: saved before asked, never the other way.
    `known_user`: a draft of theirs was just read, so their users row exists (one statement
    less on every step)."""
    await context.storage.save_draft(
        user_id(update), draft, update=applied(context), known_user=known_user
    )
    return await ask(update, context, draft)


async def _settle_button(update: Update, context: Context, record: str = "") -> None:
    """Acknowledges a tap and removes the keyboard it came from, so it cannot be tapped twice;
    `record` (the question and what was chosen) replaces the text, so the chat reads as a
    record of the answers."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if query.message is None:
        return
    questions.answered_by_tap(update, context)
    if record:
        await query.edit_message_text(record, reply_markup=None)
    else:
        await query.edit_message_reply_markup(reply_markup=None)


def _picked(context: Context, question: str, step: Step, choice: str) -> str:
    """The question, with the tapped choice under it: "Feeling: hurt ✓"."""
    texts = context.texts
    part = {
        Step.FEELING: texts.picked_feeling,
        Step.REGULATION: texts.picked_regulation,
        Step.REQUEST: texts.picked_request,
    }[step]
    picked = texts.picked.format(part=part, choice=html.escape(choice, quote=False))
    return f"{question.rstrip()}\n\n{picked}"


# --- entering ------------------------------------------------------------------------------


@logged
async def compose(update: Update, context: Context) -> Step | int:
    """/compose or the start button: begins a soft start-up, or offers to resume a kept one."""
    if update.callback_query:
        await update.callback_query.answer()
    storage = context.storage
    kept = await storage.load_draft(user_id(update))
    if kept is not None and not kept.is_empty:
        current, total = kept.progress
        texts = context.texts
        await context.bot.send_message(
            chat_id(update),
            texts.resume_offer.format(current=current, total=total),
            reply_markup=views.resume_keyboard(context.content),
        )
        return END
    # Words typed before /compose with nothing asked (kept with an offer) are not left behind:
    # they become the first "what happened", as "Start a soft start-up with this" does.
    me = user_id(update)
    held = await storage.conversation.held_text(me)
    if held is not None and await storage.conversation.awaited(me) is None:
        await storage.conversation.expect(me, None, at=context.now())
        return await move_on(update, context, Draft().with_part(Step.REASON, held))
    return await move_on(update, context, Draft())


@logged
async def resume(update: Update, context: Context) -> Step | int:
    """Continues a kept draft at the step where it was left."""
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    await _settle_button(update, context)
    return await move_on(update, context, draft, known_user=True)


@logged
async def start_with_text(update: Update, context: Context) -> Step | int:
    """ "Start a soft start-up with this": what they typed becomes the first "what happened"."""
    held = await context.storage.conversation.held_text(user_id(update))
    if held is None:
        return await _stale_outside(update, context)
    await _settle_button(update, context)
    await context.storage.conversation.expect(user_id(update), None, at=context.now())
    return await move_on(update, context, Draft().with_part(Step.REASON, held))


async def _stale_outside(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer(context.texts.stale_button)
    return END


@logged
async def keep_words(update: Update, context: Context) -> Step | int:
    """ "Keep these words": the part's words already written are its answer."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    step = views.KeepWords.of(query.data).step
    if draft.step is not step or not draft.part(step):
        return await _stale(update, context, draft)
    await _settle_button(update, context)
    return await move_on(update, context, draft.answer(draft.part(step)), known_user=True)


@logged
async def start_fresh(update: Update, context: Context) -> Step:
    """Drops the kept draft and starts a new one."""
    await _settle_button(update, context)
    await _say(update, context, context.texts.started_fresh)
    return await move_on(update, context, Draft())


# --- answering -----------------------------------------------------------------------------


async def _reject(update: Update, context: Context, problem: PartProblem) -> None:
    texts = context.texts
    if problem is PartProblem.TOO_LONG:
        await _say(update, context, texts.too_long.format(limit=MAX_PART_LENGTH))
    else:
        await _say(update, context, texts.empty_text)


@logged
async def answer_text(update: Update, context: Context) -> Step | int:
    """Saves a typed answer to the current part and asks the next question."""
    assert update.message is not None and update.message.text is not None
    text = update.message.text
    draft, asked = await context.storage.load_step(user_id(update))
    question = _asked_since(asked, context)
    if question is not None:
        # The bot's last question was another feature's (mid-composer /checkin, /safety): the
        # text answers that one; the draft waits where it was.
        await typed.answer_question(update, context, question, text)
        if draft is None:
            return END
        answered = question.what is not Expecting.SAFETY_PAUSE and (
            await context.storage.conversation.awaited(user_id(update)) is None
        )
        if answered:
            # Show where the message was, so that the next text is not a surprise.
            await _say(update, context, context.texts.draft_waiting)
            return await ask(update, context, draft)
        return draft.step
    if draft is None:
        return await _gone(update, context)
    if draft.step is Step.REVIEW:
        return await review_text(update, context, draft)
    problem = part_problem(text)
    if problem is None and not tidy_part(draft.step, text, context.content.phrasing):
        problem = PartProblem.EMPTY  # only the formula's own words, like "I feel"
    if problem is not None:
        await _reject(update, context, problem)
        return draft.step
    if draft.step is Step.FEELING:
        return await _answer_feeling(update, context, draft, text)
    return await move_on(update, context, draft.answer(text), known_user=True)


async def _answer_feeling(update: Update, context: Context, draft: Draft, text: str) -> Step:
    """A faux feeling ("ignored") is kept, with a gentle offer of feelings that may lie under it."""
    content = context.content
    faux = find_faux_feeling(text, content.words.faux_feelings)
    if faux is None:
        return await move_on(update, context, draft.answer(text), known_user=True)
    draft = draft.with_part(Step.FEELING, text)
    await context.storage.save_draft(user_id(update), draft, update=applied(context))
    await questions.send_question(
        update,
        context,
        content.texts.faux_feeling.format(word=html.escape(faux.word)),
        views.faux_keyboard(content, faux.word, faux.underlying),
    )
    return Step.FEELING


async def review_text(update: Update, context: Context, draft: Draft) -> Step | int:
    """Text at REVIEW: "done" (or "no", to "want to change anything?") finishes when the gentle
    check has nothing to say; anything else is not lost in silence: the review again, with
    what the buttons do."""
    assert update.message is not None and update.message.text is not None
    said = " ".join(update.message.text.casefold().strip(" .!?").split())
    done = said in context.content.words.composer.review_done
    if done and not check_draft(draft, context.content.rules):
        await questions.answered_by_typing(update, context, "composer")
        return await finish(update, context, draft)
    return await ask(update, context, draft, intro=context.texts.review_typed)


async def _stale(update: Update, context: Context, draft: Draft) -> Step:
    query = update.callback_query
    assert query is not None
    await query.answer(context.texts.stale_button)
    return await ask(update, context, draft, intro=context.texts.stale_button_here)


@logged
async def pick_button(update: Update, context: Context) -> Step | int:
    """A tap on a suggested feeling, self-care step or request."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = views.Pick.of(query.data)
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    choices = views.choices(context.content, draft.step)
    if button.step is not draft.step or button.index >= len(choices):
        return await _stale(update, context, draft)
    choice = choices[button.index]
    question, _ = _question(context, draft)
    await _settle_button(update, context, _picked(context, question, draft.step, choice))
    return await move_on(update, context, draft.answer(choice), known_user=True)


@logged
async def faux_button(update: Update, context: Context) -> Step | int:
    """A feeling offered under a faux feeling, or "keep my word"."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    content = context.content
    faux = find_faux_feeling(draft.feeling, content.words.faux_feelings)
    if draft.step is not Step.FEELING or faux is None:
        return await _stale(update, context, draft)
    question = content.texts.faux_feeling.format(word=html.escape(faux.word))
    if query.data == views.FAUX_KEEP:
        kept = _picked(context, question, Step.FEELING, draft.feeling)
        await _settle_button(update, context, kept)
        return await move_on(update, context, draft.advance(), known_user=True)
    index = views.Faux.of(query.data).index
    if index >= len(faux.underlying):
        return await _stale(update, context, draft)
    feeling = faux.underlying[index]
    await _settle_button(update, context, _picked(context, question, Step.FEELING, feeling))
    return await move_on(update, context, draft.answer(feeling), known_user=True)


@logged
async def feelings_page(update: Update, context: Context) -> Step | int:
    """Shows the other page of feeling words in the same message."""
    query = update.callback_query
    assert query is not None
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    if draft.step is not Step.FEELING:
        return await _stale(update, context, draft)
    await query.answer()
    more = query.data == views.FEELINGS_MORE
    content = context.content
    progress = _progress(context, draft)
    question = content.texts.ask_feeling_more if more else content.texts.ask_feeling
    await query.edit_message_text(
        question.format(progress=progress),
        reply_markup=views.feelings_keyboard(content, more=more),
    )
    return Step.FEELING


@logged
async def review_button(update: Update, context: Context) -> Step | int:
    """Edit one part, start over, or finish."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    if draft.step is not Step.REVIEW:
        return await _stale(update, context, draft)
    edit = views.ReviewEdit.parse(query.data)
    if edit is not None and edit.part not in PARTS:
        return await _stale(update, context, draft)
    await _settle_button(update, context)
    if edit is not None:
        return await move_on(update, context, draft.edit(edit.part), known_user=True)
    action = views.Review.of(query.data).action
    if action == "done":
        return await finish(update, context, draft)
    if action == "over":
        text, markup = views.start_over_question(context.content)
        await questions.send_question(update, context, text, markup)
        return Step.REVIEW
    if action == "keep":
        return await ask(update, context, draft)
    await _say(update, context, context.texts.started_fresh)
    return await move_on(update, context, Draft(), known_user=True)


@logged
async def check_button(update: Update, context: Context) -> Step | int:
    """Rewrite the part a finding is about, or keep the words and go on."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    findings = {f.key: f for f in check_draft(draft, context.content.rules)}
    button = views.CheckAnswer.of(query.data)
    key = f"{button.rule}:{button.part.value}"
    if draft.step is not Step.REVIEW or key not in findings:
        return await _stale(update, context, draft)
    await _settle_button(update, context)
    if button.action == "rewrite":
        return await move_on(update, context, draft.edit(findings[key].step), known_user=True)
    return await move_on(update, context, draft.keep(key), known_user=True)


@logged
async def flooded(update: Update, context: Context) -> None:
    """ "Too upset right now": suggest a real break, and offer to ask again later."""
    await _settle_button(update, context)
    texts = context.texts
    slots = [
        (texts.break_20_button, Later.MINUTES_20),
        (texts.break_hour_button, Later.HOUR),
        (texts.break_evening_button, Later.EVENING),
        (texts.break_tomorrow_button, Later.TOMORROW_MORNING),
    ]
    rows = [
        [InlineKeyboardButton(label, callback_data=views.Break(slot).pack())]
        for label, slot in slots
    ]
    await context.bot.send_message(
        chat_id(update), texts.flooded, reply_markup=InlineKeyboardMarkup(rows)
    )


@logged
async def take_break(update: Update, context: Context) -> int:
    """Keeps the draft, leaves the conversation, and asks "ready?" at the chosen time."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await _settle_button(update, context)
    until = views.Break.of(query.data).until
    await context.storage.set_draft_active(user_id(update), active=False, update=applied(context))
    planned = await follow_ups.plan(update, context, CONTINUE, until.value, {})
    if planned.fire is None:
        await follow_ups.ask_zone_first(update, context)
        return END
    await _say(update, context, context.texts.break_set.format(next=planned.said))
    return END


async def finish(update: Update, context: Context, draft: Draft) -> int:
    """Saves the message to history and hands it back on its own, ready to forward, then one
    line under it (two messages: each one more is a moment longer on a phone)."""
    content = context.content
    message = compose_message(draft, content.phrasing)
    message_id = await context.storage.finish_draft(
        user_id(update), draft, message.plain, update=applied(context), at=context.now()
    )
    saved = await context.storage.saved_message(user_id(update), message_id)
    assert saved is not None
    markup = await share.share_keyboard(context, user_id(update), saved)
    await context.bot.send_message(chat_id(update), message.html, reply_markup=markup)
    await _say(update, context, content.texts.after_done)
    return END


# --- moving around -------------------------------------------------------------------------


@logged
async def back(update: Update, context: Context) -> Step | int:
    """/back: one step back, with the earlier answer kept."""
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    if draft.is_first_step:
        await _say(update, context, context.texts.back_at_first)
        return await ask(update, context, draft)
    return await move_on(update, context, draft.back(), known_user=True)


@logged
async def cancel(update: Update, context: Context) -> int:
    """/cancel: leaves the conversation; the draft is kept for /compose."""
    await context.storage.set_draft_active(user_id(update), active=False, update=applied(context))
    await _say(update, context, context.texts.cancelled)
    return END


@logged
async def help_in_flow(update: Update, context: Context) -> Step | int:
    """/help mid-flow: the help, then the same question again."""
    content = context.content
    await context.bot.send_message(
        chat_id(update),
        content.texts.help.format(limit=MAX_PART_LENGTH),
        reply_markup=welcome_views.help_keyboard(content),
    )
    return await where_we_are(update, context, intro=content.texts.help_resume)


@logged
async def compose_in_flow(update: Update, context: Context) -> Step | int:
    """/compose (or "continue where I was") mid-flow: the current question again."""
    if update.callback_query:
        await _settle_button(update, context)
    return await where_we_are(update, context)


async def where_we_are(update: Update, context: Context, intro: str = "") -> Step | int:
    """Asks the current question again (after `intro`, if any)."""
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    if intro:
        await _say(update, context, intro)
    return await ask(update, context, draft)


@logged
async def unknown_command_in_flow(update: Update, context: Context) -> None:
    """An unknown command mid-flow: say so; the place is kept."""
    await _say(update, context, context.texts.unknown_command)


@logged
async def not_text_in_flow(update: Update, context: Context) -> None:
    """A sticker, photo, voice note...: ask for words; the draft is untouched."""
    await _say(update, context, context.texts.not_text)


@logged
async def stale_in_flow(update: Update, context: Context) -> Step | int:
    """A button from an older message: say so and show the current question."""
    draft = await _load(update, context)
    if draft is None:
        return await _gone(update, context)
    return await _stale(update, context, draft)


def conversation() -> ConversationHandler[Context]:
    """The composer as one persistent ConversationHandler."""
    text = filters.TEXT & ~filters.COMMAND & PRIVATE
    answers: list[BaseHandler[Update, Context, Any]] = [MessageHandler(text, answer_text)]
    picks = CallbackQueryHandler(pick_button, pattern=views.Pick.pattern())
    states: dict[object, list[BaseHandler[Update, Context, Any]]] = {
        Step.FEELING: [
            *answers,
            picks,
            CallbackQueryHandler(feelings_page, pattern=r"^feelings:(more|first)$"),
            CallbackQueryHandler(faux_button, pattern=views.Faux.pattern()),
            CallbackQueryHandler(faux_button, pattern=f"^{views.FAUX_KEEP}$"),
        ],
        Step.REASON: [
            *answers,
            CallbackQueryHandler(keep_words, pattern=views.KeepWords.pattern()),
        ],
        Step.REGULATION: [*answers, picks],
        Step.REQUEST: [*answers, picks],
        Step.REVIEW: [
            *answers,
            CallbackQueryHandler(review_button, pattern=views.Review.pattern()),
            CallbackQueryHandler(review_button, pattern=views.ReviewEdit.pattern()),
            CallbackQueryHandler(check_button, pattern=views.CheckAnswer.pattern()),
        ],
    }
    assert set(states) == {*PARTS, Step.REVIEW}
    # One draft per private chat is what we want; PTB warns that callbacks are then tracked per
    # chat rather than per message.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'")
        return ConversationHandler(
            entry_points=[
                CommandHandler("compose", compose, filters=PRIVATE),
                # The inline "compose one first" button opens the bot with /start compose.
                CommandHandler(
                    "start", compose, filters=PRIVATE & filters.Regex(r"^/start compose$")
                ),
                CallbackQueryHandler(compose, pattern=f"^{views.COMPOSE}$"),
                CallbackQueryHandler(resume, pattern=f"^{views.RESUME}$"),
                # "Continue where I was" on the support message, for a draft kept (after
                # /cancel) rather than in progress: the same as resuming it.
                CallbackQueryHandler(resume, pattern=f"^{safety_views.SAFETY_CONTINUE}$"),
                CallbackQueryHandler(start_fresh, pattern=f"^{views.START_FRESH}$"),
                CallbackQueryHandler(start_with_text, pattern=views.FROM_TEXT_COMPOSE),
            ],
            states=states,
            fallbacks=[
                CommandHandler("help", help_in_flow, filters=PRIVATE),
                CommandHandler("back", back, filters=PRIVATE),
                CommandHandler("cancel", cancel, filters=PRIVATE),
                CommandHandler("compose", compose_in_flow, filters=PRIVATE),
                # Other known commands (/start, /history...) go to their own handlers and the
                # place in the conversation is kept.
                MessageHandler(
                    filters.COMMAND & PRIVATE & ~commands.known(), unknown_command_in_flow
                ),
                CallbackQueryHandler(flooded, pattern=f"^{views.FLOODED}$"),
                # An old "start a soft start-up with this" while one is going: where we are.
                CallbackQueryHandler(stale_in_flow, pattern=views.FROM_TEXT_COMPOSE),
                CallbackQueryHandler(take_break, pattern=r"^brk:(20m|hour|evening|morning)$"),
                *forget.in_flow_handlers(),
                *share.in_flow_handlers(),
                *practice.in_flow_handlers(),
                CallbackQueryHandler(compose_in_flow, pattern=f"^{safety_views.SAFETY_CONTINUE}$"),
                MessageHandler(~filters.TEXT & PRIVATE, not_text_in_flow),
                CallbackQueryHandler(stale_in_flow, pattern=views.COMPOSER_BUTTONS),
            ],
            name=COMPOSE_CONVERSATION,
            persistent=True,
            allow_reentry=False,
        )


async def ask_again_after_a_crash(update: Update, context: Context) -> bool:
    """A replica died after this answer was saved but perhaps before the next question went
    out; the update is handled again and found saved: the question is asked (again), so the
    person is not left waiting for it."""
    if update.message is None and update.callback_query is None:
        return False
    draft, _ = await context.storage.load_step(user_id(update))
    if draft is None or not await context.storage.conversation_step(user_id(update)):
        return False
    await ask(update, context, draft)
    return True


def replica_sync(application: AnyApplication) -> Callable[[Update], Awaitable[None]]:
    """Before each update, the composer's place for its person as the database has it: PTB
    keeps conversation states in memory, and with several replicas another one may have moved
    the person on. (PTB has no public way to set one state; `_conversations` is its dict.)"""
    found = [
        handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, ConversationHandler) and handler.name == COMPOSE_CONVERSATION
    ]
    assert len(found) == 1, "the composer's ConversationHandler is registered once"
    composer = found[0]
    storage = application.bot_data["services"].storage

    async def sync(update: Update) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or chat.id != user.id:
            return
        step = await storage.conversation_step(user.id)
        key = (chat.id, user.id)
        if step is None:
            composer._conversations.pop(key, None)
        else:
            composer._conversations[key] = step

    return sync


def register(application: AnyApplication) -> None:
    application.add_handler(conversation())
    redelivery.after_a_crash(application, ask_again_after_a_crash)
