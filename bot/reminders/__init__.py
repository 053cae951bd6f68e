"""Sending due reminders: the dispatcher (what is due, and what next) and the sender."""
