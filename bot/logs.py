"""The process's logging: the bot's own events at the chosen level, libraries kept quiet, and
the bot token never written, whatever the level.

At DEBUG, python-telegram-bot logs every update and every reply, and aiosqlite/SQLAlchemy log
statement parameters: all of them hold what people wrote. So LOG_LEVEL=DEBUG makes the `bot`
loggers verbose, and the libraries stay at INFO or quieter.
"""

from __future__ import annotations

import logging
import re

from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.storage.database import is_unavailable, reason

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose DEBUG lines carry users' words, URLs with the token, or SQL parameters.
_AT_MOST_INFO = ("telegram", "aiohttp", "aiosqlite", "asyncpg", "asyncio")
# Routine noise even at INFO: a line per request, two per scheduler run, the pool's and the
# migrations' chatter at every start.
_AT_MOST_WARNING = ("httpx", "httpcore", "apscheduler", "sqlalchemy", "alembic")
# A Telegram bot token: the bot's id, a colon, 35 characters of secret.
_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces the token (and anything shaped like one) in the whole
    line, tracebacks included: an error from a library may carry the API URL."""

    def __init__(self, token: str) -> None:
        super().__init__(FORMAT)
        self.secrets = [part for part in (token, token.partition(":")[2]) if len(part) >= 8]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "<token>")
        return _TOKEN_SHAPE.sub("<token>", line)


# The raw batch PTB could not read, and a non-JSON answer (an HTML error page) it then turns
# into the error the bot logs in one line.
_SAID_BETTER = ("Error while parsing updates", "Can not load invalid JSON data")


class LibraryRepeats(logging.Filter):
    """Drops two lines python-telegram-bot writes that the bot says better itself: the raw
    batch of updates it could not read (people's words; bot/telegram_bot.py logs the ids), and
    the traceback of a token Telegram refused (the command line says it in one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram"):
            return True
        if str(record.msg).startswith(_SAID_BETTER):
            return False
        return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def configure(level: str, token: str) -> None:
    """One handler on the root logger, writing to stderr, redacting the token."""
    chosen = logging.getLevelName(level.upper())
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(token))
    handler.addFilter(LibraryRepeats())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(chosen)
    for name in _AT_MOST_INFO:
        logging.getLogger(name).setLevel(max(chosen, logging.INFO))
    for name in _AT_MOST_WARNING:
        logging.getLogger(name).setLevel(max(chosen, logging.WARNING))


def is_passing(error: BaseException | None) -> bool:
    """Failures of the world, not of the code: Telegram or the database out of reach for a
    moment, a person who blocked the bot (or an error the bot raised because of one). One line
    each; tracebacks are for the unexpected."""
    if error is None:
        return False
    cause = error.__cause__
    return (
        isinstance(error, NetworkError | RetryAfter | Forbidden)
        or is_unavailable(error)
        or (cause is not None and is_passing(cause))
    )


def short_reason(error: BaseException | None) -> str:
    """The class, and for Telegram's errors its reason (never a URL or what someone wrote); a
    database error says it is the database."""
    if isinstance(error, TelegramError):
        return f"{error.__class__.__name__} ({error.message})"
    if error is not None and is_unavailable(error):
        return f"the database is unavailable ({reason(error)})"
    return error.__class__.__name__
