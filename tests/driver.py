"""FakeUser: drives the bot through the fake Bot API the way a person would, so tests read like
the conversation: `await alice.send("anxious")`, `await alice.press("Done")`,
`await alice.expect(r"I feel anxious")`."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tests.fake_telegram import Event, FakeTelegram, SentMessage

DEFAULT_TIMEOUT = 5.0
_callback_ids = itertools.count(1)


class ExpectationError(AssertionError):
    pass


T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = DEFAULT_TIMEOUT
) -> T:
    """Polls `probe` until it returns something (the bot works asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await probe()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise ExpectationError(f"never saw {what}")


class UpdateTracker:
    """Knows when the running bot has finished an update: it records each update as the bot
    starts on it (a pass-through handler in the very first group, which never stops anything),
    and the bot's per-chat processor holds the chat's turn until the update is done."""

    GROUP = -1_000_000

    def __init__(self, application: Any) -> None:
        from telegram.ext import TypeHandler

        self.application = application
        self.started: set[int] = set()

        async def note(update: Any, context: Any) -> None:
            self.started.add(update.update_id)

        application.add_handler(TypeHandler(object, note), group=self.GROUP)

    def _busy(self, chat_ids: set[int]) -> bool:
        inbox = self.application.bot_data.get("inbox")
        turns = inbox.in_hand if inbox else getattr(self.application.update_processor, "_turns", {})
        return any(chat in turns for chat in chat_ids)

    async def handled(
        self, update_id: int, chat_ids: set[int], timeout: float = DEFAULT_TIMEOUT
    ) -> bool:
        """Waits until the bot started on `update_id` and no chat in `chat_ids` is in flight;
        False if that takes longer than `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if update_id in self.started and not self._busy(chat_ids):
                await asyncio.sleep(0.01)
                if not self._busy(chat_ids):
                    return True
            await asyncio.sleep(0.005)
        return False


class FakeUser:
    """One person in a private chat with the bot (chat id == user id)."""

    def __init__(self, telegram: FakeTelegram, user_id: int, first_name: str) -> None:
        self.telegram = telegram
        self.id = user_id
        self.first_name = first_name
        self.cursor = 0  # events before this one have been looked at by expect()
        self._message_ids = itertools.count(1)

    # --- doing -----------------------------------------------------------------------------

    @property
    def _user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "en",
        }

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            "from": self._user,
            **content,
        }

    async def send(self, text: str) -> int:
        """Types and sends a text message; a leading /command is marked as Telegram marks it."""
        content: dict[str, Any] = {"text": text}
        command = re.match(r"^/\w+", text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return self.telegram.push_update({"message": self._message(**content)})

    async def send_sticker(self) -> int:
        sticker = {
            "file_id": "st1",
            "file_unique_id": "st1u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self.telegram.push_update({"message": self._message(sticker=sticker)})

    async def send_photo(self) -> int:
        photo = [{"file_id": "ph1", "file_unique_id": "ph1u", "width": 90, "height": 90}]
        return self.telegram.push_update({"message": self._message(photo=photo)})

    async def send_voice(self) -> int:
        voice = {"file_id": "vo1", "file_unique_id": "vo1u", "duration": 3}
        return self.telegram.push_update({"message": self._message(voice=voice)})

    async def send_location(self) -> int:
        location = {"latitude": 52.52, "longitude": 13.40}
        return self.telegram.push_update({"message": self._message(location=location)})

    async def edit_last(self, text: str) -> int:
        """Edits the user's own last message, as Telegram reports it."""
        message = self._message(text=text, edit_date=int(time.time()))
        message["message_id"] = next(self._message_ids) - 1
        return self.telegram.push_update({"edited_message": message})

    # Kinds of update that carry no sender (`from`), as Telegram sends them.
    SENDERLESS = (
        "channel_post", "edited_channel_post", "message_reaction", "message_reaction_count",
        "removed_chat_boost", "deleted_business_messages",
    )  # fmt: skip

    @property
    def channel_id(self) -> int:
        """The id of a channel (or supergroup) this person runs, for sender-less updates."""
        return -1000000000000 - self.id

    async def send_without_sender(self, kind: str = "channel_post", text: str = "/start") -> int:
        """An update with no `from` (one of `SENDERLESS`): a post in this person's channel, an
        anonymous reaction or reaction count in their group, a boost removed, or business
        messages deleted in their private chat."""
        now = int(time.time())
        group = {"id": self.channel_id, "type": "supergroup", "title": "A group"}
        body: dict[str, Any]
        if kind in {"channel_post", "edited_channel_post"}:
            channel = {"id": self.channel_id, "type": "channel", "title": "A channel"}
            body = {"message_id": next(self._message_ids), "date": now, "chat": channel,
                    "sender_chat": channel, "text": text}  # fmt: skip
            if text.startswith("/"):
                length = len(text.split()[0])
                body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            if kind == "edited_channel_post":
                body["edit_date"] = now
        elif kind == "message_reaction":
            thumbs = [{"type": "emoji", "emoji": "👍"}]
            body = {"chat": group, "message_id": 1, "date": now, "actor_chat": group,
                    "old_reaction": [], "new_reaction": thumbs}  # fmt: skip
        elif kind == "message_reaction_count":
            body = {"chat": group, "message_id": 1, "date": now, "reactions": [
                {"type": {"type": "emoji", "emoji": "👍"}, "total_count": 1}]}  # fmt: skip
        elif kind == "removed_chat_boost":
            source = {"source": "premium", "user": self._user}
            body = {"chat": group, "boost_id": "b1", "remove_date": now, "source": source}
        elif kind == "deleted_business_messages":
            chat = {"id": self.id, "type": "private", "first_name": self.first_name}
            body = {"business_connection_id": f"bc{self.id}", "chat": chat, "message_ids": [1]}
        else:
            raise ValueError(f"unknown sender-less update {kind!r}")
        return self.telegram.push_update({kind: body})

    async def inline_query(self, query: str) -> int:
        """Types `@bot query` in some chat (what the "Share to a chat" button opens)."""
        inline = {"id": f"iq{self.id}-{next(_callback_ids)}", "from": self._user, "query": query,
                  "offset": "", "chat_type": "private"}  # fmt: skip
        return self.telegram.push_update({"inline_query": inline})

    def find_button(self, label: str) -> tuple[SentMessage, dict[str, Any]]:
        """The newest message in this chat with a button labelled `label`."""
        for message in reversed(list(self.telegram.messages[self.id].values())):
            for button in message.buttons:
                if button["text"] == label:
                    return message, button
        raise ExpectationError(f"no button {label!r} in {self.first_name}'s chat")

    async def press(self, label: str, message: SentMessage | None = None) -> int:
        """Taps a button: the newest one with that label (waiting for it to appear, as a person
        would), or the one on `message`."""
        if message is None:
            message, button = await self._wait_for_button(label)
        else:
            found = [b for b in message.buttons if b["text"] == label]
            if not found:
                raise ExpectationError(f"message {message.message_id} has no button {label!r}")
            button = found[0]
        return await self.press_data(message, button["callback_data"])

    async def _wait_for_button(self, label: str) -> tuple[SentMessage, dict[str, Any]]:
        deadline = time.monotonic() + DEFAULT_TIMEOUT
        while True:
            try:
                return self.find_button(label)
            except ExpectationError:
                count = len(self.telegram.events[self.id])
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not await self.telegram.wait_for_event(
                    self.id, count, remaining
                ):
                    raise

    async def press_data(self, message: SentMessage, data: str) -> int:
        """Taps a button with the given callback data on `message` (for forged or old buttons)."""
        query = {
            "id": f"{self.id}-{next(_callback_ids)}",
            "from": self._user,
            "message": self.telegram.message_json(message),
            "chat_instance": f"ci{self.id}",
            "data": data,
        }
        return self.telegram.push_update({"callback_query": query})

    # --- seeing ----------------------------------------------------------------------------

    async def _next_event(
        self, wanted: Callable[[Event], bool], what: str, timeout: float
    ) -> Event:
        """Looks at new events in order until one is wanted; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            events = self.telegram.events[self.id]
            while self.cursor < len(events):
                event = events[self.cursor]
                self.cursor += 1
                if wanted(event):
                    return event
                seen.append(event.message.text if event.message else f"(toast) {event.toast}")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await self.telegram.wait_for_event(
                self.id, self.cursor, remaining
            ):
                shown = "\n---\n".join(seen[-5:]) or "(nothing)"
                raise ExpectationError(f"{self.first_name} never saw {what}; saw:\n{shown}")

    async def expect(self, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> SentMessage:
        """Waits for a new message (or edit) whose visible text matches `pattern`."""
        regex = re.compile(pattern, re.DOTALL)
        event = await self._next_event(
            lambda e: (
                e.kind in {"message", "edit"}
                and e.message is not None
                and regex.search(e.message.text) is not None
            ),
            f"/{pattern}/",
            timeout,
        )
        assert event.message is not None
        return event.message

    async def expect_toast(self, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Waits for a callback answer (the small pop-up) whose text matches `pattern`."""
        regex = re.compile(pattern)
        event = await self._next_event(
            lambda e: e.kind == "toast" and regex.search(e.toast) is not None,
            f"a toast /{pattern}/",
            timeout,
        )
        return event.toast

    async def expect_buttons(self, *labels: str, timeout: float = DEFAULT_TIMEOUT) -> SentMessage:
        """Waits for a message that offers all of these buttons (sent, edited, or its keyboard
        changed in place)."""
        event = await self._next_event(
            lambda e: (
                e.kind in {"message", "edit", "markup"}
                and e.message is not None
                and set(labels) <= set(e.message.labels)
            ),
            f"buttons {labels}",
            timeout,
        )
        assert event.message is not None
        return event.message

    async def expect_document(self, name: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
        """Waits for a document with this file name; returns its content."""
        event = await self._next_event(
            lambda e: (
                e.message is not None
                and e.message.document is not None
                and e.message.document[0] == name
            ),
            f"a document {name}",
            timeout,
        )
        assert event.message is not None and event.message.document is not None
        return event.message.document[1]

    async def expect_photo(self, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> SentMessage:
        """Waits for a photo whose caption matches `pattern`."""
        regex = re.compile(pattern, re.DOTALL)
        event = await self._next_event(
            lambda e: (
                e.message is not None
                and e.message.photo is not None
                and regex.search(e.message.text) is not None
            ),
            f"a photo /{pattern}/",
            timeout,
        )
        assert event.message is not None
        return event.message

    def last_message(self) -> SentMessage:
        return list(self.telegram.messages[self.id].values())[-1]

    def all_text(self) -> str:
        return "\n".join(m.text for m in self.telegram.messages[self.id].values())
