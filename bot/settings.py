"""Settings from the environment and `.env` (see `.env.example` for every key)."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/softstart.sqlite3"

# A BotFather token is "<numeric bot id>:<35 or so url-safe characters>".
_TOKEN_SHAPE = re.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,60}$")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Settings(BaseSettings):
    """Everything the operator can set; only the token is required."""

    # An empty value (TELEGRAM_BOT_TOKEN= in a fresh .env) counts as not set.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr
    telegram_api_base_url: str = TELEGRAM_API
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    locale: str = "en"
    content_dir: Path = Field(default_factory=lambda: Path(__file__).parent.parent / "content")
    draft_expiry_days: int = Field(default=7, ge=1)
    retention_days: int | None = Field(default=None, ge=1)
    default_time_zone: str = "UTC"
    database_busy_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    reminder_grace_minutes: int = Field(default=120, ge=0)
    rate_limit_per_second: float = Field(default=30, gt=0)
    max_concurrent_updates: int = Field(default=256, ge=1)
    # Support lines the operator adds to the safety message, per locale (plain text).
    safety_resources: dict[str, str] = Field(default_factory=dict)
    poll_timeout_seconds: int = Field(default=30, ge=0, le=50)
    # A pause between polls, so that under load one poll fetches many messages
    # (bench.conversation --setting POLL_INTERVAL_SECONDS=0: up to 15% fewer steps/s on
    # SQLite); a message waits at most this much longer.
    poll_interval_seconds: float = Field(default=0.005, ge=0, le=1)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_has_botfather_shape(cls, token: SecretStr) -> SecretStr:
        if not _TOKEN_SHAPE.match(token.get_secret_value().strip()):
            raise ValueError("malformed token")
        return SecretStr(token.get_secret_value().strip())

    @field_validator("log_level")
    @classmethod
    def _documented_log_level(cls, level: str) -> str:
        if level.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"one of {', '.join(LOG_LEVELS)}")
        return level.strip().upper()

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_is_http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url.rstrip("/")

    @field_validator("default_time_zone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("not a known time zone (try Europe/Berlin or UTC)") from error
        return name

    @property
    def telegram_file_base_url(self) -> str:
        """The file URL PTB needs, derived from the API base URL (`.../bot` -> `.../file/bot`)."""
        base = self.telegram_api_base_url
        if base.endswith("/bot"):
            return base[: -len("bot")] + "file/bot"
        return base + "/file/bot"
