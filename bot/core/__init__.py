"""The product's logic in plain Python: no Telegram, no database, no I/O."""
