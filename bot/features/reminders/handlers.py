"""/reminders, time zones, the daily nudge's answers, /checkin and /journal, follow-ups."""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.conversation import Awaited, Expecting
from bot.core.schedule import (
    ALL_DAYS,
    Later,
    QuietHours,
    end_of_local_day,
    later,
    next_daily,
    next_day_evening,
    outside_quiet_hours,
)
from bot.core.timeparse import iana_zone, offset_zone, parse_clock, zones_showing
from bot.features.reminders.views import (
    QUIET_NONE,
    AskSendWhen,
    CheckinFeeling,
    DailyTime,
    Outcome,
    Pause,
    QuietChoice,
    SendWhen,
    ToggleDay,
    ZoneChoice,
)
from bot.handlers.callback_data import Key
from bot.handlers.context import (
    AnyApplication,
    Context,
    chat_id,
    logged,
    user_id,
    user_time,
)
from bot.handlers.keyboards import grid
from bot.storage.reminders import HELD, OFF, OUTCOME, SCHEDULED, SEND_LATER, Reminder

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
TIME_CHOICES = ("08:00", "12:30", "18:00", "21:00")
QUIET_CHOICES = (("22:00", "07:00"), ("23:00", "08:00"), ("21:00", "07:00"))
PAUSE_CHOICES = (1, 3, 7)
DEFAULT_CHECKIN = time(21, 0)
CLOCK_TOLERANCE = timedelta(minutes=10)
MAX_ZONE_CHOICES = 6

# What the user's next text is for.


def _now(context: Context) -> datetime:
    return context.now()


async def _say(update: Update, context: Context, text: str, markup: object = None) -> None:
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)  # type: ignore[arg-type]


async def _answer(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer()


async def _zone(update: Update, context: Context) -> ZoneInfo:
    return (await user_time(context, user_id(update))).zone


def _when(context: Context, moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(context.texts.date_format)


def _days_text(context: Context, days: frozenset[int]) -> str:
    texts = context.texts
    if days == ALL_DAYS:
        return texts.every_day
    names = texts.weekday_names.split()
    return ", ".join(names[day - 1] for day in sorted(days))


# --- the settings panel --------------------------------------------------------------------


def _panel_text(
    context: Context, zone: str | None, daily: Reminder | None, quiet: QuietHours | None
) -> str:
    texts = context.texts
    lines = [texts.reminders_title]
    if zone:
        now = _now(context).astimezone(ZoneInfo(zone)).strftime("%H:%M")
        lines.append(texts.reminders_zone.format(zone=html.escape(zone), now=now))
    else:
        lines.append(texts.reminders_zone_unset)
    if daily is None or daily.status == OFF or daily.at is None:
        lines.append(texts.reminders_daily_off)
    else:
        at = daily.at.strftime("%H:%M")
        lines.append(
            texts.reminders_daily.format(time=at, days=_days_text(context, daily.weekdays))
        )
        if daily.paused_until and zone:
            lines.append(
                texts.reminders_paused.format(
                    date=_when(context, daily.paused_until, ZoneInfo(zone))
                )
            )
        if daily.status == HELD:
            lines.append(texts.reminders_held)
    if quiet:
        lines.append(
            texts.reminders_quiet.format(
                start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M")
            )
        )
    else:
        lines.append(texts.reminders_quiet_none)
    return "\n".join(lines)


def _panelgrid(context: Context, daily: Reminder | None) -> InlineKeyboardMarkup:
    texts = context.texts
    on = daily is not None and daily.status != OFF
    last = (
        [(texts.pause_button, "rm:pause"), (texts.stop_button, "rm:stop")]
        if on
        else [(texts.resume_button_reminders, "rm:resume")]
    )
    return grid(
        [(texts.set_time_button, "rm:time"), (texts.days_button, "rm:days")],
        [(texts.quiet_button, "rm:quiet"), (texts.zone_button, "rm:zone")],
        last,
    )


@logged
async def reminders(update: Update, context: Context) -> None:
    """/reminders: the settings at a glance, with buttons to change them."""
    await _answer(update)
    store = context.storage.reminders
    clock = await store.user_clock(user_id(update))
    if clock.time_zone is None:
        await _ask_zone(update, context, first=True)
        return
    daily = await store.daily(user_id(update))
    text = _panel_text(context, clock.time_zone, daily, clock.quiet)
    await _say(update, context, text, _panelgrid(context, daily))


async def _expect(
    update: Update, context: Context, what: Expecting | None, message_id: int | None = None
) -> None:
    """What the person's next typed text answers (None: nothing any more)."""
    awaited = None if what is None else Awaited(what, message_id)
    await context.storage.conversation.expect(user_id(update), awaited)


# --- time zone -----------------------------------------------------------------------------


async def _ask_zone(update: Update, context: Context, first: bool = False) -> None:
    texts = context.texts
    await _expect(update, context, Expecting.TIME_ZONE)
    location = ReplyKeyboardMarkup(
        [[KeyboardButton(texts.share_location_button, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    if first:
        await _say(update, context, texts.zone_needed)
    await _say(update, context, texts.ask_zone, location)


@logged
async def zone_button(update: Update, context: Context) -> None:
    await _answer(update)
    await _ask_zone(update, context)


async def _zone_set(update: Update, context: Context, zone: str) -> None:
    store = context.storage.reminders
    await store.set_time_zone(user_id(update), zone)
    await _expect(update, context, None)
    await _reschedule_daily(update, context)
    now = _now(context).astimezone(ZoneInfo(zone)).strftime("%H:%M")
    text = context.texts.zone_set.format(zone=html.escape(zone), now=now)
    await _say(update, context, text, ReplyKeyboardRemove())
    await reminders(update, context)


async def zone_from_text(update: Update, context: Context, text: str) -> None:
    """A city, an IANA name, "UTC+2", or the time on the user's clock."""
    texts = context.texts
    zone = iana_zone(text) or offset_zone(text)
    if zone:
        await _zone_set(update, context, zone)
        return
    clock = parse_clock(text)
    if clock is not None:
        # The city index loads on first use (about a second): never on the event loop.
        zones = await asyncio.to_thread(_zones_at, context, clock)
        await _choose_zone(update, context, zones, texts.zone_from_clock)
        return
    places = await asyncio.to_thread(context.services.places.search, text)
    if len(places) == 1:
        await _zone_set(update, context, places[0].time_zone)
        return
    if places:
        choices = [(f"{p.name}, {p.country}", p.time_zone) for p in places]
        await _choose(update, context, choices, texts.zone_choose)
        return
    await _say(update, context, texts.zone_unknown)


def _zones_at(context: Context, clock: time) -> list[str]:
    """Zones showing that time now: the best-known first, taking turns between regions so
    that Europe/Berlin is offered next to Africa/Lagos."""
    places = context.services.places
    matching = zones_showing(clock, _now(context), places.zones(), CLOCK_TOLERANCE)
    by_region: dict[str, list[str]] = {}
    for zone in sorted(matching, key=places.zone_population, reverse=True):
        by_region.setdefault(zone.split("/")[0], []).append(zone)
    regions = sorted(by_region.values(), key=lambda zones: -places.zone_population(zones[0]))
    turns = [zone for round_ in itertools.zip_longest(*regions) for zone in round_ if zone]
    return turns[:MAX_ZONE_CHOICES]


async def _choose_zone(update: Update, context: Context, zones: list[str], intro: str) -> None:
    if not zones:
        await _say(update, context, context.texts.zone_unknown)
        return
    await _choose(update, context, [(zone.replace("_", " "), zone) for zone in zones], intro)


async def _choose(
    update: Update, context: Context, choices: list[tuple[str, str]], intro: str
) -> None:
    markup = grid(*([(label, ZoneChoice(Key(zone)).pack())] for label, zone in choices))
    # Typing another place instead of tapping one still works.
    await _expect(update, context, Expecting.TIME_ZONE)
    await _say(update, context, intro, markup)


@logged
async def zone_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    zone = iana_zone(ZoneChoice.of(query.data).zone)
    if zone is None:
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await _zone_set(update, context, zone)


@logged
async def location(update: Update, context: Context) -> None:
    """A shared location: the zone of the nearest city."""
    assert update.message is not None and update.message.location is not None
    spot = update.message.location
    place = await asyncio.to_thread(context.services.places.nearest, spot.latitude, spot.longitude)
    await _zone_set(update, context, place.time_zone)


# --- the daily check-in --------------------------------------------------------------------


async def _save_daily(
    update: Update, context: Context, at: time, days: frozenset[int], *, announce: bool = True
) -> None:
    await _expect(update, context, None)  # answered, by a tap or in words
    store = context.storage.reminders
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    fire = next_daily(at, zone, _now(context), days, clock.quiet)
    await store.save_daily(user_id(update), at=at, weekdays=days, next_fire_at=fire)
    context.services.wake(fire)
    if announce:
        texts = context.texts
        text = texts.daily_set.format(
            time=at.strftime("%H:%M"),
            days=_days_text(context, days),
            next=_when(context, fire, zone),
        )
        await _say(update, context, text)


async def _reschedule_daily(update: Update, context: Context) -> None:
    """After the zone or quiet hours change, the next check-in moves with them."""
    daily = await context.storage.reminders.daily(user_id(update))
    if daily is not None and daily.at is not None and daily.status != OFF:
        await _save_daily(update, context, daily.at, daily.weekdays, announce=False)


@logged
async def ask_time(update: Update, context: Context) -> None:
    await _answer(update)
    texts = context.texts
    times = [(choice, DailyTime(time.fromisoformat(choice)).pack()) for choice in TIME_CHOICES]
    markup = grid(times[:2], times[2:], [(texts.type_time_button, "rm:type")])
    # The question invites typing too ("or type one"): a typed time answers it.
    await _expect(update, context, Expecting.DAILY_TIME)
    await _say(update, context, texts.ask_daily_time, markup)


@logged
async def type_time(update: Update, context: Context) -> None:
    await _answer(update)
    await _expect(update, context, Expecting.DAILY_TIME)
    await _say(update, context, context.texts.ask_type_time)


async def _current_days(update: Update, context: Context) -> frozenset[int]:
    daily = await context.storage.reminders.daily(user_id(update))
    return daily.weekdays if daily else ALL_DAYS


@logged
async def time_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    at = DailyTime.of(query.data).at
    if await _needs_zone(update, context):
        return
    await _save_daily(update, context, at, await _current_days(update, context))


async def _needs_zone(update: Update, context: Context) -> bool:
    clock = await context.storage.reminders.user_clock(user_id(update))
    if clock.time_zone is None:
        await _ask_zone(update, context, first=True)
        return True
    return False


async def daily_time_from_text(update: Update, context: Context, text: str) -> None:
    at = parse_clock(text)
    if at is None:
        await _say(update, context, context.texts.bad_time)
        return
    await _expect(update, context, None)
    if await _needs_zone(update, context):
        return
    await _save_daily(update, context, at, await _current_days(update, context))


def _daysgrid(context: Context, days: frozenset[int]) -> InlineKeyboardMarkup:
    texts = context.texts
    names = texts.weekday_names.split()
    buttons = [
        (("✓ " if day in days else "") + names[day - 1], ToggleDay(day).pack())
        for day in range(1, 8)
    ]
    return grid(buttons[:4], buttons[4:], [(texts.days_done_button, "rm:days:done")])


@logged
async def ask_days(update: Update, context: Context) -> None:
    await _answer(update)
    days = await _current_days(update, context)
    await _say(update, context, context.texts.ask_days, _daysgrid(context, days))


@logged
async def toggle_day(update: Update, context: Context) -> None:
    """Switches one weekday on or off, in the same message; at least one stays on."""
    query = update.callback_query
    assert query is not None and query.data is not None
    day = ToggleDay.of(query.data).day
    if day not in ALL_DAYS:
        await query.answer(context.texts.stale_button)
        return
    store = context.storage.reminders
    daily = await store.daily(user_id(update))
    days = daily.weekdays if daily else ALL_DAYS
    changed = days ^ {day}
    texts = context.texts
    if not changed:
        await query.answer(texts.no_days)
        return
    await query.answer()
    if await _needs_zone(update, context):
        return
    at = daily.at if daily and daily.at else DEFAULT_CHECKIN
    await _save_daily(update, context, at, frozenset(changed), announce=False)
    await query.edit_message_reply_markup(reply_markup=_daysgrid(context, frozenset(changed)))


@logged
async def days_done(update: Update, context: Context) -> None:
    await _answer(update)
    await reminders(update, context)


@logged
async def ask_quiet(update: Update, context: Context) -> None:
    await _answer(update)
    texts = context.texts
    rows = [
        [(f"{start}–{end}", QuietChoice(time.fromisoformat(start), time.fromisoformat(end)).pack())]
        for start, end in QUIET_CHOICES
    ]
    markup = grid(*rows, [(texts.quiet_none_button, QUIET_NONE)])
    await _say(update, context, texts.ask_quiet, markup)


@logged
async def quiet_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    choice = QuietChoice.parse(query.data)
    quiet = None if choice is None else QuietHours(choice.start, choice.end)
    await context.storage.reminders.set_quiet_hours(user_id(update), quiet)
    await _reschedule_daily(update, context)
    await _say(update, context, context.texts.quiet_set)
    await reminders(update, context)


@logged
async def ask_pause(update: Update, context: Context) -> None:
    await _answer(update)
    texts = context.texts
    labels = [
        texts.pause_day_button if days == 1 else texts.pause_days_button.format(days=days)
        for days in PAUSE_CHOICES
    ]
    markup = grid(
        [(label, Pause(days).pack()) for label, days in zip(labels, PAUSE_CHOICES, strict=True)]
    )
    await _say(update, context, texts.ask_pause, markup)


async def _pause(update: Update, context: Context, days: int) -> None:
    store = context.storage.reminders
    daily = await store.daily(user_id(update))
    if daily is None or daily.at is None:
        await _say(update, context, context.texts.reminders_daily_off)
        return
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    until = _now(context) + timedelta(days=days)
    fire = next_daily(daily.at, zone, until, daily.weekdays, clock.quiet)
    await store.save_daily(
        user_id(update), at=daily.at, weekdays=daily.weekdays, next_fire_at=fire, paused_until=until
    )
    await _say(
        update,
        context,
        context.texts.paused.format(next=_when(context, fire, zone)),
    )


@logged
async def pause_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    days = Pause.of(query.data).days
    if days not in PAUSE_CHOICES:
        await query.answer(context.texts.stale_button)
        return
    await _pause(update, context, days)


@logged
async def stop(update: Update, context: Context) -> None:
    await _answer(update)
    await context.storage.reminders.set_daily_status(user_id(update), OFF)
    await _say(update, context, context.texts.stopped)


@logged
async def resume(update: Update, context: Context) -> None:
    await _answer(update)
    if await _needs_zone(update, context):
        return
    daily = await context.storage.reminders.daily(user_id(update))
    at = daily.at if daily and daily.at else DEFAULT_CHECKIN
    await _save_daily(update, context, at, daily.weekdays if daily else ALL_DAYS)


# --- answering the nudge -------------------------------------------------------------------


def checkingrid(context: Context) -> InlineKeyboardMarkup:
    feelings = context.content.words.feelings
    first = sum(len(group) for group in feelings.groups[: feelings.first_page])
    buttons = [
        (word, CheckinFeeling(index).pack()) for index, word in enumerate(feelings.words[:first])
    ]
    return grid(*(buttons[i : i + 4] for i in range(0, len(buttons), 4)))


@logged
async def checkin(update: Update, context: Context) -> None:
    """/checkin or the nudge's "check in now": a feeling keyboard (or their own word)."""
    await _answer(update)
    await context.storage.reminders.answered(user_id(update))
    await _expect(update, context, Expecting.CHECKIN)
    await _say(update, context, context.texts.ask_checkin, checkingrid(context))


async def save_checkin(update: Update, context: Context, feeling: str) -> None:
    await _expect(update, context, None)
    await context.storage.reminders.add_checkin(user_id(update), _now(context), feeling.strip())
    text = context.texts.checkin_saved.format(feeling=html.escape(feeling.strip()))
    await _say(update, context, text)


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
    await save_checkin(update, context, words[index])


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
        await _say(update, context, texts.breathing)
        return
    daily = await store.daily(user_id(update))
    if daily is None or daily.at is None:
        await query.answer(texts.stale_button)
        return
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    now = _now(context)
    if action == "snooze":
        fire = outside_quiet_hours(now + timedelta(hours=1), zone, clock.quiet)
        reply = texts.snoozed
    else:
        fire = next_daily(daily.at, zone, end_of_local_day(now, zone), daily.weekdays, clock.quiet)
        reply = texts.skipped
    await store.save_daily(user_id(update), at=daily.at, weekdays=daily.weekdays, next_fire_at=fire)
    context.services.wake(fire)
    await query.edit_message_reply_markup(reply_markup=None)
    await _say(update, context, reply)


@logged
async def offer_answer(update: Update, context: Context) -> None:
    """The answer to "pause or change the time?": the check-ins start again as chosen."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    action = query.data.removeprefix("of:")
    if action == "pause":
        await _pause(update, context, 7)
    elif action == "time":
        await context.storage.reminders.set_daily_status(user_id(update), SCHEDULED)
        await ask_time(update, context)
    else:
        await context.storage.reminders.set_daily_status(user_id(update), SCHEDULED)
        await _say(update, context, context.texts.kept_going)


@logged
async def journal(update: Update, context: Context) -> None:
    """/journal: the latest check-ins and notes, in the user's time."""
    texts = context.texts
    entries = await context.storage.reminders.journal(user_id(update), limit=15)
    if not entries:
        await _say(update, context, texts.journal_empty)
        return
    zone = await _zone(update, context)
    lines = [texts.journal_title]
    for entry in entries:
        date = _when(context, entry.created_at, zone)
        if entry.kind == OUTCOME:
            lines.append(texts.journal_outcome.format(date=date, note=html.escape(entry.note)))
        else:
            lines.append(
                texts.journal_checkin.format(date=date, feeling=html.escape(entry.feeling))
            )
    await _say(update, context, "\n".join(lines))


# --- follow-ups after composing ------------------------------------------------------------


@logged
async def ask_send_when(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = AskSendWhen.of(query.data).message_id
    if await context.storage.saved_message(user_id(update), message_id) is None:
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    texts = context.texts
    markup = grid(
        [
            (texts.in_hour_button, SendWhen("hour", message_id).pack()),
            (texts.this_evening_button, SendWhen("evening", message_id).pack()),
        ],
        [
            (texts.tomorrow_morning_button, SendWhen("morning", message_id).pack()),
            (texts.type_time_button, SendWhen("type", message_id).pack()),
        ],
    )
    await _say(update, context, texts.ask_send_when, markup)


async def schedule_follow_ups(
    update: Update, context: Context, message_id: int, fire: datetime
) -> None:
    """ "Send it" at `fire`, and "how did it go?" the next evening."""
    store = context.storage.reminders
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    fire = outside_quiet_hours(fire, zone, clock.quiet)
    await store.add_one_shot(user_id(update), SEND_LATER, fire, {"message_id": message_id})
    await schedule_outcome(update, context, message_id)
    context.services.wake(fire)
    await _say(
        update,
        context,
        context.texts.send_later_set.format(next=_when(context, fire, zone)),
    )


async def schedule_outcome(update: Update, context: Context, message_id: int) -> None:
    """ "How did the conversation go?" the next evening, once per message."""
    store = context.storage.reminders
    if any(
        r.kind == OUTCOME and r.payload.get("message_id") == message_id
        for r in await store.one_shots(user_id(update))
    ):
        return
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    fire = outside_quiet_hours(next_day_evening(_now(context), zone), zone, clock.quiet)
    await store.add_one_shot(user_id(update), OUTCOME, fire, {"message_id": message_id})


@logged
async def send_when_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    button = SendWhen.of(query.data)
    slot, message_id = button.when, button.message_id
    if await context.storage.saved_message(user_id(update), message_id) is None:
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if slot == "type":
        await _expect(update, context, Expecting.SEND_TIME, int(message_id))
        await _say(update, context, context.texts.ask_type_time)
        return
    zone = await _zone(update, context)
    fire = later(Later(slot), _now(context), zone)
    await schedule_follow_ups(update, context, int(message_id), fire)


async def send_time_from_text(update: Update, context: Context, text: str, message_id: int) -> None:
    at = parse_clock(text)
    if at is None:
        await _say(update, context, context.texts.bad_time)
        return
    await _expect(update, context, None)
    zone = await _zone(update, context)
    fire = next_daily(at, zone, _now(context))
    await schedule_follow_ups(update, context, message_id, fire)


@logged
async def outcome_answer(update: Update, context: Context) -> None:
    """How the conversation went: a tap, or a few words, saved to the journal."""
    query = update.callback_query
    assert query is not None and query.data is not None
    button = Outcome.of(query.data)
    kind, message_id = button.how, button.message_id
    texts = context.texts
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    store = context.storage.reminders
    if kind == "write":
        await _expect(update, context, Expecting.OUTCOME_NOTE, int(message_id))
        await _say(update, context, texts.outcome_prompt)
        return
    if kind == "skip":
        return
    note = texts.outcome_well if kind == "well" else texts.outcome_hard
    await store.add_checkin(user_id(update), _now(context), "", note, kind=OUTCOME)
    await _say(update, context, texts.outcome_saved)


async def outcome_from_text(update: Update, context: Context, text: str) -> None:
    await _expect(update, context, None)
    await context.storage.reminders.add_checkin(
        user_id(update), _now(context), "", text.strip(), kind=OUTCOME
    )
    await _say(update, context, context.texts.outcome_saved)


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("reminders", reminders, filters=PRIVATE))
    application.add_handler(CommandHandler("checkin", checkin, filters=PRIVATE))
    application.add_handler(CommandHandler("journal", journal, filters=PRIVATE))
    application.add_handler(MessageHandler(filters.LOCATION & PRIVATE, location))
    buttons = {
        r"^rm:zone$": zone_button,
        ZoneChoice.pattern(): zone_chosen,
        r"^rm:time$": ask_time,
        r"^rm:type$": type_time,
        DailyTime.pattern(): time_chosen,
        r"^rm:days$": ask_days,
        ToggleDay.pattern(): toggle_day,
        r"^rm:days:done$": days_done,
        r"^rm:quiet$": ask_quiet,
        QuietChoice.pattern(): quiet_chosen,
        f"^{QUIET_NONE}$": quiet_chosen,
        r"^rm:pause$": ask_pause,
        Pause.pattern(): pause_chosen,
        r"^rm:stop$": stop,
        r"^rm:resume$": resume,
        r"^nd:checkin$": checkin,
        r"^nd:(breathe|snooze|skip)$": nudge_answer,
        r"^of:(pause|time|keep)$": offer_answer,
        CheckinFeeling.pattern(): checkin_feeling,
        AskSendWhen.pattern(): ask_send_when,
        SendWhen.pattern(): send_when_chosen,
        Outcome.pattern(): outcome_answer,
    }
    for pattern, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
