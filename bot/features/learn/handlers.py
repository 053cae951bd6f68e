"""/learn: short cards on the ideas behind the bot, with Next and Back."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.features.compose import views as compose_views
from bot.features.learn import views
from bot.handlers.context import AnyApplication, Context, chat_id, logged


def _card(context: Context, index: int) -> tuple[str, InlineKeyboardMarkup]:
    content = context.content
    cards = content.learn.card
    card = cards[index]
    text = content.texts.learn_card.format(
        title=card.title, body=card.body, current=index + 1, total=len(cards)
    )
    texts = content.texts
    nav = []
    if index > 0:
        nav.append(
            InlineKeyboardButton(
                texts.learn_back_button, callback_data=views.LearnCard(index - 1).pack()
            )
        )
    if index + 1 < len(cards):
        nav.append(
            InlineKeyboardButton(
                texts.learn_next_button, callback_data=views.LearnCard(index + 1).pack()
            )
        )
    else:
        nav.append(InlineKeyboardButton(texts.start_button, callback_data=compose_views.COMPOSE))
    return text, InlineKeyboardMarkup([nav])


@logged
async def learn(update: Update, context: Context) -> None:
    """/learn: the first card."""
    text, markup = _card(context, 0)
    await context.bot.send_message(chat_id(update), text, reply_markup=markup)


@logged
async def turn_card(update: Update, context: Context) -> None:
    """Next or Back: the same message shows another card."""
    query = update.callback_query
    assert query is not None and query.data is not None
    index = views.LearnCard.of(query.data).index
    if index >= len(context.content.learn.card):
        await query.answer(context.texts.stale_button)
        return
    await query.answer()
    text, markup = _card(context, index)
    await query.edit_message_text(text, reply_markup=markup)


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("learn", learn, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(turn_card, pattern=views.LearnCard.pattern()))
