"""Follow-ups after composing: a reminder to send, and "how did it go?"."""
