"""/learn: short cards on the ideas behind the bot."""
