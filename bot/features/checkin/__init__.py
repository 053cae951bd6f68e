"""Checking in: how someone feels, by a tap or in words, kept in their journal."""
