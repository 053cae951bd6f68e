"""Settings from the environment and `.env` (see `.env.example` for every key)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from bot.storage.keys import KeyPlaces

TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/softstart.sqlite3"

# A country code (DE), a language (en), or everyone (*).
_SAFETY_KEY = re.compile(r"^(\*|[A-Z]{2}|[a-z]{2,3})$")
# A BotFather token is "<numeric bot id>:<35 or so url-safe characters>".
_TOKEN_SHAPE = re.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,60}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# SOFT_START_ENV_FILE names the one .env to read; without it, the .env beside the project (in a
# source checkout) and then the one in the current folder, which wins.
ENV_FILE_VARIABLE = "SOFT_START_ENV_FILE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The forms hosts hand out, and the driver the bot runs them with.
_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}
DATABASE_URL_EXAMPLES = "sqlite:///data/softstart.sqlite3 or postgresql://user:password@host/db"


class EnvFileMissing(RuntimeError):
    """SOFT_START_ENV_FILE names a file that is not there."""


def env_files() -> tuple[Path, ...]:
    chosen = os.environ.get(ENV_FILE_VARIABLE)
    if chosen:
        path = Path(chosen).expanduser()
        # /dev/null is a fine way to say "no file": not a regular file, but readable.
        if not path.exists() or path.is_dir():
            raise EnvFileMissing(f"{ENV_FILE_VARIABLE}={chosen} is not a file")
        return (path,)
    beside_project = PROJECT_ROOT / ".env"
    in_checkout = (PROJECT_ROOT / "pyproject.toml").is_file()
    return (beside_project, Path(".env")) if in_checkout else (Path(".env"),)


def default_content_dir() -> Path:
    """The texts shipped with the bot: package data when installed, content/ in a checkout."""
    try:
        from importlib.resources import files

        shipped = files("soft_start_content")
    except ModuleNotFoundError:
        return PROJECT_ROOT / "content"
    return Path(str(shipped))


# libpq parameters hosts put in their URLs: translated for asyncpg, or dropped where the bot
# has its own (connection timeout) or asyncpg has none (channel binding, the client's name).
_LIBPQ_TO_ASYNCPG = {"sslmode": "ssl"}
_LIBPQ_DROPPED = {"channel_binding", "connect_timeout", "application_name"}
_ASYNCPG_TAKES = {"ssl", "target_session_attrs", "prepared_statement_cache_size"}


def usable_database_url(given: str) -> str:
    """The URL with the driver the bot uses: postgresql:// -> asyncpg, sqlite:// -> aiosqlite,
    and libpq's parameters as asyncpg takes them. Anything else says what would work."""
    given = given.strip()
    if given.partition("://")[2].count("@") > 1:
        raise ValueError(
            "has more than one @: percent-encode the password's special characters "
            "(@ as %40, / as %2F, : as %3A)"
        )
    try:
        url = make_url(given)
    except ArgumentError as error:
        raise ValueError(f"not a database URL (like {DATABASE_URL_EXAMPLES})") from error
    driver = _DRIVERS.get(url.drivername)
    backend = url.drivername.partition("+")[0]
    if driver is None and backend in {"postgres", "postgresql"}:
        raise ValueError(
            f"the {url.drivername.partition('+')[2]} driver is not used: write postgresql://... "
            "and the bot uses asyncpg"
        )
    if driver is None:
        raise ValueError(
            f"{backend} is not supported; use SQLite or PostgreSQL (like {DATABASE_URL_EXAMPLES})"
        )
    if driver.startswith("postgresql") and url.query:
        return _asyncpg_parameters(url.set(drivername=driver))
    # The rest of the URL as written (rendering it again would escape an SQLite ":memory:").
    return driver + "://" + given.partition("://")[2]


def _asyncpg_parameters(url: URL) -> str:
    query = {}
    for name, value in url.query.items():
        if name in _LIBPQ_DROPPED:
            continue
        name = _LIBPQ_TO_ASYNCPG.get(name, name)
        if name not in _ASYNCPG_TAKES:
            raise ValueError(
                f"the parameter {name}= is not supported (the bot takes sslmode= or ssl=, "
                "target_session_attrs=)"
            )
        query[name] = value
    return url.set(query=query).render_as_string(hide_password=False)


class DatabaseSettings(BaseSettings):
    """What `soft-start migrate` needs: the database and the logs, no token."""

    # An empty value (TELEGRAM_BOT_TOKEN= in a fresh .env) counts as not set.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    database_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # The master key that seals what people write (`soft-start keygen` makes one), given
    # itself or as a file; with neither, the file softstart.key in the bot's data folder (made
    # on the first start). See bot/storage/keys.py and the README's privacy section.
    data_key: SecretStr | None = None
    data_key_file: Path | None = None
    # Where people's data keys are kept: by default an SQLite file next to the master key,
    # apart from the database and its backups.
    key_store_url: str | None = None

    @field_validator("key_store_url")
    @classmethod
    def _supported_key_store(cls, url: str | None) -> str | None:
        return usable_database_url(url) if url else None

    def key_places(self) -> KeyPlaces:
        from bot.storage.keys import key_places

        return key_places(
            self.database_url,
            self.data_key.get_secret_value() if self.data_key else None,
            self.data_key_file,
            self.key_store_url,
        )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        return usable_database_url(url)

    @field_validator("log_level")
    @classmethod
    def _documented_log_level(cls, level: str) -> str:
        if level.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(LOG_LEVELS)}")
        return level.strip().upper()


class Settings(DatabaseSettings):
    """Everything the operator can set; only the token is required."""

    telegram_bot_token: SecretStr
    telegram_api_base_url: str = TELEGRAM_API
    locale: str = "en"
    content_dir: Path = Field(default_factory=default_content_dir)
    draft_expiry_days: int = Field(default=7, ge=1)
    retention_days: int | None = Field(default=None, ge=1)
    default_time_zone: str = "UTC"
    reminder_grace_minutes: int = Field(default=120, ge=0)
    rate_limit_per_second: float = Field(default=30, gt=0)
    # The share of that rate reminders are sure of while people's answers take the rest.
    background_floor_share: float = Field(default=0.1, gt=0, le=1)
    max_concurrent_updates: int = Field(default=256, ge=1)
    # Support lines the operator adds to the safety message, per locale (plain text).
    safety_resources: dict[str, str] = Field(default_factory=dict)
    poll_timeout_seconds: int = Field(default=30, ge=0, le=50)
    # A pause between polls, so that under load one poll fetches many messages
    # (bench.conversation --setting POLL_INTERVAL_SECONDS=0: up to 15% fewer steps/s on
    # SQLite); a message waits at most this much longer.
    poll_interval_seconds: float = Field(default=0.005, ge=0, le=1)
    # Webhook mode (several replicas behind a load balancer): set WEBHOOK_URL.
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # Updates kept in the database until handled (bot/inbox.py). Off: handled from memory as
    # PTB fetches them (what a crash interrupts is lost; one process, long polling only).
    inbox: bool = True
    # How long an update in a replica's hand is its own: a replica that dies leaves its
    # updates to another after this (renewed every third of it while it lives).
    inbox_lease_seconds: float = Field(default=15.0, ge=1, le=600)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_has_botfather_shape(cls, token: SecretStr) -> SecretStr:
        if not _TOKEN_SHAPE.match(token.get_secret_value().strip()):
            raise ValueError("malformed token")
        return SecretStr(token.get_secret_value().strip())

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_is_http(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")) or not url.endswith("/bot"):
            raise ValueError(
                "must look like https://api.telegram.org/bot (or http://host:port/bot for your "
                "own Bot API server): http(s), ending in /bot"
            )
        return url

    @field_validator("safety_resources")
    @classmethod
    def _keys_the_bot_looks_up(cls, lines: dict[str, str]) -> dict[str, str]:
        for key in lines:
            if not _SAFETY_KEY.match(key):
                raise ValueError(
                    f"{key!r} is not a key the bot looks up: use a country code (DE), a "
                    'language (en) or "*" for everyone'
                )
        return lines

    @field_validator("default_time_zone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("not a known time zone (try Europe/Berlin or UTC)") from error
        return name

    @field_validator("webhook_url")
    @classmethod
    def _public_https(cls, url: str | None) -> str | None:
        if not url:
            return None
        parsed = urlsplit(url.strip())
        local = parsed.hostname in {"localhost", "127.0.0.1", "::1"}
        if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
            raise ValueError(
                "must be the public https:// address Telegram posts updates to, like "
                "https://bot.example.org/telegram (Telegram calls only HTTPS)"
            )
        return url.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_shape(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is None or not secret.get_secret_value():
            return None
        if not _WEBHOOK_SECRET.match(secret.get_secret_value()):
            raise ValueError(
                "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule); "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` makes one"
            )
        return secret

    @model_validator(mode="after")
    def _webhook_needs_its_secret_and_the_inbox(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL is set but WEBHOOK_SECRET is not: without it anyone who finds the "
                "address could post updates as Telegram"
            )
        if self.webhook_url and not self.inbox:
            raise ValueError("webhook mode keeps every update in the inbox: set INBOX=true")
        return self

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to (the load balancer passes it on unchanged)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def telegram_file_base_url(self) -> str:
        """The file URL PTB needs, derived from the API base URL (`.../bot` -> `.../file/bot`)."""
        base = self.telegram_api_base_url
        if base.endswith("/bot"):
            return base[: -len("bot")] + "file/bot"
        return base + "/file/bot"
