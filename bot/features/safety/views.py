"""The safety path's texts and buttons: the support message for each situation, the help lines
of a country, and the safety plan."""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Content
from bot.core.safety import PLAN_PARTS, Concern, CountryHelp, LineKind, PlanPart, SafetyPlan
from bot.handlers.callback_data import CallbackData, Key
from bot.handlers.keyboards import grid, rows_of

# Kept as plain strings: the composer's conversation matches "Continue where I was" too.
SAFETY_CONTINUE = "safety:continue"
SAFETY_SHOW = "safety:show"


@dataclass(frozen=True)
class PlanOpen(CallbackData, prefix="plan"):
    """Shows the safety plan."""


@dataclass(frozen=True)
class PlanEdit(CallbackData, prefix="planedit"):
    part: PlanPart


@dataclass(frozen=True)
class PlanClear(CallbackData, prefix="planclear"):
    part: PlanPart


@dataclass(frozen=True)
class HelpCountries(CallbackData, prefix="helpcc"):
    """The list of countries whose help lines the bot knows."""


@dataclass(frozen=True)
class HelpCountry(CallbackData, prefix="helpc"):
    code: Key


class Where(StrEnum):
    """How the bot knows the person's country."""

    ZONE = "zone"  # from their time zone
    CHOSEN = "chosen"  # they picked it
    UNKNOWN = "unknown"


def help_text(content: Content, country: CountryHelp, where: Where) -> str:
    """The numbers, plain text so that Telegram makes them tappable."""
    texts = content.texts

    def note(line_note: str) -> str:
        return " " + texts.help_note.format(note=html.escape(line_note)) if line_note else ""

    if country.emergency:
        emergency = texts.help_emergency.format(number=html.escape(country.emergency))
        lines = [emergency + note(country.emergency_note)]
    else:
        lines = [texts.help_emergency_unknown.strip()]
    for kind, template in (
        (LineKind.CRISIS, texts.help_crisis),
        (LineKind.ABUSE, texts.help_abuse),
    ):
        for line in country.of_kind(kind):
            name, number = html.escape(line.name), html.escape(line.number)
            lines.append(template.format(name=name, number=number) + note(line.note))
    for line in country.of_kind(LineKind.DIRECTORY):
        if line.name:
            name, about = html.escape(line.name), html.escape(line.note)
            lines.append(texts.help_directory.format(name=name, note=about))
        else:  # the operator's own line (SAFETY_RESOURCES)
            lines.append(texts.help_extra.format(note=html.escape(line.note)))
    named = html.escape(country.named)
    footer = {
        Where.ZONE: texts.help_where.format(country=named),
        Where.CHOSEN: texts.help_where_chosen.format(country=named),
        Where.UNKNOWN: texts.help_where_unknown.strip(),
    }[where]
    return "\n".join(lines) + "\n\n" + footer


def support_text(content: Content, concern: Concern, help_lines: str) -> str:
    texts = content.texts
    template = {
        Concern.SELF_HARM: texts.safety_self_harm,
        Concern.DANGER: texts.safety_danger,
        Concern.THREATENING: texts.safety_threatening,
        Concern.ASKED: texts.safety_asked,
    }[concern]
    return template.format(help=help_lines)


def support_keyboard(content: Content, can_continue: bool) -> InlineKeyboardMarkup:
    texts = content.texts
    rows = [
        [(texts.safety_plan_button, PlanOpen().pack())],
        [(texts.help_country_button, HelpCountries().pack())],
    ]
    if can_continue:
        rows.insert(0, [(texts.safety_continue_button, SAFETY_CONTINUE)])
    return grid(*rows)


def countries_keyboard(content: Content) -> InlineKeyboardMarkup:
    countries = sorted(content.countries.values(), key=lambda country: country.name)
    buttons = [
        InlineKeyboardButton(country.name, callback_data=HelpCountry(Key(country.code)).pack())
        for country in countries
    ]
    return InlineKeyboardMarkup(rows_of(buttons, 3))


def part_title(content: Content, part: PlanPart) -> str:
    texts = content.texts
    return {
        PlanPart.WARNING_SIGNS: texts.plan_part_signs,
        PlanPart.CALMING: texts.plan_part_calm,
        PlanPart.PEOPLE: texts.plan_part_people,
        PlanPart.SAFE_PLACE: texts.plan_part_place,
    }[part]


def part_question(content: Content, part: PlanPart) -> str:
    texts = content.texts
    return {
        PlanPart.WARNING_SIGNS: texts.plan_ask_signs,
        PlanPart.CALMING: texts.plan_ask_calm,
        PlanPart.PEOPLE: texts.plan_ask_people,
        PlanPart.SAFE_PLACE: texts.plan_ask_place,
    }[part]


def plan_text(content: Content, plan: SafetyPlan) -> str:
    texts = content.texts
    parts = [
        texts.plan_part_line.format(
            title=html.escape(part_title(content, part)),
            text=html.escape(plan.part(part)) if plan.part(part) else texts.plan_empty_part,
        )
        for part in PLAN_PARTS
    ]
    return texts.plan_title.strip() + "\n\n" + "\n\n".join(parts)


def plan_keyboard(content: Content) -> InlineKeyboardMarkup:
    texts = content.texts
    edits = [
        InlineKeyboardButton(
            texts.plan_edit_button.format(title=part_title(content, part)),
            callback_data=PlanEdit(part).pack(),
        )
        for part in PLAN_PARTS
    ]
    help_button = InlineKeyboardButton(texts.plan_help_button, callback_data=SAFETY_SHOW)
    return InlineKeyboardMarkup([*rows_of(edits, 2), [help_button]])


def clear_keyboard(content: Content, part: PlanPart) -> InlineKeyboardMarkup:
    return grid([(content.texts.plan_clear_button, PlanClear(part).pack())])


def plan_question(content: Content, plan: SafetyPlan, part: PlanPart) -> str:
    current = plan.part(part)
    now = f"<i>{html.escape(current)}</i>\n\n" if current else ""
    return content.texts.plan_ask.format(question=part_question(content, part), current=now)
