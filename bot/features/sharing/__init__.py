"""Sharing a finished message: inline, copy, or to the partner, who answers with one tap."""
