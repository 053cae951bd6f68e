"""/history (the user's finished messages, paged) and /export (all their data as files)."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.history import (
    HistoryPage,
    MarkdownLabels,
    export_json,
    export_markdown,
    local_time,
    preview,
)
from bot.core.reflect import LEFT, Reflection, Role, Understood
from bot.features.history import views
from bot.features.sharing.handlers import share_keyboard
from bot.handlers.context import (
    AnyApplication,
    Context,
    chat_id,
    logged,
    user_id,
    user_time,
)

PRIVATE = filters.ChatType.PRIVATE


async def _time_zone(update: Update, context: Context) -> str:
    return (await user_time(context, user_id(update))).zone.key


def _stamp(context: Context, moment: datetime, time_zone: str) -> str:
    return local_time(moment, time_zone).strftime(context.texts.date_format)


def _status(context: Context, found: Reflection) -> str:
    texts = context.texts
    if found.status is Understood.SENT and found.partner_id == LEFT:
        return texts.history_status_closed  # the other one deleted their data: none will come
    return {
        Understood.SENT: texts.history_status_sent,
        Understood.YES: texts.history_status_understood,
        Understood.NOT_QUITE: texts.history_status_not_quite,
    }[found.status]


def _page_view(
    context: Context, page: HistoryPage, time_zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    texts = context.texts
    lines = [texts.history_title.format(page=page.page + 1, pages=page.pages)]
    buttons = []
    for entry in page.entries:
        stamp = _stamp(context, entry.created_at, time_zone)
        short = local_time(entry.created_at, time_zone).strftime(texts.short_date_format)
        if isinstance(entry, Reflection):
            lines.append(
                texts.history_heard_line.format(
                    date=stamp,
                    preview=html.escape(preview(entry.heard, 32)),
                    status=_status(context, entry),
                )
            )
            label = texts.history_heard_button.format(preview=preview(entry.heard, 32), date=short)
            data = views.HistoryHeard(entry.id).pack()
            buttons.append([InlineKeyboardButton(label, callback_data=data)])
            continue
        lines.append(
            texts.history_line.format(date=stamp, preview=html.escape(preview(entry.text)))
        )
        if entry.id in page.said_back:
            status = _status(context, page.said_back[entry.id])
            lines.append(texts.history_said_back.format(status=status))
        # Told apart at a glance: most messages start "I feel ... because".
        label = texts.history_button.format(
            feeling=preview(entry.feeling, 16), reason=preview(entry.reason, 22), date=short
        )
        buttons.append(
            [InlineKeyboardButton(label, callback_data=views.HistoryShow(entry.id).pack())]
        )
    nav = []
    if page.has_newer:
        nav.append(
            InlineKeyboardButton(
                texts.newer_button, callback_data=views.HistoryPage(page.page - 1).pack()
            )
        )
    if page.has_older:
        nav.append(
            InlineKeyboardButton(
                texts.older_button, callback_data=views.HistoryPage(page.page + 1).pack()
            )
        )
    if nav:
        buttons.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


@logged
async def history(update: Update, context: Context) -> None:
    """/history: the newest page of the user's messages."""
    storage = context.storage
    page = await storage.history_page(user_id(update), 0)
    if not page.entries:  # none yet, or none that opens
        await context.bot.send_message(chat_id(update), context.texts.history_empty)
        return
    text, markup = _page_view(context, page, await _time_zone(update, context))
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)


@logged
async def history_page(update: Update, context: Context) -> None:
    """Newer/Older: shows another page in the same message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    wanted = views.HistoryPage.of(query.data).page
    page = await context.storage.history_page(user_id(update), wanted)
    if not page.entries:  # none yet, or none that opens
        await query.edit_message_text(context.texts.history_empty)
        return
    text, markup = _page_view(context, page, await _time_zone(update, context))
    # An old button for the page already shown changes nothing (SoftStartBot takes it so).
    await query.edit_message_text(text, reply_markup=markup)


@logged
async def show_message(update: Update, context: Context) -> None:
    """One saved message again, on its own so it can be forwarded as is."""
    query = update.callback_query
    assert query is not None and query.data is not None
    message_id = views.HistoryShow.of(query.data).message_id
    saved = await context.storage.saved_message(user_id(update), message_id)
    texts = context.texts
    if saved is None:
        await query.answer(texts.stale_button)
        return
    await query.answer()
    stamp = _stamp(context, saved.created_at, await _time_zone(update, context))
    await context.bot.send_message(chat_id(update), texts.history_shown.format(date=stamp))
    markup = await share_keyboard(context, user_id(update), saved)
    await context.bot.send_message(
        chat_id(update), html.escape(saved.text, quote=False), reply_markup=markup
    )
    said_back = await context.storage.listening.said_back(user_id(update), saved.id)
    if said_back is not None:
        await context.bot.send_message(
            chat_id(update),
            texts.history_said_back_shown.format(
                status=_status(context, said_back),
                reflection=html.escape(said_back.text, quote=False),
            ),
        )


@logged
async def show_heard(update: Update, context: Context) -> None:
    """A message the person heard, and what they said back, from their own copy."""
    query = update.callback_query
    assert query is not None and query.data is not None
    reflection_id = views.HistoryHeard.of(query.data).reflection_id
    found = await context.storage.listening.get(user_id(update), reflection_id)
    texts = context.texts
    if found is None or found.role is not Role.LISTENER:
        await query.answer(texts.stale_button)
        return
    await query.answer()
    stamp = _stamp(context, found.created_at, await _time_zone(update, context))
    await context.bot.send_message(
        chat_id(update),
        texts.history_heard_shown.format(
            date=stamp,
            heard=html.escape(found.heard, quote=False),
            status=_status(context, found),
            reflection=html.escape(found.text, quote=False),
        ),
    )


def _markdown_labels(context: Context) -> MarkdownLabels:
    texts = context.texts
    return MarkdownLabels(
        title=texts.export_markdown_title,
        said_back=texts.export_said_back,
        heard_title=texts.export_heard_title,
        statuses={
            Understood.SENT.value: texts.history_status_sent,
            Understood.YES.value: texts.history_status_understood,
            Understood.NOT_QUITE.value: texts.history_status_not_quite,
        },
    )


@logged
async def export(update: Update, context: Context) -> None:
    """/export: everything kept about the user, as JSON and as a readable Markdown file."""
    found = context.services
    data = await found.storage.export(user_id(update))
    texts = found.content.texts
    time_zone = await _time_zone(update, context)
    files = [
        ("soft-start-data.json", export_json(data)),
        ("soft-start-messages.md", export_markdown(data, _markdown_labels(context), time_zone)),
    ]
    await context.bot.send_message(chat_id(update), texts.export_intro)
    for name, body in files:
        await context.bot.send_document(
            chat_id(update), InputFile(body.encode("utf-8"), filename=name)
        )


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("history", history, filters=PRIVATE))
    application.add_handler(CommandHandler("export", export, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(history_page, pattern=views.HistoryPage.pattern()))
    application.add_handler(CallbackQueryHandler(show_message, pattern=views.HistoryShow.pattern()))
    application.add_handler(CallbackQueryHandler(show_heard, pattern=views.HistoryHeard.pattern()))
