"""/week, the weekly reflection's opt-in (from /reminders), and the message the reminder sends.

The picture is drawn in a worker thread (asyncio.to_thread): a chart takes about a tenth of a
second, the first one in a process most of a second, and the event loop must not wait."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import Bot, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.content import Content
from bot.core.schedule import next_daily
from bot.core.week import WEEK, WEEKS_SHOWN, summarise, weekly_bars
from bot.features.reminders.common import acknowledge, say, when_text
from bot.features.week import views
from bot.features.week.chart import feelings_chart
from bot.handlers.context import AnyApplication, Context, chat_id, logged, user_id, user_time
from bot.storage import Storage

# Sundays (ISO 7) at 19:00, the person's time: the end of a week, before the next begins.
WEEKLY_DAY = frozenset({7})
WEEKLY_AT = time(19, 0)
SCHEDULED, OFF = "scheduled", "off"


@dataclass(frozen=True)
class WeeklyMessage:
    text: str
    picture: bytes | None  # None for a quiet month: nothing to draw


async def weekly_message(
    storage: Storage,
    content: Content,
    user: int,
    now: datetime,
    zone: ZoneInfo,
    *,
    on_sunday: bool = False,
) -> WeeklyMessage:
    """The reflection on the seven days up to `now`, with the picture of the last weeks (the
    Sunday message also says how to stop it)."""
    texts = content.texts
    records = await storage.week_records(
        user, now - WEEKS_SHOWN * WEEK, texts.outcome_well, texts.outcome_hard
    )
    known = content.words.feelings.known
    zone_known = (await storage.reminders.user_clock(user)).time_zone is not None
    week = summarise(records, now, zone, known, local_times=zone_known)
    text = views.summary(content, week)
    if on_sunday:
        text += "\n\n" + texts.week_how_to_stop
    bars, shown = weekly_bars(records, now, zone, known, texts.week_chart_other)
    if not shown:
        return WeeklyMessage(text, None)
    picture = await asyncio.to_thread(feelings_chart, bars, shown, views.chart_words(content))
    return WeeklyMessage(text, picture)


async def send_weekly(bot: Bot, chat: int, message: WeeklyMessage) -> None:
    """The picture with the words as its caption (they are kept under Telegram's 1024)."""
    if message.picture is None:
        await bot.send_message(chat, message.text)
        return
    picture = InputFile(message.picture, filename="week.png")
    await bot.send_photo(chat, picture, caption=message.text)


@logged
async def week(update: Update, context: Context) -> None:
    """/week: the reflection now."""
    clock = await user_time(context, user_id(update))
    message = await weekly_message(
        context.storage, context.content, user_id(update), context.now(), clock.zone
    )
    await send_weekly(context.bot, chat_id(update), message)


@logged
async def turn_weekly(update: Update, context: Context) -> None:
    """The reminders panel's "Weekly reflection: turn on" or "turn off" (either, again, says
    how it is and changes nothing)."""
    await acknowledge(update)
    query = update.callback_query
    assert query is not None
    store, me, texts = context.storage.reminders, user_id(update), context.texts
    if query.data == views.WEEKLY_OFF:
        await store.save_weekly(
            me, at=WEEKLY_AT, weekdays=WEEKLY_DAY, next_fire_at=None, status=OFF
        )
        await say(update, context, texts.weekly_stopped)
        return
    clock = await user_time(context, me)
    current = await store.weekly(me)
    fire = next_daily(WEEKLY_AT, clock.zone, context.now(), WEEKLY_DAY, clock.quiet)
    if current is None or current.status == OFF or current.next_fire_at is None:
        await store.save_weekly(
            me, at=WEEKLY_AT, weekdays=WEEKLY_DAY, next_fire_at=fire, status=SCHEDULED
        )
    else:
        fire = current.next_fire_at
    at = WEEKLY_AT.strftime("%H:%M")
    await say(
        update, context, texts.weekly_set.format(time=at, next=when_text(context, fire, clock.zone))
    )


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("week", week, filters=filters.ChatType.PRIVATE))
    either = f"^({views.WEEKLY_ON}|{views.WEEKLY_OFF})$"
    application.add_handler(CallbackQueryHandler(turn_weekly, pattern=either))
