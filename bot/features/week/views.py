"""The weekly reflection's words, and its reminders-panel button."""

from __future__ import annotations

import html

from bot.content import Content
from bot.core.week import PartOfDay, Pattern, Week
from bot.features.week.chart import ChartWords

# The reminders panel's button says what it does, so an old one (or a second tap) does that,
# never the opposite.
WEEKLY_ON, WEEKLY_OFF = "rm:weekly:on", "rm:weekly:off"


def _when(content: Content, pattern: Pattern) -> str:
    texts = content.texts
    parts = {
        PartOfDay.MORNING: texts.week_part_morning,
        PartOfDay.AFTERNOON: texts.week_part_afternoon,
        PartOfDay.EVENING: texts.week_part_evening,
    }
    if pattern.part is PartOfDay.NIGHT:
        return texts.week_at_night
    if pattern.part is None:
        return texts.week_at_weekends if pattern.weekend else texts.week_on_weekdays
    part = parts[pattern.part]
    if pattern.weekend is None:
        return texts.week_in_the.format(part=part)
    chosen = texts.week_weekend_part if pattern.weekend else texts.week_weekday_part
    return chosen.format(part=part)


def summary(content: Content, week: Week) -> str:
    """A few short lines about the week, never a score; a quiet week says only that it is
    fine."""
    texts = content.texts
    if week.quiet:
        return texts.week_quiet
    span = {
        "start": week.start.strftime(texts.week_date_format),
        "end": week.end.strftime(texts.week_date_format),
    }
    lines = [texts.week_title.format(**span), ""]
    if week.feelings or week.own_words:
        named = ", ".join(
            texts.week_feeling_count.format(feeling=html.escape(feeling), count=count)
            for feeling, count in week.feelings
        )
        if week.own_words:
            others = texts.week_own_words.format(count=week.own_words)
            named = f"{named} {others}" if named else others.lstrip("… ")
        lines.append(texts.week_feelings.format(feelings=named))
    else:
        lines.append(texts.week_no_feelings)
    if week.pattern is not None:
        feeling = html.escape(week.pattern.feeling)
        lines.append(texts.week_pattern.format(feeling=feeling, when=_when(content, week.pattern)))
    if week.sent:
        lines.append(texts.week_messages.format(written=week.written, sent=week.sent))
    elif week.written:
        # Shared by copying or forwarding, a message is sent all the same: no "0 sent".
        lines.append(texts.week_written.format(written=week.written))
    if week.answered:
        lines.append(texts.week_answers.format(count=week.answered))
    if week.went_well or week.was_hard:
        lines.append(texts.week_talks.format(well=week.went_well, hard=week.was_hard))
    suggestions = content.words.week_suggestions
    top = week.feelings[0][0] if week.feelings else "default"
    suggestion = suggestions.get(top, suggestions["default"])
    lines += ["", texts.week_suggestion.format(suggestion=suggestion)]
    return "\n".join(lines)


def chart_words(content: Content) -> ChartWords:
    texts = content.texts
    return ChartWords(
        texts.week_chart_title,
        texts.week_chart_other,
        texts.week_date_format,
        tuple(content.words.feelings.known),
    )
