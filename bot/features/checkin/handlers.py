"""/checkin, the nudge's answers, and /journal."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.conversation import Expecting
from bot.core.draft import MAX_PART_LENGTH
from bot.core.history import preview
from bot.core.schedule import (
    end_of_local_day,
    next_daily,
    outside_quiet_hours,
)
from bot.features.checkin import views
from bot.features.checkin.views import CheckinFeeling, CheckinPage
from bot.features.reminders.common import acknowledge, expect, say, user_zone
from bot.handlers import questions
from bot.handlers.context import (
    AnyApplication,
    Context,
    logged,
    user_id,
    user_time,
)
from bot.handlers.keyboards import grid
from bot.handlers.taps import first_tap
from bot.storage.reminders import OUTCOME

PRIVATE = filters.ChatType.PRIVATE
CHECKIN_ASKER = "checkin"
# At most this many entries on a journal page (fewer when they are long).
JOURNAL_PER_PAGE = 15
# How much of a composed soft start-up a journal line shows (all of it is in /history).
JOURNAL_PREVIEW = 70


def checkingrid(context: Context, page: int = 0) -> InlineKeyboardMarkup:
    """The feelings, like the composer's: the common ones, and More… for the rest."""
    feelings = context.content.words.feelings
    texts = context.texts
    first = sum(len(group) for group in feelings.groups[: feelings.first_page])
    shown = range(first) if page == 0 else range(first, len(feelings.words))
    buttons = [(feelings.words[index], CheckinFeeling(index).pack()) for index in shown]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    if page == 0:
        turn = (texts.more_button, CheckinPage(1).pack())
    else:
        turn = (texts.fewer_button, CheckinPage(0).pack())
    return grid(*rows, [turn])


@logged
async def checkin(update: Update, context: Context) -> None:
    """/checkin or the nudge's "check in now": a feeling keyboard (or their own word)."""
    await acknowledge(update)
    await context.storage.reminders.answered(user_id(update))
    await expect(update, context, Expecting.CHECKIN)
    await questions.send_question(
        update, context, context.texts.ask_checkin, checkingrid(context), CHECKIN_ASKER
    )


async def save_checkin(update: Update, context: Context, feeling: str) -> None:
    await expect(update, context, None)
    if update.message is not None:
        await questions.answered_by_typing(update, context, CHECKIN_ASKER)
    await context.storage.reminders.add_checkin(user_id(update), context.now(), feeling.strip())
    # Said back inside a sentence of its own: without its closing mark ("on Tuesdays?.").
    shown = feeling.strip().rstrip(".!?…") or feeling.strip()
    text = context.texts.checkin_saved.format(feeling=html.escape(shown))
    await say(update, context, text, views.after_checkin(context.texts))


@logged
async def say_more(update: Update, context: Context) -> None:
    """ "Want to say more?": the next text is a note on the latest check-in."""
    query = update.callback_query
    assert query is not None
    if not await first_tap(update, context, "tap:say-more"):
        await query.answer(context.texts.just_below)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await expect(update, context, Expecting.CHECKIN_MORE)
    await say(update, context, context.texts.checkin_more_prompt.format(limit=MAX_PART_LENGTH))


async def more_from_text(update: Update, context: Context, text: str) -> None:
    """The few lines after "say more", kept with the check-in they are about."""
    await expect(update, context, None)
    store = context.storage.reminders
    if not await store.add_note_to_latest_checkin(user_id(update), text.strip()):
        # The check-in went (/forget in between): the words are kept as one of their own.
        await store.add_checkin(user_id(update), context.now(), text.strip())
    markup = views.after_checkin(context.texts, say_more=False)
    await say(update, context, context.texts.checkin_more_saved, markup)


@logged
async def checkin_feeling(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    words = context.content.words.feelings.words
    index = CheckinFeeling.of(query.data).index
    if index >= len(words):
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    questions.answered_by_tap(update, context, CHECKIN_ASKER)
    await save_checkin(update, context, words[index])


@logged
async def checkin_page(update: Update, context: Context) -> None:
    """More… or ‹ Back on the check-in's feelings: the other page, in the same message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    page = 1 if views.CheckinPage.of(query.data).page else 0
    await query.edit_message_reply_markup(reply_markup=checkingrid(context, page))


@logged
async def nudge_answer(update: Update, context: Context) -> None:
    """Breathing, snooze an hour, or skip today; any answer resets the unanswered count."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    store = context.storage.reminders
    await store.answered(user_id(update))
    texts = context.texts
    action = query.data.removeprefix("nd:")
    if action == "breathe":
        await say(update, context, texts.breathing)
        return
    daily = await store.daily(user_id(update))
    if daily is None or daily.at is None:
        await query.answer(texts.stale_button)
        return
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    now = context.now()
    if action == "snooze":
        fire = outside_quiet_hours(now + timedelta(hours=1), zone, clock.quiet)
        reply = texts.snoozed
    else:
        fire = next_daily(daily.at, zone, end_of_local_day(now, zone), daily.weekdays, clock.quiet)
        reply = texts.skipped
    await store.save_daily(user_id(update), at=daily.at, weekdays=daily.weekdays, next_fire_at=fire)
    context.services.wake(fire)
    await query.edit_message_reply_markup(reply_markup=None)
    await say(update, context, reply)


@logged
async def journal(update: Update, context: Context) -> None:
    """/journal: check-ins and notes, newest first, a page at a time, in the user's time."""
    page = await _journal_page(update, context, start=0)
    if page is None:
        await say(update, context, context.texts.journal_empty)
        return
    await say(update, context, *page)


@logged
async def journal_page(update: Update, context: Context) -> None:
    """Older or Newer: another page in the same message."""
    query = update.callback_query
    assert query is not None
    page = await _journal_page(update, context, start=views.JournalPage.of(query.data).start)
    await query.answer()
    if page is None:
        await query.edit_message_text(context.texts.journal_empty)
        return
    await query.edit_message_text(page[0], reply_markup=page[1])


async def _journal_page(
    update: Update, context: Context, start: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """Check-ins, how talks went, and the soft start-ups composed, newest first, from the
    `start`-th on (the two kinds read together, as far as this page reaches)."""
    texts, storage, me = context.texts, context.storage, user_id(update)
    reach = start + JOURNAL_PER_PAGE + 1
    entries = await storage.reminders.journal(me, limit=reach)
    messages = await storage.recent_messages(me, limit=reach)
    if not entries and not messages:
        return None
    # Without their zone, a clock time would be UTC passed off as theirs: the day alone.
    known = (await storage.reminders.user_clock(me)).time_zone
    zone = ZoneInfo(known) if known else await user_zone(update, context)
    shape = texts.date_format if known else texts.day_format
    dated: list[tuple[datetime, str]] = []
    for entry in entries:
        date = entry.created_at.astimezone(zone).strftime(shape)
        if entry.kind == OUTCOME:
            line = texts.journal_outcome.format(date=date, note=html.escape(entry.note))
        else:
            line = texts.journal_checkin.format(date=date, feeling=html.escape(entry.feeling))
            if entry.note:
                line += texts.journal_checkin_more.format(note=html.escape(entry.note))
        dated.append((entry.created_at, line))
    for message in messages:
        date = message.created_at.astimezone(zone).strftime(shape)
        words = html.escape(preview(message.text, JOURNAL_PREVIEW), quote=False)
        dated.append((message.created_at, texts.journal_message.format(date=date, words=words)))
    dated.sort(key=lambda pair: pair[0], reverse=True)
    page = [line for _, line in dated[start : start + JOURNAL_PER_PAGE + 1]]
    if not page:
        return None
    lines = page[:JOURNAL_PER_PAGE]
    return views.journal_page(texts, lines, start, more=len(page) > JOURNAL_PER_PAGE)


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("checkin", checkin, filters=PRIVATE))
    application.add_handler(CommandHandler("journal", journal, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(journal_page, pattern=views.JournalPage.pattern()))
    application.add_handler(CallbackQueryHandler(checkin, pattern=r"^nd:checkin$"))
    application.add_handler(
        CallbackQueryHandler(nudge_answer, pattern=r"^nd:(breathe|snooze|skip)$")
    )
    application.add_handler(CallbackQueryHandler(checkin_feeling, pattern=CheckinFeeling.pattern()))
    application.add_handler(CallbackQueryHandler(say_more, pattern=f"^{views.SAY_MORE}$"))
    application.add_handler(CallbackQueryHandler(checkin_page, pattern=views.CheckinPage.pattern()))
