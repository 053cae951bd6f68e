"""Sealing what people write, so that a copy of the database (a backup, a stolen disk, SQLite's
-wal) does not show it.

Envelope encryption: every person has a random data key; their texts are sealed with it
(AES-256-GCM). The data keys are kept wrapped by the master key (DATA_KEY), in the key store
(bot/storage/keys.py), apart from the database: /forget deletes the person's data key, and
their words in any copy of the database can no longer be opened.

Each sealed text carries its place (table, column, person, row) as associated data: moved to
another row or another person, it no longer opens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# A sealed text: this prefix, then base64url (no padding) of key id, nonce, ciphertext and tag.
SEALED = "ss1."
KEY_BYTES = 32
KEY_ID_BYTES = 4
NONCE_BYTES = 12
# What `soft-start keygen` prints: a prefix (so a key is recognised for what it is) and 32
# random bytes in base64url.
MASTER_KEY_PREFIX = "sskey1_"
_CHECK = b"soft-start key check"


class Unreadable(Exception):
    """A sealed text that does not open: changed, moved to another row, or its key is gone."""


class BadMasterKey(ValueError):
    """DATA_KEY (or its file) is not a key `soft-start keygen` made."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_master_key_text() -> str:
    return MASTER_KEY_PREFIX + _b64encode(os.urandom(KEY_BYTES))


def place(table: str, column: str, user_id: int, row: int | None = None) -> str:
    """Where a text lives: its associated data. One row per person (a draft) has no row id."""
    where = f"{table}.{column}/{user_id}"
    return where if row is None else f"{where}/{row}"


class MasterKey:
    """Wraps and unwraps the people's data keys; never touches a text itself."""

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise BadMasterKey(f"a data key is {KEY_BYTES} random bytes")
        self._aead = AESGCM(raw)
        # Names the key in the key store (which key wrapped what) without revealing it.
        self.id = hashlib.sha256(b"soft-start master key id\0" + raw).hexdigest()[:16]

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        text = text.strip()
        if not text.startswith(MASTER_KEY_PREFIX):
            raise BadMasterKey(f"it does not start with {MASTER_KEY_PREFIX}")
        try:
            raw = _b64decode(text.removeprefix(MASTER_KEY_PREFIX))
        except (binascii.Error, ValueError) as error:
            raise BadMasterKey("it is not base64") from error
        return cls(raw)

    def wrap(self, user_id: int, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, f"data key/{user_id}".encode())

    def unwrap(self, user_id: int, wrapped: bytes) -> bytes:
        try:
            return self._aead.decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], f"data key/{user_id}".encode()
            )
        except InvalidTag as error:
            raise Unreadable(f"the data key of user {user_id} does not open") from error

    def check_value(self) -> bytes:
        """Kept in the key store, so that a wrong DATA_KEY is caught at start-up."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, _CHECK, b"key check")

    def opens(self, check: bytes) -> bool:
        try:
            return self._aead.decrypt(check[:NONCE_BYTES], check[NONCE_BYTES:], b"key check") == (
                _CHECK
            )
        except InvalidTag:
            return False


class DataKey:
    """One person's key: seals and opens their texts."""

    def __init__(self, key_id: bytes, raw: bytes) -> None:
        self.key_id = key_id
        self._aead = AESGCM(raw)

    @staticmethod
    def new_raw() -> tuple[bytes, bytes]:
        """A new key's id and its bytes."""
        return os.urandom(KEY_ID_BYTES), AESGCM.generate_key(bit_length=KEY_BYTES * 8)

    def seal(self, text: str, where: str) -> str:
        """The text sealed for its place. An empty text stays empty (nothing to hide but that
        the part is not written yet), so columns keep their plain defaults."""
        if not text:
            return ""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, text.encode("utf-8"), where.encode())
        return SEALED + _b64encode(self.key_id + nonce + sealed)

    def open(self, sealed: str, where: str) -> str:
        if not sealed:
            return ""
        if not sealed.startswith(SEALED):
            raise Unreadable(f"{where}: not a sealed text")
        try:
            raw = _b64decode(sealed.removeprefix(SEALED))
        except (binascii.Error, ValueError) as error:
            raise Unreadable(f"{where}: not a sealed text") from error
        key_id, rest = raw[:KEY_ID_BYTES], raw[KEY_ID_BYTES:]
        if key_id != self.key_id:
            raise Unreadable(f"{where}: sealed with another key")
        try:
            return self._aead.decrypt(
                rest[:NONCE_BYTES], rest[NONCE_BYTES:], where.encode()
            ).decode("utf-8")
        except InvalidTag as error:
            raise Unreadable(f"{where}: does not open here") from error
