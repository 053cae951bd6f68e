"""What the reminder features share: the bot's clock, replies, the person's zone, and
what their next typed text answers."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update

from bot.core.conversation import Awaited, Expecting
from bot.core.schedule import spoken
from bot.core.timeparse import SpokenClock, parse_clock, talk_time
from bot.handlers.context import (
    Context,
    chat_id,
    user_id,
    user_time,
)


def spoken_clock(context: Context) -> SpokenClock:
    """The person's language's words for a time said aloud ("quarter past 7")."""
    words = context.content.words.clock
    return SpokenClock(
        tuple(words.filler),
        tuple(words.quarter_past),
        tuple(words.half_past),
        tuple(words.quarter_to),
    )


def read_talk_time(context: Context, text: str) -> tuple[int, time] | None:
    """A typed time to talk: (days from today, clock time), or None."""
    return talk_time(text, spoken_clock(context), context.content.talk_days)


def read_time(context: Context, text: str) -> time | None:
    """A time as the person typed it: "21:30", "9pm", "it's 7:05 here", "quarter past 7"."""
    return parse_clock(text, spoken_clock(context))


async def say(update: Update, context: Context, text: str, markup: object = None) -> None:
    """A message in the person's chat."""
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)  # type: ignore[arg-type]


async def acknowledge(update: Update) -> None:
    """Answers the tap, if it was one."""
    if update.callback_query:
        await update.callback_query.answer()


async def user_zone(update: Update, context: Context) -> ZoneInfo:
    return (await user_time(context, user_id(update))).zone


def when_text(context: Context, moment: datetime, zone: ZoneInfo) -> str:
    """A moment ahead as people say it: "this evening at 19:00", "tomorrow at 08:00"."""
    return spoken(moment, context.now(), zone, context.content.spoken_times)


async def expect(
    update: Update, context: Context, what: Expecting | None, message_id: int | None = None
) -> None:
    """What the person's next typed text answers (None: nothing any more)."""
    awaited = None if what is None else Awaited(what, message_id)
    await context.storage.conversation.expect(user_id(update), awaited, at=context.now())


async def ask_zone(update: Update, context: Context, intro: str = "") -> None:
    """Where are you? A city, a zone, an offset, the time on their clock, or their location;
    `intro` says why it is asked."""
    texts = context.texts
    await expect(update, context, Expecting.TIME_ZONE)
    location = ReplyKeyboardMarkup(
        [[KeyboardButton(texts.share_location_button, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    question = f"{intro}\n\n{texts.ask_zone.strip()}" if intro else texts.ask_zone
    await say(update, context, question, location)
