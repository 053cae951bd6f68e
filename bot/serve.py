"""Running the bot with the inbox (bot/inbox.py): updates come by long polling or by webhook,
are kept in the database, and are handled from there.

- Long polling: a batch is kept before the next poll confirms it to Telegram, so an update
  fetched by a process that is then killed is handled after the restart.
- Webhook: Telegram hears 200 only once the update is kept; a wrong or missing secret header is
  401 and nothing is kept. GET /healthz answers 200 while the database answers and the workers
  run (503 otherwise), for the load balancer. A small aiohttp app (aiohttp is the bot's HTTP
  client already) rather than PTB's webhook server: PTB's puts the update in a queue in memory
  and answers 200 before anything is kept, and needs tornado besides.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import build_application
from bot.cli import STOP_SIGNALS
from bot.content import Content
from bot.features.compose.handlers import replica_sync
from bot.handlers.context import AnyApplication
from bot.inbox import Inbox, replica_id
from bot.sending import PeopleFirstRateLimiter
from bot.settings import Settings
from bot.storage import StorageError, is_unavailable
from bot.storage.models import utc_now
from bot.telegram_bot import Backoff, SoftStartBot

log = logging.getLogger("bot.serve")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Updates still being handled at a stop get this long to finish (then go back to the inbox).
STOP_GRACE_SECONDS = 10.0
T = TypeVar("T")


class ServeProblem(RuntimeError):
    """The bot cannot serve as set up; the message is one line for the operator."""


@contextlib.contextmanager
def only_process_on_sqlite(database_url: str) -> Iterator[None]:
    """SQLite serves one process: a second bot on the same file is refused with one line
    (several replicas need PostgreSQL). Not on Windows (no flock)."""
    url = make_url(database_url)
    if (
        url.get_backend_name() != "sqlite"
        or url.database in (None, "", ":memory:")
        or os.name == "nt"
    ):
        yield
        return
    import fcntl

    path = Path(f"{url.database}.running")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StorageError(
                f"another bot is running on {Path(url.database).resolve()}: SQLite serves one "
                "process; several replicas need PostgreSQL (DATABASE_URL=postgresql://...)"
            ) from None
        yield
    finally:
        os.close(descriptor)


async def keep_trying(call: Callable[[], Awaitable[T]], what: str) -> T:
    """A start-up call to Telegram, repeated with a growing pause while Telegram is out of
    reach (one line each); a refused token is not retried."""
    backoff = Backoff()
    while True:
        try:
            result = await call()
        except InvalidToken:
            raise
        except NetworkError as error:
            # SoftStartBot pauses (and says so) for getMe itself; the others pause here.
            if what != "getMe":
                pause = backoff.next_pause()
                log.warning("%s failed (%s); trying again in %.0f s", what, error.message, pause)
                await asyncio.sleep(pause)
            continue
        if backoff.reset():
            log.info("%s works again", what)
        return result


class Serving:
    """The bot, its inbox and its intake: `start`, then `stop` (or `run` until a signal)."""

    def __init__(
        self,
        settings: Settings,
        content: Content | None = None,
        clock: Callable[[], datetime] = utc_now,
        application: AnyApplication | None = None,
    ) -> None:
        self.settings = settings
        self.application = application or build_application(settings, content, clock=clock)
        storage = self.application.bot_data["services"].storage
        # One process on SQLite: its memory is the truth, and what a killed run left in hand
        # is its own. On PostgreSQL another replica may have moved a person's conversation on.
        self._sqlite = storage.engine.dialect.name == "sqlite"
        limiter = self.application.bot.rate_limiter
        self.inbox = Inbox(
            self.application,
            storage.inbox,
            lease=timedelta(seconds=settings.inbox_lease_seconds),
            workers=settings.max_concurrent_updates,
            replica=replica_id(
                make_url(settings.database_url).render_as_string(hide_password=True),
                settings.webhook_port if settings.webhook_url else "polling",
            ),
            # Leases are wall-clock time, whatever clock the product's reminders use.
            clock=utc_now,
            on_budget_share=limiter.share if isinstance(limiter, PeopleFirstRateLimiter) else None,
            before_each=None if self._sqlite else replica_sync(self.application),
        )
        self.application.bot_data["inbox"] = self.inbox
        self.application.bot_data["serving"] = self
        self.failed = asyncio.Event()
        self._initialized = False
        self._inbox_started = False
        self._polling: asyncio.Task[None] | None = None
        self._webhook: web.AppRunner | None = None

    @property
    def bot(self) -> SoftStartBot:
        bot = self.application.bot
        assert isinstance(bot, SoftStartBot)
        return bot

    async def start(self) -> None:
        await keep_trying(self.bot.initialize, "getMe")
        await self.application.initialize()
        self._initialized = True
        if self.application.post_init:
            await self.application.post_init(self.application)
        await self.application.start()
        await self.inbox.start(first_of_its_kind=self._sqlite)
        self._inbox_started = True
        if self.settings.webhook_url:
            await self._start_webhook()
        else:
            await self._warn_if_webhook_set()
            await keep_trying(self.bot.delete_webhook, "deleteWebhook")
            self._polling = asyncio.create_task(self._poll(), name="long polling")
        log.info(
            "updates by %s, kept in the inbox; replica %s",
            "webhook" if self.settings.webhook_url else "long polling",
            self.inbox.replica,
        )

    async def stop(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        if self._webhook is not None:
            await self._webhook.cleanup()
        if self._inbox_started:
            await self.inbox.stop(STOP_GRACE_SECONDS)
        if self._initialized:
            if self.application.running:
                await self.application.stop()
            if self.application.post_shutdown:
                await self.application.post_shutdown(self.application)
            await self.application.shutdown()
        elif self.application.post_shutdown:
            # Stopped before it started: the bot's connections and the database still close.
            await self.application.post_shutdown(self.application)

    # --- long polling ----------------------------------------------------------------------

    async def _poll(self) -> None:
        try:
            await self._poll_forever()
        except asyncio.CancelledError:
            raise
        except Exception:
            # Not a bot that looks alive but hears nothing: it stops, and its supervisor
            # starts it again (the updates are still with Telegram, unconfirmed).
            log.exception("long polling stopped")
            self.failed.set()

    async def _poll_forever(self) -> None:
        offset: int | None = None
        settings = self.settings
        while True:
            try:
                batch = await self.bot.raw_updates(
                    offset=offset,
                    timeout=settings.poll_timeout_seconds,
                    allowed_updates=Update.ALL_TYPES,
                )
            except InvalidToken:
                log.error("Telegram refused the token while polling (revoked?); stopping")
                self.failed.set()
                return
            except TelegramError:
                continue  # said and paused for by SoftStartBot
            if batch:
                await self._keep(batch)
                # The next poll confirms this batch to Telegram: it is kept now.
                offset = max(int(raw["update_id"]) for raw in batch) + 1
            await asyncio.sleep(settings.poll_interval_seconds)

    async def _keep(self, batch: list[dict[str, Any]]) -> None:
        pause = 0.5
        while True:
            try:
                await self.inbox.receive(batch)
                return
            except Exception as error:
                if not is_unavailable(error):
                    raise
                log.warning("the database is out of reach; %d update(s) wait", len(batch))
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)

    async def _webhook_at_telegram(self) -> str | None:
        """The webhook URL Telegram has for this bot ("" for none); None if it cannot say."""
        try:
            info = await self.bot.get_webhook_info()
        except Exception as error:
            log.debug("getWebhookInfo failed (%s)", error.__class__.__name__)
            return None
        return info.url or ""

    async def _warn_if_webhook_set(self) -> None:
        """Polling removes the webhook: replicas in webhook mode would stop hearing anything."""
        url = await self._webhook_at_telegram()
        if url:
            log.warning(
                "a webhook was set for this bot (%s): long polling removes it, and replicas in "
                "webhook mode get no updates while this bot polls (and until they restart or "
                "set it again within a minute). Set WEBHOOK_URL here too if that is not meant",
                url,
            )

    async def _keep_webhook(self, _: object) -> None:
        """Every minute: the webhook Telegram has is ours (a bot polling with this token, by
        mistake, removes it); if not, it is set again."""
        url = await self._webhook_at_telegram()
        if url is None or url == self.settings.webhook_url:
            return
        log.warning("the webhook at Telegram was %r, not WEBHOOK_URL; setting it again", url)
        await self._set_webhook()

    # --- webhook ---------------------------------------------------------------------------

    async def _start_webhook(self) -> None:
        settings = self.settings
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        app = web.Application()
        app.router.add_post(settings.webhook_path, self._delivered)
        app.router.add_get("/healthz", self._health)
        self._webhook = web.AppRunner(app, access_log=None)
        await self._webhook.setup()
        site = web.TCPSite(self._webhook, settings.webhook_listen, settings.webhook_port)
        try:
            await site.start()
        except OSError as error:
            raise ServeProblem(
                f"cannot listen on {settings.webhook_listen}:{settings.webhook_port} "
                f"({error.strerror or error}): is another replica or program using "
                "WEBHOOK_PORT? Each replica on one host needs its own"
            ) from None
        await self._set_webhook()
        if self.application.job_queue is not None:
            self.application.job_queue.run_repeating(self._keep_webhook, interval=60, first=60)
        log.info(
            "webhook: listening on %s:%d%s",
            settings.webhook_listen,
            settings.webhook_port,
            settings.webhook_path,
        )

    async def _set_webhook(self) -> None:
        settings = self.settings
        await keep_trying(
            lambda: self.bot.set_webhook(
                settings.webhook_url or "",
                secret_token=self._secret(),
                allowed_updates=Update.ALL_TYPES,
                max_connections=settings.webhook_max_connections,
            ),
            "setWebhook",
        )

    def _secret(self) -> str | None:
        secret = self.settings.webhook_secret
        return secret.get_secret_value() if secret else None

    async def _delivered(self, request: web.Request) -> web.Response:
        secret = self.settings.webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given, secret.get_secret_value()):
            log.warning("webhook: a request without the right secret; refused")
            return web.Response(status=401)
        try:
            raw = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return web.Response(status=400)
        try:
            await self.inbox.receive([raw])
        except Exception as error:
            if not is_unavailable(error):
                log.exception("webhook: update=%s could not be kept", raw.get("update_id"))
                return web.Response(status=500)
            # Telegram tries again later: nothing is lost.
            log.warning(
                "webhook: update=%s not kept, the database is out of reach", raw["update_id"]
            )
            return web.Response(status=503)
        return web.Response(status=200)

    async def _health(self, request: web.Request) -> web.Response:
        try:
            database = await asyncio.wait_for(self.inbox.repository.reachable(), 5)
        except Exception:
            database = False
        workers = self.inbox.alive
        healthy = database and workers
        return web.json_response(
            {"database": database, "workers": workers, "replica": self.inbox.replica},
            status=200 if healthy else 503,
        )


async def serve(settings: Settings, content: Content) -> None:
    """`soft-start run` with the inbox: until a stop signal (SIGTERM, SIGINT, SIGHUP)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS or ():
        loop.add_signal_handler(sig, stop.set)
    serving = Serving(settings, content)
    starting = asyncio.create_task(serving.start(), name="start-up")
    stopped = asyncio.create_task(stop.wait())
    failed = asyncio.create_task(serving.failed.wait())
    try:
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # a refused token, a database gone: raised here
            await asyncio.wait({stopped, failed}, return_when=asyncio.FIRST_COMPLETED)
        else:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
    finally:
        stopped.cancel()
        failed.cancel()
        await serving.stop()
        for sig in STOP_SIGNALS or ():
            loop.remove_signal_handler(sig)
    if serving.failed.is_set():
        raise SystemExit(1)
