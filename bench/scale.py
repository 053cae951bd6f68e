"""Scale: a database with many people, each with a daily reminder and a saved message.

    python -m bench.scale                       # 1,000,000 people, 10,000 due
    python -m bench.scale --people 20000 --due 500   # a quick run

Measures, against a fake Bot API in another process: `python -m bot`'s start-up time to its
first poll and its memory (RSS) after start; and the dispatcher's cost for one tick with
`--due` reminders due, on this database and on one with a tenth of the people, to show the
cost follows what is due, not how many people there are.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.dispatch import api_stats, fake_api_process, timed_tick
from bench.fake_api import TOKEN
from bot.cli import prepare_database
from bot.storage import create_engine
from bot.storage.models import MessageRow, ReminderRow, User

# Real time: the bot started for the start-up measurement must not find old reminders due.
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
CHUNK = 20_000
REPO = Path(__file__).resolve().parent.parent


async def seed(url: str, people: int, due: int) -> float:
    """People with a reminder (the first `due` due now, the rest later) and one message each."""
    started = time.perf_counter()
    await prepare_database(url)
    engine = create_engine(url)
    async with engine.begin() as connection:
        for first in range(0, people, CHUNK):
            ids = range(first, min(first + CHUNK, people))
            await connection.execute(insert(User), [
                {"id": 3_000_000 + n, "locale": "en", "time_zone": "Europe/Berlin",
                 "created_at": NOW} for n in ids])  # fmt: skip
            await connection.execute(insert(ReminderRow), [
                {"user_id": 3_000_000 + n, "kind": "checkin", "local_time": "21:00",
                 "weekdays": "1234567", "status": "scheduled", "unanswered": 0, "payload": "{}",
                 "next_fire_at": NOW if n < due else NOW + timedelta(minutes=1 + n % 1400)}
                for n in ids])  # fmt: skip
            await connection.execute(insert(MessageRow), [
                {"user_id": 3_000_000 + n, "feeling": "f", "reason": "r", "regulation": "g",
                 "request": "q", "text": "I feel f because r.", "created_at": NOW}
                for n in ids])  # fmt: skip
    await engine.dispose()
    return time.perf_counter() - started


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start_up(url: str, port: int) -> tuple[float, float]:
    """Seconds from `python -m bot` to its first poll, and its RSS (MB) just after."""

    async def polls() -> int:
        return (await api_stats(port))["polls"]

    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(PYTHONPATH=str(REPO), CONTENT_DIR=str(REPO / "content"),
               TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url,
               TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")  # fmt: skip
    before = await polls()
    started = time.perf_counter()
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tempfile.gettempdir(),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(3000):  # a minute at most
            if await polls() != before:
                break
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(1)
        return elapsed, _rss_mb(bot.pid)
    finally:
        bot.terminate()
        await bot.wait()


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args(argv)
    async with fake_api_process() as port:
        with tempfile.TemporaryDirectory() as folder:
            rows = []
            for people in (args.people // 10, args.people):
                url = f"sqlite+aiosqlite:///{Path(folder) / f'scale-{people}.sqlite3'}"
                seeded = await seed(url, people, args.due)
                # The tick first: it sends what is due, so the bot started next finds nothing.
                seconds, tick = await timed_tick(url, port, NOW + timedelta(seconds=5), 1e6)
                sent = tick.sent
                startup, rss = await start_up(url, port)
                rows.append((people, seeded, startup, rss, seconds, sent))
                print(f"  {people:,} people seeded in {seeded:.0f} s", flush=True)
    print(f"{'people':>10}{'start-up s':>12}{'RSS MB':>9}{'due':>7}{'tick s':>8}{'ms/due':>8}")
    for people, _, startup, rss, seconds, sent in rows:
        print(f"{people:>10,}{startup:>12.2f}{rss:>9.0f}{sent:>7}{seconds:>8.1f}"
              f"{seconds / max(sent, 1) * 1000:>8.2f}")  # fmt: skip
    # The claim, as ratios against the tenth-size database measured in the same run: about 1.0
    # means it does not grow with the number of people (10 would mean it grows in proportion).
    (
        (_, _, small_start, small_rss, small_tick, small_sent),
        (*_, big_start, big_rss, big_tick, big_sent),
    ) = rows
    per_due = (big_tick / max(big_sent, 1)) / (small_tick / max(small_sent, 1))
    print(f"{'x10 people':>10}{big_start / small_start:>12.2f}{big_rss / small_rss:>9.2f}"
          f"{'':>7}{'':>8}{per_due:>8.2f}   (ratios to the smaller database)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
