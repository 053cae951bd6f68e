"""The bot's commands in one place: the menu (descriptions in content/) and the filter that tells
a known command from an unknown one."""

from __future__ import annotations

import re

from telegram.ext import filters

# The menu order; content/<locale>/texts.toml [commands] must describe exactly these.
MENU = (
    "start", "compose", "checkin", "history", "journal", "partner", "reminders", "learn",
    "practice", "week", "safety", "export", "back", "cancel", "forget", "help",
)  # fmt: skip


def known() -> filters.BaseFilter:
    """Matches a message that starts with one of our commands (also as /command@botname)."""
    names = "|".join(re.escape(name) for name in MENU)
    return filters.Regex(rf"^/({names})(@\w+)?(\s|$)")
