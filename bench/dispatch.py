"""What the reminder benchmarks share: a passive fake Bot API in its own process, and one timed
dispatcher tick of the real bot against it."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from urllib.request import urlopen

from pydantic import SecretStr

from bench.fake_api import TOKEN
from bot.app import build_application
from bot.reminders.dispatcher import Dispatcher, Tick
from bot.settings import Settings

REPO = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def fake_api_process() -> AsyncIterator[int]:
    """Starts `python -m bench.fake_api`; yields its port."""
    api = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.fake_api", stdout=asyncio.subprocess.PIPE, cwd=REPO
    )
    assert api.stdout is not None
    try:
        yield int((await api.stdout.readline()).decode())
    finally:
        api.terminate()
        await api.wait()


def _get_stats(port: int) -> dict[str, int]:
    with urlopen(f"http://127.0.0.1:{port}/stats") as response:
        return dict(json.loads(response.read()))


async def api_stats(port: int) -> dict[str, int]:
    """Deliveries and polls the fake API has seen."""
    return await asyncio.to_thread(_get_stats, port)


async def timed_tick(url: str, port: int, now: datetime, rate: float) -> tuple[float, Tick]:
    """One dispatcher tick of the real bot at `now`; seconds taken, and what it did."""
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        database_url=url,
        rate_limit_per_second=rate,
        log_level="WARNING",
        _env_file=None,  # type: ignore[call-arg]
    )
    application = build_application(settings, clock=lambda: now)
    await application.initialize()
    dispatcher = application.bot_data["dispatcher"]
    assert isinstance(dispatcher, Dispatcher)
    started = time.perf_counter()
    tick = await dispatcher.tick()
    elapsed = time.perf_counter() - started
    await application.shutdown()
    return elapsed, tick
