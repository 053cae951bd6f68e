"""Soft Start: a Telegram bot that helps a person say a hard thing to their partner gently."""

import os

# Opt in to PTB's coming behaviour (durations as timedelta) rather than hit its deprecation
# warning every time Telegram asks us to slow down.
os.environ.setdefault("PTB_TIMEDELTA", "1")
