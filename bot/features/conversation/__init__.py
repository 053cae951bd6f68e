"""The one router for typed text outside the composer: whatever the bot last asked for is
what a typed text answers (bot/core/conversation.py)."""
