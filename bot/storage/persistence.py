"""PTB persistence backed by the drafts table.

PTB flushes persistence on an interval, so a crash could lose the conversation's state. Instead,
handlers write the draft (with its step) before they ask the next question, and this class only
reads conversation states back from the drafts at start-up: the state and the draft come from the
same row and cannot disagree. Nothing else is persisted through PTB.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.storage.repository import Storage

COMPOSE_CONVERSATION = "compose"


class DraftPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Conversation states from the drafts table; everything else is not persisted."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            # Nothing to flush: the handlers already wrote through.
            update_interval=3600,
        )
        self.storage = storage

    async def get_conversations(self, name: str) -> ConversationDict:
        if name != COMPOSE_CONVERSATION:
            return {}
        steps = await self.storage.active_conversations()
        # Private chats only, so the chat id is the user id.
        return {(user_id, user_id): step for user_id, step in steps.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """The handlers wrote the draft already."""

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def update_callback_data(self, data: Any) -> None:
        """Not persisted."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not persisted."""

    async def drop_user_data(self, user_id: int) -> None:
        """Not persisted."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def flush(self) -> None:
        """Nothing is buffered."""
