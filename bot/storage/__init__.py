"""The database: models, migrations, and the repository facade handlers use."""

from bot.storage.database import StorageError, create_engine, is_unavailable, migrate
from bot.storage.repository import Storage

__all__ = ["Storage", "StorageError", "create_engine", "is_unavailable", "migrate"]
