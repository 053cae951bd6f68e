"""Keyboards from rows of (label, callback data); each feature's own keyboards and button
codecs are in its views.py."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup


def grid(*rows: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """A keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def rows_of(
    buttons: Sequence[InlineKeyboardButton], width: int
) -> list[list[InlineKeyboardButton]]:
    """Buttons in rows of `width`."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]
