"""Composing a soft start-up: feeling, what happened, self-care, request, review, and the
gentle check."""
