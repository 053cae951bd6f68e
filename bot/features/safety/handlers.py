"""Safety first: words that point to danger or self-harm stop the coaching, whatever the step;
the help lines of the person's country; and a private safety plan (/safety)."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.core.conversation import GUESSES, Awaited, Expecting, still_open
from bot.core.safety import (
    PLAN_QUESTIONS,
    Concern,
    CountryHelp,
    HelpLine,
    LineKind,
    country_of_zone,
    help_for,
)
from bot.features.reminders.common import acknowledge, expect, say
from bot.features.safety import views
from bot.features.safety.views import (
    HelpCountries,
    HelpCountry,
    PlanClear,
    PlanEdit,
    PlanOpen,
    Where,
)
from bot.handlers.context import AnyApplication, Context, logged, user_id
from bot.places import zone_countries

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE

# The question that asks for each part of the plan.
EXPECTING_PART = {part: what for what, part in PLAN_QUESTIONS.items()}
# Answers that would go to the partner: held, not sent, when they point to danger.
TO_PARTNER = frozenset(
    {
        Expecting.PARTNER_REPLY,
        Expecting.TALK_TIME,
        Expecting.TALK_OTHER,
        Expecting.INCOMING,
        Expecting.REFLECTION,
        Expecting.CORRECTION,
        Expecting.HEARD_ANSWER,
    }
)


# Answers kept only for the person themselves (their journal): saved even when the safety
# path speaks up.
OWN_NOTES = frozenset(
    {Expecting.CHECKIN, Expecting.CHECKIN_MORE, Expecting.NUDGE_ANSWER, Expecting.OUTCOME_NOTE}
)


async def help_of(context: Context, user: int) -> tuple[CountryHelp, Where]:
    """The help lines for the person (their chosen country, else their time zone's), with the
    operator's own lines; and how the country is known."""
    found = context.services
    content = found.content
    country = await found.storage.safety.country(user)
    where = Where.CHOSEN
    if country not in content.countries:
        clock = await found.storage.reminders.user_clock(user)
        country, where = country_of_zone(clock.time_zone, zone_countries()), Where.ZONE
    if country not in content.countries:
        where = Where.UNKNOWN
    extra = _operator_lines(context, country)
    return help_for(country, content.countries, content.fallback_help, extra), where


def _operator_lines(context: Context, country: str | None) -> list[HelpLine]:
    """SAFETY_RESOURCES: lines keyed by country code, by locale, or "*" for everyone."""
    settings = context.services.settings
    keys = ["*", settings.locale, (country or "").upper()]
    return [
        HelpLine(LineKind.DIRECTORY, "", note=settings.safety_resources[key])
        for key in dict.fromkeys(keys)
        if key and key in settings.safety_resources
    ]


async def send_support(
    update: Update, context: Context, concern: Concern, can_continue: bool
) -> None:
    country, where = await help_of(context, user_id(update))
    content = context.content
    text = views.support_text(content, concern, views.help_text(content, country, where))
    if can_continue:
        text += "\n\n" + content.texts.safety_continue_hint
    await say(update, context, text, views.support_keyboard(content, can_continue))


# Not @logged: it reads every text, and "handler=words_point_to_danger" on each would read
# like an alarm; it logs its own line when it acts.
async def words_point_to_danger(update: Update, context: Context) -> None:
    """Stops the update before any coaching and answers with care; nothing is saved."""
    message = update.effective_message
    if message is None or not message.text:
        return
    safety = context.content.safety
    if safety.concern(message.text) is None:
        return
    awaited = await _awaited(update, context)
    # Writing one's safety plan: the words may well describe danger, and must not be stopped.
    if awaited is not None and awaited.what in PLAN_QUESTIONS:
        return  # their own safety plan: let it be written
    if awaited is not None and awaited.what in OWN_NOTES:
        # Words for their own journal, seen by nobody else: kept as written (nothing typed is
        # lost), with the support message before the journal's answer.
        concern = safety.concern(message.text)
        assert concern is not None
        log.info(
            "update=%s user=%s safety path (a note kept): %s",
            update.update_id,
            user_id(update),
            concern,
        )
        await send_support(update, context, concern, can_continue=False)
        return
    to_partner = awaited is not None and awaited.what in TO_PARTNER
    concern = safety.concern(message.text, to_partner=to_partner)
    assert concern is not None
    log.info("update=%s user=%s safety path: %s", update.update_id, user_id(update), concern)
    if to_partner:
        partner = await context.storage.pairing.partner_of(user_id(update))
        if partner is not None:
            name = html.escape(partner.name)
            await say(update, context, context.texts.safety_reply_held.format(name=name))
        if concern is not Concern.THREATENING:
            # Someone who may be in danger from the partner: nothing more goes to them on its
            # own; the next text is not taken for the rest of the answer.
            await expect(update, context, None)
            awaited = None
    draft = await context.storage.load_draft(user_id(update))
    can_continue = draft is not None and concern is not Concern.THREATENING
    await send_support(update, context, concern, can_continue=can_continue)
    if can_continue and (awaited is None or awaited.what in GUESSES):
        # Until they choose to go on, what they type is talk, not the draft's next part.
        await expect(update, context, Expecting.SAFETY_PAUSE)
    raise ApplicationHandlerStop


async def paused(update: Update, context: Context, awaited: Awaited, text: str) -> None:
    """A text after the support message, before "Continue where I was": not an answer."""
    await say(update, context, context.texts.safety_paused)


async def _awaited(update: Update, context: Context) -> Awaited | None:
    asked = await context.storage.conversation.awaited(user_id(update))
    return still_open(asked, context.now())


@logged
async def show_safety(update: Update, context: Context) -> None:
    """ "If you don't feel safe" (help page, safety plan): nothing was written, so no "what
    you wrote"; the numbers and the plan."""
    await acknowledge(update)
    await send_support(update, context, Concern.ASKED, can_continue=False)


@logged
async def show_plan(update: Update, context: Context) -> None:
    """/safety, or the plan button: the plan as written so far, a button per part."""
    await acknowledge(update)
    await _show_plan(update, context)


async def _show_plan(update: Update, context: Context) -> None:
    plan = await context.storage.safety.plan(user_id(update))
    content = context.content
    await say(update, context, views.plan_text(content, plan), views.plan_keyboard(content))


async def _first_tap(update: Update, context: Context, action: str) -> bool:
    """True for the first tap of `action` on this message; a second (a double tap, or an old
    list tapped again) gets the "earlier message" toast instead of a second answer."""
    query = update.callback_query
    assert query is not None
    message_id = query.message.message_id if query.message else 0
    if await context.storage.claim_action(user_id(update), action, str(message_id)):
        return True
    await query.answer(context.texts.stale_button)
    return False


@logged
async def edit_part(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    part = PlanEdit.of(query.data).part
    await query.answer()
    await expect(update, context, EXPECTING_PART[part])
    plan = await context.storage.safety.plan(user_id(update))
    content = context.content
    markup = views.clear_keyboard(content, part) if plan.part(part) else None
    await say(update, context, views.plan_question(content, plan, part), markup)


async def plan_part_from_text(
    update: Update, context: Context, awaited: Awaited, text: str
) -> None:
    """A typed part of the plan (the router has checked it is words, and not too long)."""
    part = PLAN_QUESTIONS[awaited.what]
    await context.storage.safety.save_part(user_id(update), part, text.strip(), context.now())
    await expect(update, context, None)
    title = html.escape(views.part_title(context.content, part))
    await say(update, context, context.texts.plan_saved.format(title=title))
    await _show_plan(update, context)


@logged
async def clear_part(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    part = PlanClear.of(query.data).part
    plan = await context.storage.safety.plan(user_id(update))
    if not plan.part(part):  # cleared already (a second tap): nothing more to do
        await query.answer(context.texts.plan_already_clear)
        return
    await query.answer()
    await context.storage.safety.save_part(user_id(update), part, "", context.now())
    await expect(update, context, None)
    await query.edit_message_reply_markup(reply_markup=None)
    title = html.escape(views.part_title(context.content, part))
    await say(update, context, context.texts.plan_cleared.format(title=title))
    await _show_plan(update, context)


@logged
async def choose_country(update: Update, context: Context) -> None:
    await acknowledge(update)
    await say(
        update,
        context,
        context.texts.help_choose_country,
        views.countries_keyboard(context.content),
    )


@logged
async def country_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    code = HelpCountry.of(query.data).code
    content = context.content
    if code not in content.countries:
        await query.answer(context.texts.stale_button)
        return
    if not await _first_tap(update, context, "country"):
        return
    await query.answer()
    # The list has done its work: off the screen, so it cannot be tapped again.
    await query.edit_message_reply_markup(reply_markup=None)
    await context.storage.safety.choose_country(user_id(update), code)
    country, where = await help_of(context, user_id(update))
    intro = context.texts.help_country_set.format(country=html.escape(country.named))
    await say(update, context, intro + "\n\n" + views.help_text(content, country, where))


def register(application: AnyApplication) -> None:
    # Group -2: after the redelivery guard, before every feature (0) and before a command
    # clears an open question (-1).
    application.add_handler(MessageHandler(filters.TEXT & PRIVATE, words_point_to_danger), group=-2)
    application.add_handler(CallbackQueryHandler(show_safety, pattern=f"^{views.SAFETY_SHOW}$"))
    application.add_handler(CommandHandler("safety", show_plan, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(show_plan, pattern=PlanOpen.pattern()))
    application.add_handler(CallbackQueryHandler(edit_part, pattern=PlanEdit.pattern()))
    application.add_handler(CallbackQueryHandler(clear_part, pattern=PlanClear.pattern()))
    application.add_handler(CallbackQueryHandler(choose_country, pattern=HelpCountries.pattern()))
    application.add_handler(CallbackQueryHandler(country_chosen, pattern=HelpCountry.pattern()))
