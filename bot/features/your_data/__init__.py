"""/forget: everything about a person deleted, after a confirmation."""
