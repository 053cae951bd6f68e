"""python -m bot: the same command line as `soft-start` (bot/cli.py)."""

from bot.cli import main

if __name__ == "__main__":
    main()
