"""/reminders: time zone, the daily check-in's time and days, quiet hours, pause, stop."""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.conversation import Expecting
from bot.core.schedule import (
    ALL_DAYS,
    QuietHours,
    next_daily,
)
from bot.core.timeparse import (
    iana_zone,
    offset_name,
    offset_zone,
    place_names,
    zones_showing,
)
from bot.features.follow_ups import handlers as follow_ups
from bot.features.reminders.common import (
    acknowledge,
    ask_zone,
    expect,
    read_time,
    say,
    when_text,
)
from bot.features.reminders.views import (
    QUIET_NONE,
    DailyTime,
    Pause,
    QuietChoice,
    ToggleDay,
    ZoneChoice,
)
from bot.features.week.views import WEEKLY_OFF, WEEKLY_ON
from bot.handlers.callback_data import Key
from bot.handlers.context import (
    AnyApplication,
    Context,
    logged,
    user_id,
    user_time,
)
from bot.handlers.keyboards import grid
from bot.places import Place
from bot.storage.reminders import HELD, OFF, SCHEDULED, Reminder

log = logging.getLogger(__name__)


PRIVATE = filters.ChatType.PRIVATE


TIME_CHOICES = ("08:00", "12:30", "18:00", "21:00")


QUIET_CHOICES = (("22:00", "07:00"), ("23:00", "08:00"), ("21:00", "07:00"))


PAUSE_CHOICES = (1, 3, 7)


DEFAULT_CHECKIN = time(21, 0)


CLOCK_TOLERANCE = timedelta(minutes=10)


MAX_ZONE_CHOICES = 6


def _days_text(context: Context, days: frozenset[int]) -> str:
    texts = context.texts
    if days == ALL_DAYS:
        return texts.every_day
    names = texts.weekday_names.split()
    return ", ".join(names[day - 1] for day in sorted(days))


def _panel_text(
    context: Context,
    zone: str | None,
    daily: Reminder | None,
    quiet: QuietHours | None,
    weekly: Reminder | None = None,
) -> str:
    texts = context.texts
    lines = [texts.reminders_title]
    if zone:
        now = context.now().astimezone(ZoneInfo(zone)).strftime("%H:%M")
        shown = html.escape(zone_name(zone, context.now()))
        lines.append(texts.reminders_zone.format(zone=shown, now=now))
    else:
        lines.append(texts.reminders_zone_unset)
    if daily is None or daily.status == OFF or daily.at is None:
        lines.append(texts.reminders_daily_off)
    else:
        at = daily.at.strftime("%H:%M")
        lines.append(
            texts.reminders_daily.format(time=at, days=_days_text(context, daily.weekdays))
        )
        if _is_paused(context, daily) and daily.next_fire_at and zone:
            # The same moment the pause confirmation named: when the next one comes.
            lines.append(
                texts.reminders_paused.format(
                    next=when_text(context, daily.next_fire_at, ZoneInfo(zone))
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
    if _weekly_on(weekly) and weekly is not None and weekly.at is not None:
        lines.append(texts.reminders_weekly.format(time=weekly.at.strftime("%H:%M")))
    else:
        lines.append(texts.reminders_weekly_off)
    return "\n".join(lines)


def _weekly_on(weekly: Reminder | None) -> bool:
    return weekly is not None and weekly.status != OFF


def _is_paused(context: Context, daily: Reminder | None) -> bool:
    return bool(
        daily and daily.status != OFF and daily.paused_until and daily.paused_until > context.now()
    )


def _panelgrid(
    context: Context, daily: Reminder | None, weekly: Reminder | None = None
) -> InlineKeyboardMarkup:
    texts = context.texts
    on = daily is not None and daily.status != OFF
    if _is_paused(context, daily):
        last = [(texts.resume_now_button, "rm:resume"), (texts.stop_button, "rm:stop")]
    elif on:
        last = [(texts.pause_button, "rm:pause"), (texts.stop_button, "rm:stop")]
    else:
        last = [(texts.resume_button_reminders, "rm:resume")]
    weekly_button = (
        (texts.weekly_off_button, WEEKLY_OFF)
        if _weekly_on(weekly)
        else (texts.weekly_on_button, WEEKLY_ON)
    )
    return grid(
        [(texts.set_time_button, "rm:time"), (texts.days_button, "rm:days")],
        [(texts.quiet_button, "rm:quiet"), (texts.zone_button, "rm:zone")],
        last,
        [weekly_button],
    )


@logged
async def reminders(update: Update, context: Context) -> None:
    """/reminders: the settings at a glance, with buttons to change them."""
    await acknowledge(update)
    store = context.storage.reminders
    clock = await store.user_clock(user_id(update))
    if clock.time_zone is None:
        await _ask_zone(update, context, first=True)
        return
    daily = await store.daily(user_id(update))
    weekly = await store.weekly(user_id(update))
    text = _panel_text(context, clock.time_zone, daily, clock.quiet, weekly)
    await say(update, context, text, _panelgrid(context, daily, weekly))


async def _ask_zone(update: Update, context: Context, first: bool = False) -> None:
    await ask_zone(update, context, context.texts.zone_needed if first else "")


@logged
async def zone_button(update: Update, context: Context) -> None:
    await acknowledge(update)
    await _ask_zone(update, context)


async def _zone_set(update: Update, context: Context, zone: str) -> None:
    store = context.storage.reminders
    await store.set_time_zone(user_id(update), zone)
    await expect(update, context, None)
    await _reschedule_daily(update, context)
    now = context.now().astimezone(ZoneInfo(zone)).strftime("%H:%M")
    shown = zone_name(zone, context.now())
    text = context.texts.zone_set.format(zone=html.escape(shown), now=now)
    await say(update, context, text, ReplyKeyboardRemove())
    if await follow_ups.zone_now_known(update, context, ZoneInfo(zone)):
        return  # the zone was asked for a follow-up: that is what they hear about now
    await reminders(update, context)


async def zone_from_text(update: Update, context: Context, text: str) -> None:
    """A city, an IANA name, "UTC+2", or the time on the user's clock."""
    texts = context.texts
    zone = iana_zone(text) or offset_zone(text)
    if zone:
        await _zone_set(update, context, zone)
        return
    clock = read_time(context, text)
    if clock is not None:
        # The city index loads on first use (about a second): never on the event loop.
        zones = await asyncio.to_thread(_zones_at, context, clock)
        if clock.hour < 12 and not re.search(r"[ap]\.?m", text, re.IGNORECASE):
            # "quarter past 7" may be the evening too: 19:15. Both readings are offered.
            evening = clock.replace(hour=clock.hour + 12)
            later = await asyncio.to_thread(_zones_at, context, evening)
            half = MAX_ZONE_CHOICES // 2
            zones = (zones[:half] + later)[:MAX_ZONE_CHOICES] if later else zones
        if not zones:
            said = clock.strftime(texts.time_format)
            await say(update, context, texts.zone_no_clock.format(time=said))
            return
        await _choose_zone(update, context, zones, texts.zone_from_clock)
        return
    places = await asyncio.to_thread(_search_place, context, text)
    if len(places) == 1:
        await _zone_set(update, context, places[0].time_zone)
        return
    if places:
        choices = [
            (_place_label(context, p.name, p.country, p.time_zone), p.time_zone) for p in places
        ]
        await _choose(update, context, choices, texts.zone_choose)
        return
    await say(update, context, texts.zone_unknown)


def _place_label(context: Context, name: str, country: str, zone: str) -> str:
    """ "Portland, US · UTC−7": two places of one name told apart by the time they keep."""
    utc = offset_name(zone, context.now())
    return context.texts.zone_place_button.format(place=name, country=country, offset=utc)


def _zone_label(context: Context, zone: str) -> str:
    """ "Lima · UTC−5" for a zone offered by the time it shows."""
    place = context.services.places.zone_city(zone) or zone.rsplit("/", 1)[-1].replace("_", " ")
    return context.texts.zone_choice_button.format(
        place=place, offset=offset_name(zone, context.now())
    )


def zone_name(zone: str, moment: datetime) -> str:
    """A zone as the person reads it: "Europe/Berlin", but "UTC+1" for Etc/GMT-1 (whose sign
    is the other way round, a POSIX convention nobody expects)."""
    return offset_name(zone, moment) if zone.startswith("Etc/") or zone == "UTC" else zone


def _search_place(context: Context, text: str) -> list[Place]:
    """The places a typed text may name ("Berlin", "I'm in New York", "London, UK")."""
    filler = context.content.words.clock.place_filler
    for name in place_names(text, filler):
        found = context.services.places.search(name)
        if found:
            return found
    return []


def _zones_at(context: Context, clock: time) -> list[str]:
    """Zones showing that time now: the best-known first, taking turns between regions so
    that Europe/Berlin is offered next to Africa/Lagos."""
    places = context.services.places
    matching = zones_showing(clock, context.now(), places.zones(), CLOCK_TOLERANCE)
    by_region: dict[str, list[str]] = {}
    for zone in sorted(matching, key=places.zone_population, reverse=True):
        by_region.setdefault(zone.split("/")[0], []).append(zone)
    regions = sorted(by_region.values(), key=lambda zones: -places.zone_population(zones[0]))
    turns = [zone for round_ in itertools.zip_longest(*regions) for zone in round_ if zone]
    return turns[:MAX_ZONE_CHOICES]


async def _choose_zone(update: Update, context: Context, zones: list[str], intro: str) -> None:
    if not zones:
        await say(update, context, context.texts.zone_unknown)
        return
    await _choose(update, context, [(_zone_label(context, zone), zone) for zone in zones], intro)


async def _choose(
    update: Update, context: Context, choices: list[tuple[str, str]], intro: str
) -> None:
    markup = grid(*([(label, ZoneChoice(Key(zone)).pack())] for label, zone in choices))
    # Typing another place instead of tapping one still works.
    await expect(update, context, Expecting.TIME_ZONE)
    await say(update, context, intro, markup)


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


async def _save_daily(
    update: Update, context: Context, at: time, days: frozenset[int], *, announce: bool = True
) -> None:
    await expect(update, context, None)  # answered, by a tap or in words
    store = context.storage.reminders
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    fire = next_daily(at, zone, context.now(), days, clock.quiet)
    await store.save_daily(user_id(update), at=at, weekdays=days, next_fire_at=fire)
    context.services.wake(fire)
    if announce:
        texts = context.texts
        text = texts.daily_set.format(
            time=at.strftime("%H:%M"),
            days=_days_text(context, days),
            next=when_text(context, fire, zone),
        )
        await say(update, context, text)


async def _reschedule_daily(update: Update, context: Context) -> None:
    """After the zone or quiet hours change, the next check-in moves with them."""
    daily = await context.storage.reminders.daily(user_id(update))
    if daily is not None and daily.at is not None and daily.status != OFF:
        await _save_daily(update, context, daily.at, daily.weekdays, announce=False)


@logged
async def ask_time(update: Update, context: Context) -> None:
    await acknowledge(update)
    texts = context.texts
    times = [(choice, DailyTime(time.fromisoformat(choice)).pack()) for choice in TIME_CHOICES]
    markup = grid(times[:2], times[2:], [(texts.type_time_button, "rm:type")])
    # The question invites typing too ("or type one"): a typed time answers it.
    await expect(update, context, Expecting.DAILY_TIME)
    await say(update, context, texts.ask_daily_time, markup)


@logged
async def type_time(update: Update, context: Context) -> None:
    await acknowledge(update)
    await expect(update, context, Expecting.DAILY_TIME)
    await say(update, context, context.texts.ask_type_time)


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
    at = read_time(context, text)
    if at is None:
        await say(update, context, context.texts.bad_time)
        return
    await expect(update, context, None)
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
    await acknowledge(update)
    days = await _current_days(update, context)
    await say(update, context, context.texts.ask_days, _daysgrid(context, days))


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
    if daily is None or daily.at is None or daily.status == OFF:
        # Days for a check-in that is off: kept for when it is turned on, and nothing more
        # (it must not start at a time nobody chose).
        await store.save_daily_days(user_id(update), frozenset(changed))
    else:
        if await _needs_zone(update, context):
            return
        await _save_daily(update, context, daily.at, frozenset(changed), announce=False)
    await query.edit_message_reply_markup(reply_markup=_daysgrid(context, frozenset(changed)))


@logged
async def days_done(update: Update, context: Context) -> None:
    await acknowledge(update)
    await reminders(update, context)


@logged
async def ask_quiet(update: Update, context: Context) -> None:
    await acknowledge(update)
    texts = context.texts
    rows = [
        [(f"{start}–{end}", QuietChoice(time.fromisoformat(start), time.fromisoformat(end)).pack())]
        for start, end in QUIET_CHOICES
    ]
    markup = grid(*rows, [(texts.quiet_none_button, QUIET_NONE)])
    await say(update, context, texts.ask_quiet, markup)


@logged
async def quiet_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    choice = QuietChoice.parse(query.data)
    quiet = None if choice is None else QuietHours(choice.start, choice.end)
    await context.storage.reminders.set_quiet_hours(user_id(update), quiet)
    await _reschedule_daily(update, context)
    await say(update, context, context.texts.quiet_set)
    await reminders(update, context)


@logged
async def ask_pause(update: Update, context: Context) -> None:
    await acknowledge(update)
    texts = context.texts
    labels = [
        texts.pause_day_button if days == 1 else texts.pause_days_button.format(days=days)
        for days in PAUSE_CHOICES
    ]
    markup = grid(
        [(label, Pause(days).pack()) for label, days in zip(labels, PAUSE_CHOICES, strict=True)]
    )
    await say(update, context, texts.ask_pause, markup)


async def _pause(update: Update, context: Context, days: int) -> None:
    store = context.storage.reminders
    daily = await store.daily(user_id(update))
    if daily is None or daily.at is None:
        await say(update, context, context.texts.reminders_daily_off)
        return
    clock = await user_time(context, user_id(update))
    zone = clock.zone
    until = context.now() + timedelta(days=days)
    fire = next_daily(daily.at, zone, until, daily.weekdays, clock.quiet)
    await store.save_daily(
        user_id(update), at=daily.at, weekdays=daily.weekdays, next_fire_at=fire, paused_until=until
    )
    await say(
        update,
        context,
        context.texts.paused.format(next=when_text(context, fire, zone)),
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
    await acknowledge(update)
    await context.storage.reminders.set_daily_status(user_id(update), OFF)
    await say(update, context, context.texts.stopped)


@logged
async def resume(update: Update, context: Context) -> None:
    await acknowledge(update)
    if await _needs_zone(update, context):
        return
    daily = await context.storage.reminders.daily(user_id(update))
    at = daily.at if daily and daily.at else DEFAULT_CHECKIN
    await _save_daily(update, context, at, daily.weekdays if daily else ALL_DAYS)


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
        await say(update, context, context.texts.kept_going)


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("reminders", reminders, filters=PRIVATE))
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
        r"^of:(pause|time|keep)$": offer_answer,
    }
    for pattern, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
