"""Soft Start: a Telegram bot that helps a person say a hard thing to their partner gently."""
