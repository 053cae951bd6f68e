"""Repair after a hard talk: calm first, then a short message that owns one's part."""
