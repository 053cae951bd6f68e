"""People first: people composing while thousands of daily check-ins go out at once.

    python -m bench.people_first            # 5 people, 5,000 check-ins at 30/s (about 12 min)
    python -m bench.people_first --smoke    # a few seconds, to check it still runs

The bot runs as `python -m bot` in its own process; the fake Bot API (and the people) in this
one. For each limiter (ours, people first; and PTB's AIORateLimiter, one queue for every send):

- composing: N people answer the composer with a think time between steps; after a quiet
  stretch, M check-ins fall due at once. Step latency is split into quiet (before the first
  check-in went out) and during (while they go out);
- alone: the same M check-ins with nobody composing.

It prints step latency p50/p95 quiet and during (and the ratio of the p95s), the fan-out's
sends/s against the configured rate, and check-ins lost or doubled (both must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.conversation import OUR_SCRIPT, durable_postgres, key_settings, start_bot, stop_bot
from bench.fake_api import FakeBotApi
from bench.fanout import seed
from bot.cli import prepare_database
from bot.storage.keys import key_places
from tests.postgres import PostgresServer

# Each limiter's bot, as bench.conversation starts it.
LIMITERS = {"people-first": "ours-sqlite", "one-queue": "ours-one-queue"}
FAN_OUT_CHATS = 2_000_000  # bench.fanout.seed numbers its people from here


@dataclass(frozen=True)
class Run:
    limiter: str
    people: int
    due: int
    rate: float
    quiet: list[float]
    during: list[float]
    sends_per_second: float
    lost: int
    doubled: int
    unexpected: int

    @property
    def ratio(self) -> float:
        return _p(self.during, 0.95) / _p(self.quiet, 0.95) if self.quiet and self.during else 0


def _p(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(
    limiter: str,
    people: int,
    due: int,
    rate: float,
    think: float,
    quiet: float,
    url: str,
    start_up: float = 5,
) -> Run:
    keys = key_settings(url)
    await prepare_database(
        url,
        keys=key_places(
            url,
            data_key=keys.get("DATA_KEY"),
            key_store_url=keys.get("KEY_STORE_URL"),
        ),
    )
    # Due once the bot is up (it starts in about 2 s) and the people had `quiet` seconds.
    due_at = datetime.now(UTC) + timedelta(seconds=start_up + quiet)
    await seed(url, due, due_at)
    api = FakeBotApi(people, OUR_SCRIPT, delay=0.0, think=think)
    await api.start()
    settings = {"RATE_LIMIT_PER_SECOND": str(rate), "LOG_LEVEL": "WARNING", **keys}
    bot = await start_bot(LIMITERS[limiter], api, url, settings)
    try:
        for _ in range(300):
            if api.polls:
                break
            await asyncio.sleep(0.05)
        api.begin()
        api.counting = True
        longest = start_up + quiet + 3 * due / rate + 30
        for _ in range(int(longest / 0.2)):
            if len(api.others_at) >= due:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # anything doubled arrives now
    finally:
        await stop_bot(bot)
        await api.stop()
    first, last = (api.others_at[0], api.others_at[-1]) if api.others_at else (0.0, 0.0)
    chats = [chat for chat in api.sent_to if chat >= FAN_OUT_CHATS]
    return Run(
        limiter=limiter,
        people=people,
        due=due,
        rate=rate,
        quiet=[latency for at, latency in api.answered_at if at < first],
        during=[latency for at, latency in api.answered_at if first <= at <= last],
        sends_per_second=(len(api.others_at) - 1) / (last - first) if last > first else 0.0,
        lost=due - len(chats),
        doubled=sum(1 for chat in chats if api.sent_to[chat] > 1),
        unexpected=sum(api.unexpected.values()),
    )


def report(composing: dict[str, Run], alone: dict[str, Run]) -> str:
    ms = 1000
    lines = [
        f"{'limiter':<14}{'quiet p50':>10}{'p95':>8}{'during p50':>12}{'p95':>8}"
        f"{'p95 during/quiet':>18}{'fan-out/s':>11}{'/rate':>7}{'alone/s':>9}{'/rate':>7}"
        f"{'lost':>6}{'doubled':>8}"
    ]
    for name, busy in composing.items():
        solo = alone.get(name)
        alone_columns = (
            f"{solo.sends_per_second:>9.1f}{solo.sends_per_second / solo.rate:>7.2f}"
            if solo
            else f"{'-':>9}{'-':>7}"
        )
        lost = busy.lost + (solo.lost if solo else 0)
        doubled = busy.doubled + (solo.doubled if solo else 0)
        lines.append(
            f"{name:<14}{_p(busy.quiet, 0.5) * ms:>8.0f}ms{_p(busy.quiet, 0.95) * ms:>6.0f}ms"
            f"{_p(busy.during, 0.5) * ms:>10.0f}ms{_p(busy.during, 0.95) * ms:>6.0f}ms"
            f"{busy.ratio:>18.2f}{busy.sends_per_second:>11.1f}"
            f"{busy.sends_per_second / busy.rate:>7.2f}{alone_columns}{lost:>6}{doubled:>8}"
        )
    return "\n".join(lines)


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--due", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between steps")
    parser.add_argument("--quiet", type=float, default=15, help="seconds before they fall due")
    parser.add_argument("--limiters", default="people-first,one-queue")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--smoke", action="store_true", help="seconds: 3 people, 60 due")
    args = parser.parse_args(argv)
    start_up = 5.0
    if args.smoke:
        args.people, args.due, args.rate, args.think, args.quiet = 3, 60, 60, 0.2, 2
        args.limiters, start_up = "people-first", 2.5
    postgres = durable_postgres() if args.database == "postgresql" else None
    composing: dict[str, Run] = {}
    alone: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as folder:
        try:
            for number, name in enumerate(args.limiters.split(",")):
                # The smoke run skips the fan-out alone: it only checks the bench still works.
                runs = (
                    ((args.people, composing),)
                    if args.smoke
                    else ((args.people, composing), (0, alone))
                )
                for people, results in runs:
                    url = await _url(Path(folder), f"{number}-{people}", postgres)
                    result = await run(
                        name, people, args.due, args.rate, args.think, args.quiet, url, start_up
                    )
                    results[name] = result
                    steps = len(result.quiet) + len(result.during)
                    print(f"  {name:<13} people={people} steps={steps}"
                          f" fan-out {result.sends_per_second:.1f}/s", flush=True)  # fmt: skip
        finally:
            if postgres is not None:
                postgres.stop()
    print(f"{args.people} people composing ({args.think:g} s between steps), {args.due} check-ins "
          f"due at once, RATE_LIMIT_PER_SECOND={args.rate:g}, {args.database}")  # fmt: skip
    print(report(composing, alone))
    failures = [
        name
        for name, result in {**composing, **alone}.items()
        if result.lost or result.doubled or result.unexpected
    ]
    if any(not result.quiet or not result.during for result in composing.values()):
        failures.append("no steps before or during the fan-out")
    if failures:
        sys.exit(f"lost, doubled or unexpected: {', '.join(sorted(set(failures)))}")


async def _url(folder: Path, name: str, postgres: PostgresServer | None) -> str:
    if postgres is not None:
        return await postgres.create_database()
    return f"sqlite+aiosqlite:///{folder / f'people-first-{name}.sqlite3'}"


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
