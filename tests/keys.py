"""Keys for tests that open the storage themselves: the master key and the key store in the
test's own folder (for PostgreSQL too, whose default folder would be the working directory)."""

from __future__ import annotations

from pathlib import Path

from bot.cli import prepare_database
from bot.storage import Storage, create_engine
from bot.storage.keys import KeyPlaces, Keyring, key_places
from bot.storage.sealing import new_master_key_text

# One master key for the run (each test has a key store of its own).
TEST_DATA_KEY = new_master_key_text()


def places_in(folder: Path, database_url: str) -> KeyPlaces:
    return key_places(
        database_url,
        data_key=TEST_DATA_KEY,
        key_store_url=f"sqlite+aiosqlite:///{folder / 'keys' / 'softstart-keys.sqlite3'}",
    )


async def prepared_storage(
    database_url: str, folder: Path, busy_timeout_seconds: float = 5.0
) -> Storage:
    """Migrated, keys made, as the bot's start-up leaves it."""
    places = places_in(folder, database_url)
    await prepare_database(database_url, keys=places)
    return Storage(create_engine(database_url, busy_timeout_seconds), Keyring.at(places))
