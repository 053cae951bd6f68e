"""Repair's buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.content import Texts
from bot.handlers.keyboards import grid

START, READY = "repair:start", "repair:ready"
# The one-minute breathing of the check-ins (bot/features/checkin).
BREATHE = "nd:breathe"


def offer(texts: Texts) -> InlineKeyboardMarkup:
    """The button that opens it, under "It was hard"."""
    return grid([(texts.repair_button, START)])


def calm_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    return grid([(texts.nudge_breathe_button, BREATHE)], [(texts.repair_ready_button, READY)])
