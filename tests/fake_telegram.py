"""A fake Telegram Bot API: an aiohttp server on 127.0.0.1 that speaks the shapes PTB parses.

It keeps a queue of updates for getUpdates (long polling, offsets confirmed as Telegram does),
records every call, keeps each chat's messages as the user would see them (HTML rendered to
text, checked like Telegram checks it), and can inject errors. `FakeUser` drives it like a person.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_ID = 700000001
TOKEN = f"{BOT_ID}:AAHfakeTokenForTestsOnly0123456789abcd"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Soft Start",
    "username": "softstart_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
# Sent as plain strings by PTB; everything else arrives JSON-encoded (numbers, objects, lists).
TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_query_id",
        "parse_mode",
        "description",
        "short_description",
        "name",
        "query",
        "next_offset",
        "title",
        "file_name",
    }
)
TELEGRAM_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
MAX_TEXT = 4096
# Telegram's limits for a photo: its caption, its size, and its shape.
MAX_CAPTION = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
MAX_CALLBACK_DATA = 64
# CopyTextButton.text: "1-256 characters" (Bot API), which Telegram counts in UTF-16 units,
# as it counts every length: a 215-character message with emoji is refused.
MAX_COPY_TEXT = 256
# What Telegram answers to a second answerCallbackQuery, or to an id it never issued.
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


# An injected "failure" that is a success answered too late: the call takes effect, and the
# bot's request times out before it hears so (`fail(method, LATE, "", delay=seconds)`).
LATE = 0


class TelegramError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class _Renderer(HTMLParser):
    """Telegram HTML -> the text a user sees; rejects what Telegram rejects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            raise TelegramError(
                400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"'
            )
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise TelegramError(
                400, f'Bad Request: can\'t parse entities: unmatched end tag "{tag}"'
            )

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render(text: str, parse_mode: str | None) -> str:
    if parse_mode != "HTML":
        return text
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        raise TelegramError(400, "Bad Request: can't parse entities: unescaped '&'")
    renderer = _Renderer()
    renderer.feed(text)
    renderer.close()
    if renderer.open:
        raise TelegramError(400, "Bad Request: can't parse entities: unclosed tag")
    return html.unescape("".join(renderer.parts))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class SentMessage:
    """A message the bot sent, as the user sees it now."""

    chat_id: int
    message_id: int
    text: str
    source: str
    reply_markup: dict[str, Any] | None = None
    # (file name, content) for a document.
    document: tuple[str, bytes] | None = None
    # The bytes of a photo (its caption is the text).
    photo: bytes | None = None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    @property
    def labels(self) -> list[str]:
        return [b["text"] for b in self.buttons]


_event_order = itertools.count()


@dataclass
class Event:
    """Something the user saw happen: a new message, an edit, or a toast."""

    kind: str  # "message", "edit" (new text), "markup" (only the buttons changed), "toast"
    message: SentMessage | None = None
    toast: str = ""
    # In which order events happened across all chats (for two-person transcripts).
    seq: int = field(default_factory=lambda: next(_event_order))


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Injected:
    code: int
    description: str
    retry_after: int | None = None
    chat_id: int | None = None
    delay: float = 0.0
    # For LATE: the answer waits until the test sets this (instead of `delay`).
    release: asyncio.Event | None = None
    # For a held answer: the bot's request, once it arrived (to see if the bot still waits).
    request: web.Request | None = None


@dataclass
class Held:
    """A call whose answer the test holds back (`FakeTelegram.hold`)."""

    injected: Injected

    def release(self) -> None:
        assert self.injected.release is not None
        self.injected.release.set()

    @property
    def arrived(self) -> bool:
        return self.injected.request is not None

    @property
    def bot_still_waiting(self) -> bool:
        """The bot sent the call and has not given up on it (its connection is still open)."""
        request = self.injected.request
        transport = None if request is None else request.transport
        return transport is not None and not transport.is_closing()


@dataclass
class FakeTelegram:
    """The server. `base_url` goes into TELEGRAM_API_BASE_URL."""

    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[int, SentMessage]] = field(default_factory=lambda: defaultdict(dict))
    events: dict[int, list[Event]] = field(default_factory=lambda: defaultdict(list))
    pending: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Users who blocked the bot: sending to them fails with 403, as on Telegram.
    blocked: set[int] = field(default_factory=set)
    redelivered: list[dict[str, Any]] = field(default_factory=list)
    confirmed_offset: int = 0
    injected: dict[str, list[Injected]] = field(default_factory=lambda: defaultdict(list))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    port: int = 0
    # Set while a bot shuts down, so its long poll returns at once instead of at its timeout.
    polling_released: bool = False
    # Every callback query pushed, by id: how many times the bot tried to answer it (refused
    # attempts included). Telegram accepts exactly one answer per query.
    callback_answers: dict[str, int] = field(default_factory=dict)
    # The update (as pushed) of each callback query, for readable failures.
    callback_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Chat and user ids that sent the bot something: the only chats a bot can write to.
    talked: set[int] = field(default_factory=set)
    # Webhook mode (after setWebhook): url, secret_token, allowed_updates, max_connections.
    webhook: dict[str, Any] | None = None
    # Every post to the webhook: (update id, HTTP status; 0 when no answer came).
    webhook_posts: list[tuple[int, int]] = field(default_factory=list)
    _deliveries: set[asyncio.Task[None]] = field(default_factory=set)
    _in_delivery: set[int] = field(default_factory=set)
    _chat_turns: dict[int, asyncio.Lock] = field(default_factory=dict)
    _webhook_slots: asyncio.Semaphore | None = None
    # Chats whose every call waits, neither recorded nor answered, until released (`stall`).
    stalled: dict[int, asyncio.Event] = field(default_factory=dict)
    stalled_calls: list[tuple[str, int]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner, self.port = await serve_on_a_free_port(app)

    async def stop(self) -> None:
        self.webhook = None
        for task in list(self._deliveries):
            task.cancel()
        if self._deliveries:
            await asyncio.wait(self._deliveries)
        for event in self.stalled.values():
            event.set()
        if self._runner:
            await self._runner.cleanup()

    # --- test controls ---------------------------------------------------------------------

    def push_update(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._note_sender(payload)
        self.pending.append({"update_id": update_id, **payload})
        self._new_update.set()
        if self.webhook is not None:
            self._deliver_pending()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Delivers an update again, as Telegram does when the bot crashed before confirming."""
        self.redelivered.append(self.delivered[update_id])
        self._new_update.set()

    def renumber(self, next_update_id: int) -> None:
        """Numbers the next updates from `next_update_id` on, as Telegram does after a week
        without updates ("chosen randomly instead of sequentially"): ids may repeat old ones."""
        self._update_ids = itertools.count(next_update_id)
        self.confirmed_offset = 0

    def release_pollers(self) -> None:
        self.polling_released = True
        self._new_update.set()

    def _note_sender(self, payload: dict[str, Any]) -> None:
        for body in payload.values():
            if not isinstance(body, dict):
                continue
            if "from" in body:
                self.talked.add(int(body["from"]["id"]))
            if "chat" in body:
                self.talked.add(int(body["chat"]["id"]))
        query = payload.get("callback_query")
        if query is not None:
            self.callback_answers.setdefault(str(query["id"]), 0)
            self.callback_updates[str(query["id"])] = payload

    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot never answered."""
        return [qid for qid, count in self.callback_answers.items() if count == 0]

    def callbacks_answered_twice(self) -> list[str]:
        """Ids of callback queries the bot tried to answer more than once."""
        return [qid for qid, count in self.callback_answers.items() if count > 1]

    def assert_callbacks_answered_once(self, ids: list[str] | None = None) -> None:
        """Every callback query pushed (or each of `ids`) was answered exactly once."""
        wanted = (
            self.callback_answers if ids is None else {i: self.callback_answers[i] for i in ids}
        )
        wrong = {qid: count for qid, count in wanted.items() if count != 1}
        assert not wrong, "callback queries not answered exactly once (id: answers): " + ", ".join(
            f"{qid}: {count} (data {self.callback_updates[qid]['callback_query'].get('data')!r})"
            for qid, count in wrong.items()
        )

    def stall(self, chat_id: int) -> asyncio.Event:
        """From now on every call for `chat_id` waits, unrecorded and unanswered: the bot is
        stopped mid-update without any timing. Setting the event lets the waiting calls fail
        (the bot that made them is gone) and later ones through."""
        self.stalled[chat_id] = asyncio.Event()
        return self.stalled[chat_id]

    # --- webhook mode ----------------------------------------------------------------------

    def _deliver_pending(self) -> None:
        for update in list(self.pending):
            if update["update_id"] not in self._in_delivery:
                self._in_delivery.add(update["update_id"])
                task = asyncio.create_task(self._deliver(update))
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        """Posts the update until the bot answers 2xx, as Telegram does: one chat's updates one
        after another (each once the previous is accepted), chats side by side."""
        import aiohttp

        chat = _chat_of(update)
        turn = self._chat_turns.setdefault(chat, asyncio.Lock())
        pause = 0.05
        async with turn, aiohttp.ClientSession() as session:
            while self.webhook is not None:
                hook = self.webhook
                headers = {"Content-Type": "application/json"}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                assert self._webhook_slots is not None
                async with self._webhook_slots:
                    try:
                        async with session.post(
                            hook["url"],
                            data=json.dumps(update),
                            headers=headers,
                            timeout=aiohttp.ClientTimeout(total=60),
                        ) as response:
                            status = response.status
                    except (aiohttp.ClientError, TimeoutError):
                        status = 0
                self.webhook_posts.append((update["update_id"], status))
                if 200 <= status < 300:
                    self.delivered[update["update_id"]] = update
                    if update in self.pending:
                        self.pending.remove(update)
                    self._in_delivery.discard(update["update_id"])
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)
        self._in_delivery.discard(update["update_id"])

    def fail(self, method: str, code: int, description: str, **kwargs: Any) -> None:
        """The next call of `method` (for `chat_id`, if given) fails like Telegram would."""
        self.injected[method].append(Injected(code, description, **kwargs))

    def hold(self, method: str, chat_id: int) -> Held:
        """The next call of `method` for `chat_id` succeeds, but its answer waits until the test
        releases it: a slow network, without any timing in the test."""
        injected = Injected(LATE, "", chat_id=chat_id, release=asyncio.Event())
        self.injected[method].append(injected)
        return Held(injected)

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def next_message_id(self) -> int:
        return next(self._message_ids)

    # --- the API ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await _read_params(request)
        stalled = self.stalled.get(_int_or_none(params.get("chat_id")) or 0)
        if stalled is not None and not stalled.is_set():
            self.stalled_calls.append((method, int(params["chat_id"])))
            await stalled.wait()
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
        self.calls.append(Call(method, params))
        try:
            late = await self._maybe_fail(method, params)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise TelegramError(404, "Not Found: method not found")
            result = await handler(params)
            if late is not None and late.release is not None:
                late.request = request
                await late.release.wait()
            elif late is not None:
                await asyncio.sleep(late.delay)
        except TelegramError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return web.json_response(body, status=error.code)
        return web.json_response({"ok": True, "result": result})

    async def _maybe_fail(self, method: str, params: dict[str, Any]) -> Injected | None:
        """Raises an injected failure; returns an injected LATE (a success held back)."""
        for injected in list(self.injected[method]):
            if injected.chat_id is None or injected.chat_id == params.get("chat_id"):
                self.injected[method].remove(injected)
                if injected.code == LATE:
                    return injected
                if injected.delay:
                    await asyncio.sleep(injected.delay)
                raise TelegramError(injected.code, injected.description, injected.retry_after)
        return None

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        return {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
            "max_connections": hook.get("max_connections", 40),
        }

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self._api_deleteWebhook(params)
        local = re.match(r"^http://(127\.0\.0\.1|localhost)[:/]", url)
        if not url.startswith("https://") and not local:
            raise TelegramError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise TelegramError(400, "Bad Request: secret token contains unallowed characters")
        connections = int(params.get("max_connections") or 40)
        if not 1 <= connections <= 100:
            raise TelegramError(400, "Bad Request: bad webhook: max_connections is out of range")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": connections,
        }
        self._webhook_slots = asyncio.Semaphore(connections)
        self._deliver_pending()
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise TelegramError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset:
            # Telegram forgets every update below the offset: they are confirmed.
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            if self.redelivered:
                ready, self.redelivered = self.redelivered, []
                return ready
            ready = [u for u in self.pending if u["update_id"] >= offset][:limit]
            self.delivered.update((u["update_id"], u) for u in ready)
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self.polling_released:
                return ready
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                return []

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        message = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(),
            text=self._checked_text(params),
            source=params["text"],
            reply_markup=_checked_markup(params.get("reply_markup")),
        )
        self.messages[chat_id][message.message_id] = message
        await self._record(chat_id, Event("message", message))
        return self.message_json(message)

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        upload = params["document"]
        if isinstance(upload, str):
            raise TelegramError(400, "Bad Request: the fake only takes uploaded documents")
        caption = render(str(params.get("caption", "")), params.get("parse_mode"))
        message = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(),
            text=caption,
            source=str(params.get("caption", "")),
            document=(upload.filename, upload.file.read()),
        )
        self.messages[chat_id][message.message_id] = message
        await self._record(chat_id, Event("message", message))
        return self.message_json(message)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        """Like Telegram: an uploaded PNG or JPEG within its limits, a caption of at most
        1024 characters (UTF-16, after its entities are read)."""
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        upload = params["photo"]
        if isinstance(upload, str):
            raise TelegramError(400, "Bad Request: the fake only takes uploaded photos")
        data = upload.file.read()
        _check_photo(data)
        source = str(params.get("caption", ""))
        caption = render(source, params.get("parse_mode"))
        if utf16_length(caption) > MAX_CAPTION:
            raise TelegramError(400, "Bad Request: message caption is too long")
        message = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(),
            text=caption,
            source=source,
            reply_markup=_checked_markup(params.get("reply_markup")),
            photo=data,
        )
        self.messages[chat_id][message.message_id] = message
        await self._record(chat_id, Event("message", message))
        return self.message_json(message)

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        text = self._checked_text(params)
        markup = _checked_markup(params.get("reply_markup"))
        if text == message.text and markup == message.reply_markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        message.text, message.source, message.reply_markup = text, params["text"], markup
        await self._record(message.chat_id, Event("edit", _copy(message)))
        return self.message_json(message)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        markup = _checked_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        await self._record(message.chat_id, Event("markup", _copy(message)))
        return self.message_json(message)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params["callback_query_id"])
        answers = self.callback_answers.get(query_id)
        if answers is None:
            raise TelegramError(400, QUERY_INVALID)
        self.callback_answers[query_id] = answers + 1
        if answers:
            raise TelegramError(400, QUERY_INVALID)
        chat_id = int(query_id.split("-")[0])
        await self._record(chat_id, Event("toast", toast=str(params.get("text") or "")))
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        for result in params.get("results", []):
            content = result.get("input_message_content", {})
            render(content.get("message_text", ""), content.get("parse_mode"))
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    # --- helpers ---------------------------------------------------------------------------

    def _checked_text(self, params: dict[str, Any]) -> str:
        source = str(params.get("text", ""))
        text = render(source, params.get("parse_mode"))
        if not text.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_TEXT:
            raise TelegramError(400, "Bad Request: message is too long")
        return text

    def _find(self, params: dict[str, Any]) -> SentMessage:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        try:
            return self.messages[chat_id][message_id]
        except KeyError:
            raise TelegramError(400, "Bad Request: message to edit not found") from None

    async def _record(self, chat_id: int, event: Event) -> None:
        async with self._changed:
            self.events[chat_id].append(event)
            self._changed.notify_all()

    async def wait_for_event(self, chat_id: int, index: int, timeout: float) -> bool:
        """Waits until the chat has more than `index` events."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self.events[chat_id]) > index), timeout
                )
            except TimeoutError:
                return False
        return True

    def message_json(self, message: SentMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private", "first_name": "User"},
            "from": BOT_USER,
        }
        if message.document:
            name = message.document[0]
            body["document"] = {
                "file_id": f"doc{message.message_id}",
                "file_unique_id": name,
                "file_name": name,
            }
        elif message.photo is not None:
            width, height = _photo_size(message.photo)
            body["photo"] = [
                {
                    "file_id": f"photo{message.message_id}",
                    "file_unique_id": f"p{message.message_id}",
                    "width": width,
                    "height": height,
                }
            ]
            if message.text:
                body["caption"] = message.text
        else:
            body["text"] = message.text
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body


def _photo_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (JPEG: taken as fine, 1x1 is never sent)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 1, 1


def _check_photo(data: bytes) -> None:
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise TelegramError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    if len(data) > MAX_PHOTO_BYTES:
        raise TelegramError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
    width, height = _photo_size(data)
    if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(
        width, height
    ):
        raise TelegramError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")


async def serve_on_a_free_port(app: web.Application) -> tuple[web.AppRunner, int]:
    """`app` listening on 127.0.0.1 at a port the system chose; its runner, and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _chat_of(update: dict[str, Any]) -> int:
    """The chat (else the user) an update belongs to, for delivering one chat's in order."""
    for body in update.values():
        if isinstance(body, dict):
            message = body.get("message") if "data" in body else body
            if isinstance(message, dict) and "chat" in message:
                return int(message["chat"]["id"])
            if "from" in body:
                return int(body["from"]["id"])
    return 0


def _copy(message: SentMessage) -> SentMessage:
    return SentMessage(
        message.chat_id, message.message_id, message.text, message.source, message.reply_markup
    )


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Like Telegram: a JSON body, or a form (urlencoded or multipart) of JSON-encoded fields."""
    if not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        body = await request.json()
        assert isinstance(body, dict), "a JSON body must be an object"
        return body
    return _parse(await request.post())


def _parse(form: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in dict(form).items():
        if key in TEXT_PARAMS or not isinstance(value, str):
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    """The inline keyboard a message carries (Telegram returns no other kind with it)."""
    if not markup or "inline_keyboard" not in markup:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise TelegramError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
            copy = button.get("copy_text")
            if (
                copy is not None
                and not 1 <= utf16_length(str(copy.get("text", ""))) <= MAX_COPY_TEXT
            ):
                raise TelegramError(400, "Bad Request: COPY_TEXT_INVALID")
    return dict(markup)
