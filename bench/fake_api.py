"""A fake Bot API that is also the load: N simulated people, each in a closed loop (send a
message, wait for the bot's answer, send the next), with a configurable reply delay.

Runs in the benchmark's process; the bot under test runs in another.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import aiohttp
from aiohttp import web

# A bot process stopped mid long-poll drops its connection; that is not worth a traceback.
logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)

BOT_ID = 700000001
TOKEN = f"{BOT_ID}:AAHfakeTokenForBenchOnly0123456789abcdef"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


@dataclass(frozen=True)
class Script:
    """What each person says, and what the bot must answer to each line.

    `answers[0]` is the answer to `opening`, `answers[k + 1]` the answer to `lines[k]`; the lines
    repeat. A reply that does not match is not a step: the person waits, and it is counted as
    unexpected, so an apology or a wrong question never passes for throughput.
    """

    opening: str
    lines: Sequence[str]
    answers: Sequence[str]

    def __post_init__(self) -> None:
        assert len(self.answers) == len(self.lines) + 1, "one answer per line, and the opening's"

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], ...]:
        """Compiled once: every reply of every simulated person is matched against one."""
        return tuple(re.compile(answer) for answer in self.answers)

    def answer_to(self, position: int) -> re.Pattern[str]:
        """The answer to the message sent at `position` (0 = the opening, then the lines)."""
        if position == 0:
            return self._patterns[0]
        return self._patterns[1 + (position - 1) % len(self.lines)]


@dataclass
class Person:
    user_id: int
    script: Script
    position: int = 0
    sent_at: float = 0.0
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


@dataclass
class LoadResult:
    steps: int
    seconds: float
    latencies: list[float]
    polls: int = 0
    unexpected: int = 0
    unexpected_samples: tuple[str, ...] = ()

    @property
    def steps_per_poll(self) -> float:
        """How many answers each getUpdates carried on average: small batches cost CPU."""
        return self.steps / self.polls if self.polls else 0.0

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class FakeBotApi:
    """getUpdates hands out the people's messages; sendMessage to a person is their answer."""

    def __init__(
        self, people: int, script: Script | None, delay: float, think: float = 0.0
    ) -> None:
        self.delay = delay
        # How long a person takes before their next message (0: at once, a closed loop).
        self.think = think
        # (when the answer came, how long it took), for splitting a run into phases.
        self.answered_at: list[tuple[float, float]] = []
        # When each message to a chat that is not one of the people went out (a fan-out).
        self.others_at: list[float] = []
        self.people = (
            {1_000_000 + n: Person(1_000_000 + n, script) for n in range(people)} if script else {}
        )
        self.queue: list[dict[str, Any]] = []
        self.update_ids = itertools.count(1)
        self.new_update = asyncio.Event()
        self.counting = False
        self.steps = 0
        self.latencies: list[float] = []
        # Replies that were not the expected next question, by their first words (bot texts).
        self.unexpected: Counter[str] = Counter()
        self.sent_to: dict[int, int] = {}
        self.polls = 0
        self.runner: web.AppRunner | None = None
        self.port = 0
        # Webhook mode: updates are posted round robin to these URLs (with the secret), and
        # posted again on anything but 2xx, as Telegram does; else they wait for getUpdates.
        self.webhook_targets: list[str] = []
        self.webhook_secret = ""
        self._next_target = itertools.count()
        self._session: aiohttp.ClientSession | None = None
        self._posting: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/stats", self.stats)
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for task in list(self._posting):
            task.cancel()
        if self._session is not None:
            await self._session.close()
        if self.runner:
            await self.runner.cleanup()

    async def _post(self, update: dict[str, Any]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
        while True:
            target = self.webhook_targets[next(self._next_target) % len(self.webhook_targets)]
            try:
                async with self._session.post(target, json=update, headers=headers) as response:
                    if 200 <= response.status < 300:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)

    def begin(self) -> None:
        """Every person sends their opening message."""
        for person in self.people.values():
            self._say(person, person.script.opening)

    def _say(self, person: Person, text: str) -> None:
        message: dict[str, Any] = {
            "message_id": next(person.message_ids),
            "date": int(time.time()),
            "chat": {"id": person.user_id, "type": "private", "first_name": "P"},
            "from": {"id": person.user_id, "is_bot": False, "first_name": "P"},
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        person.sent_at = time.perf_counter()
        update = {"update_id": next(self.update_ids), "message": message}
        if self.webhook_targets:
            task = asyncio.get_running_loop().create_task(self._post(update))
            self._posting.add(task)
            task.add_done_callback(self._posting.discard)
            return
        self.queue.append(update)
        self.new_update.set()

    def _answered(self, chat_id: int, text: str) -> None:
        person = self.people.get(chat_id)
        if person is None:
            return
        if not person.script.answer_to(person.position).search(text):
            if self.counting:
                self.unexpected[" ".join(text.split())[:60]] += 1
            return
        now = time.perf_counter()
        self.answered_at.append((now, now - person.sent_at))
        if self.counting:
            self.steps += 1
            self.latencies.append(now - person.sent_at)
        line = person.script.lines[person.position % len(person.script.lines)]
        person.position += 1
        if self.think:
            asyncio.get_running_loop().call_later(self.think, self._say, person, line)
        else:
            self._say(person, line)

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await _read_params(request)
        if method == "getUpdates":
            self.polls += 1
            return self._ok(await self._get_updates(form))
        if self.delay:
            await asyncio.sleep(self.delay)
        if method == "getMe":
            return self._ok(BOT_USER)
        if method == "getWebhookInfo":
            return self._ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
        if method == "sendMessage":
            chat_id = int(str(form["chat_id"]))
            self.sent_to[chat_id] = self.sent_to.get(chat_id, 0) + 1
            result = {
                "message_id": next(self.update_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": str(form.get("text", "")),
            }
            if chat_id not in self.people:
                self.others_at.append(time.perf_counter())
            self._answered(chat_id, str(form.get("text", "")))
            return self._ok(result)
        return self._ok(True)

    async def stats(self, request: web.Request) -> web.Response:
        """Deliveries per chat, summarised: for a benchmark in another process."""
        counts = list(self.sent_to.values())
        body = {"chats": len(counts), "messages": sum(counts), "polls": self.polls,
                "doubled": sum(1 for count in counts if count > 1)}  # fmt: skip
        return web.json_response(body)

    async def _get_updates(self, form: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(str(form.get("offset") or 0))
        if offset:
            self.queue = [u for u in self.queue if u["update_id"] >= offset]
        timeout = float(str(form.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        while not self.queue and time.monotonic() < deadline:
            self.new_update.clear()
            try:
                await asyncio.wait_for(self.new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self.queue[:100]

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.Response(text=json.dumps({"ok": True, "result": result}),
                            content_type="application/json")  # fmt: skip

    async def measure(self, warm_up: float, duration: float) -> LoadResult:
        """Runs the people, ignores the warm-up, then counts for `duration` seconds."""
        self.begin()
        await asyncio.sleep(warm_up)
        self.counting, self.steps, self.latencies = True, 0, []
        self.unexpected.clear()
        polls = self.polls
        started = time.perf_counter()
        await asyncio.sleep(duration)
        self.counting = False
        seconds = time.perf_counter() - started
        samples = tuple(text for text, _ in self.unexpected.most_common(3))
        unexpected = sum(self.unexpected.values())
        return LoadResult(
            self.steps, seconds, list(self.latencies), self.polls - polls, unexpected, samples
        )


async def _read_params(request: web.Request) -> dict[str, Any]:
    """A JSON body (what the bot sends) or a form (what PTB's default httpx client sends)."""
    if not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body)
    return dict(await request.post())


async def serve() -> None:
    """python -m bench.fake_api: a passive fake Bot API in its own process; prints its port."""
    api = FakeBotApi(0, None, 0.0)
    await api.start()
    print(api.port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve())
