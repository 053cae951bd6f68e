"""/start's and /help's keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Content
from bot.features.compose import views as compose_views
from bot.features.safety import views as safety_views


def start_keyboard(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(content.texts.start_button, callback_data=compose_views.COMPOSE)]]
    )


def help_keyboard(content: Content) -> InlineKeyboardMarkup:
    label = content.texts.help_safety_button
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=safety_views.SAFETY_SHOW)]]
    )
