"""The bot's texts as package data: installed as `soft_start_content` (see pyproject.toml) and
read with importlib.resources, so a built wheel carries them. Only TOML lives here."""
