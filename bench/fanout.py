"""Reminder fan-out: many daily check-ins due in the same minute, sent through the real
dispatcher and rate limiter to a fake Bot API in another process.

    python -m bench.fanout                       # 10,000 due, at 30/s and at 1,000/s
    python -m bench.fanout --due 200 --rates 1000   # a quick run

Prints achieved/configured rate, and how many were lost or doubled (both must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.dispatch import api_stats, fake_api_process, timed_tick
from bot.cli import prepare_database
from bot.storage.models import ReminderRow, User

DUE_AT = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)


async def seed(database_url: str, due: int, at: datetime = DUE_AT) -> None:
    """`due` people, each with a daily check-in due at the same moment `at`."""
    from bot.storage import create_engine

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        users = [{"id": 2_000_000 + n, "locale": "en", "time_zone": "Europe/Berlin",
                  "created_at": at} for n in range(due)]  # fmt: skip
        await connection.execute(insert(User), users)
        reminders = [{"user_id": 2_000_000 + n, "kind": "checkin", "local_time": "21:00",
                      "weekdays": "1234567", "next_fire_at": at, "status": "scheduled",
                      "unanswered": 0, "payload": "{}"} for n in range(due)]  # fmt: skip
        await connection.execute(insert(ReminderRow), reminders)
    await engine.dispose()


async def fan_out(due: int, rate: float, folder: Path) -> dict[str, float]:
    async with fake_api_process() as port:
        url = f"sqlite+aiosqlite:///{folder / f'fanout-{rate}.sqlite3'}"
        await prepare_database(url)
        await seed(url, due)
        elapsed, tick = await timed_tick(url, port, DUE_AT + timedelta(seconds=5), rate)
        stats = await api_stats(port)
    achieved = tick.sent / elapsed
    return {
        "due": due, "rate": rate, "seconds": elapsed, "achieved": achieved,
        "ratio": achieved / rate, "lost": due - stats["chats"], "doubled": stats["doubled"],
    }  # fmt: skip


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rates", default="30,1000")
    args = parser.parse_args(argv)
    print(f"{'due':>7}{'configured/s':>14}{'achieved/s':>12}{'ratio':>7}{'seconds':>9}"
          f"{'lost':>6}{'doubled':>9}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for rate in (float(r) for r in args.rates.split(",")):
            result = await fan_out(args.due, rate, Path(folder))
            print(f"{result['due']:>7}{rate:>14.0f}{result['achieved']:>12.1f}"
                  f"{result['ratio']:>7.2f}{result['seconds']:>9.1f}"
                  f"{result['lost']:>6}{result['doubled']:>9}", flush=True)  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
