"""Conversation throughput: our bot against bare PTB echo bots, in the same run.

    python -m bench.conversation                 # the full table (takes a while)
    python -m bench.conversation --smoke         # a few seconds, to check it still runs

Each cell: N simulated people in closed loops against the fake Bot API (this process), the bot
in its own process; steps/s and step latency percentiles, the median of the repetitions
(interleaved, so drift on a noisy machine hits every bot alike), and ratios ours/echo.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.fake_api import TOKEN, FakeBotApi, LoadResult, Script
from bot.storage.sealing import new_master_key_text
from tests.postgres import PostgresServer, find_binaries

REPO = Path(__file__).resolve().parent.parent
BOTS = ("ours-sqlite", "ours-postgresql", "echo-sequential", "echo-concurrent")
# Also runnable (--bots to choose): ours-sqlite-uvloop, ours on uvloop's event loop; and
# ours-sqlite-unsealed, ours-postgresql-unsealed, ours without sealing what people write (the
# report's /unsealed column is the cost of sealing).
_KEYS = tempfile.TemporaryDirectory(prefix="softstart-bench-keys-")
_runs = itertools.count(1)
_STEP = r"Step {} of 4"
# Four answers, the review, then /back four times to the first question again; each reply must
# be the next question (or the review), so an apology or a repeated question is not a step.
OUR_SCRIPT = Script(
    opening="/compose",
    lines=[
        "anxious", "the call ran late last night", "taking a few slow breaths",
        "a hug, if you're able", "/back", "/back", "/back", "/back",
    ],
    answers=[
        _STEP.format(1), _STEP.format(2), _STEP.format(3), _STEP.format(4),
        r"I feel anxious because the call ran late last night",
        _STEP.format(4), _STEP.format(3), _STEP.format(2), _STEP.format(1),
    ],
)  # fmt: skip
ECHO_SCRIPT = Script(opening="hello", lines=["hello again"], answers=["^hello$", "^hello again$"])


def key_settings(database_url: str) -> dict[str, str]:
    """A PostgreSQL run's keys in a folder of their own (the default would be the working
    directory, shared by every run); SQLite's sit beside its file already."""
    if not database_url.startswith("postgresql"):
        return {}
    folder = Path(_KEYS.name) / f"run-{next(_runs)}"
    return {
        "DATA_KEY": new_master_key_text(),
        "KEY_STORE_URL": f"sqlite+aiosqlite:///{folder / 'softstart-keys.sqlite3'}",
    }


@dataclass(frozen=True)
class Cell:
    bot: str
    users: int
    delay_ms: int


async def start_bot(
    bot: str, api: FakeBotApi, database_url: str | None, settings: dict[str, str]
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env["PYTHONPATH"] = str(REPO)
    # This tree's texts, also when the bench runs from a git worktree.
    env["CONTENT_DIR"] = str(REPO / "content")
    if bot.startswith("ours"):
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            DATABASE_URL=database_url or "",
            POLL_TIMEOUT_SECONDS="5",
            # Measure the bot's own capacity, not Telegram's 30 messages/s cap.
            RATE_LIMIT_PER_SECOND="1000000",
            SOFT_START_ENV_FILE=os.devnull,
        )
        env.update(key_settings(database_url or ""))
        env.update(settings)
        command = [sys.executable, "-m", "bot"]
        if bot.endswith(("-uvloop", "-one-queue", "-unsealed")):
            # ours-sqlite-uvloop -> ours-uvloop, ours-postgresql-unsealed -> ours-unsealed.
            variant = "ours-" + next(
                kind for kind in ("uvloop", "one-queue", "unsealed") if bot.endswith(kind)
            )
            command = [sys.executable, "-m", "bench.bots", variant]
    else:
        command = [sys.executable, "-m", "bench.bots", bot, api.base_url, TOKEN]
    return await asyncio.create_subprocess_exec(
        *command, cwd=tempfile.gettempdir(), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def run_cell(
    cell: Cell,
    seconds: float,
    warm_up: float,
    database_url: str | None,
    settings: dict[str, str] | None = None,
) -> LoadResult:
    ours = cell.bot.startswith("ours")
    api = FakeBotApi(cell.users, OUR_SCRIPT if ours else ECHO_SCRIPT, cell.delay_ms / 1000)
    await api.start()
    process = await start_bot(cell.bot, api, database_url, settings or {})
    try:
        return await api.measure(warm_up, seconds)
    finally:
        await stop_bot(process)
        await api.stop()


async def stop_bot(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, as a supervisor stops it (a bot that died on its own shows as 0 steps)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 15)
    except TimeoutError:
        process.kill()


async def _database_url(
    bot: str, folder: Path, run: int, postgres: PostgresServer | None
) -> str | None:
    if bot.startswith("ours-sqlite"):
        return f"sqlite+aiosqlite:///{folder / f'bench-{run}.sqlite3'}"
    if bot.startswith("ours-postgresql") and postgres is not None:
        return await postgres.create_database()
    return None


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default="10,100,500")
    parser.add_argument("--delays", default="0,50", help="fake Bot API reply delay, ms")
    parser.add_argument(
        "--bots", default="ours-sqlite,ours-postgresql,echo-sequential,echo-concurrent"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warm-up", type=float, default=4)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: 10 users, 0 ms")
    parser.add_argument(
        "--setting", action="append", default=[], metavar="NAME=VALUE",
        help="a setting for our bot, e.g. POLL_INTERVAL_SECONDS=0 (repeatable)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.smoke:
        args.users, args.delays, args.repeats, args.seconds, args.warm_up = "10", "0", 1, 1.5, 2
        args.bots = "ours-sqlite,echo-sequential"
    bots = args.bots.split(",")
    settings = dict(item.split("=", 1) for item in args.setting)
    on_postgres = [bot for bot in bots if bot.startswith("ours-postgresql")]
    postgres = durable_postgres() if on_postgres else None
    if on_postgres and postgres is None:
        print(f"PostgreSQL binaries not found: skipping {', '.join(on_postgres)}")
        bots = [bot for bot in bots if bot not in on_postgres]
    cells = [
        Cell(bot, int(users), int(delay))
        for users in args.users.split(",")
        for delay in args.delays.split(",")
        for bot in bots
    ]
    results: dict[Cell, list[LoadResult]] = {cell: [] for cell in cells}
    with tempfile.TemporaryDirectory() as folder:
        try:
            for repeat in range(args.repeats):
                for number, cell in enumerate(cells):
                    url = await _database_url(
                        cell.bot, Path(folder), repeat * 1000 + number, postgres
                    )
                    result = await run_cell(cell, args.seconds, args.warm_up, url, settings)
                    results[cell].append(result)
                    print(f"  run {repeat + 1}: {cell.bot:<16} users={cell.users:<4} "
                          f"delay={cell.delay_ms}ms {result.steps_per_second:8.1f} steps/s "
                          f"({result.steps_per_poll:.1f} per poll)",
                          flush=True)  # fmt: skip
                    for sample in result.unexpected_samples:
                        print(f"    unexpected reply: {sample}", flush=True)
        finally:
            if postgres is not None:
                postgres.stop()
    print(report(results))
    failed = [cell.bot for cell, runs in results.items()
              if any(r.steps == 0 or r.unexpected for r in runs)]  # fmt: skip
    if failed:
        # A figure from a bot that stalled or answered wrongly is not a figure.
        sys.exit(f"no steps, or unexpected replies, from: {', '.join(sorted(set(failed)))}")


def durable_postgres() -> PostgresServer | None:
    binaries = find_binaries()
    if binaries is None:
        return None
    server = PostgresServer(binaries, durable=True)  # fsync on, as in production
    server.start()
    return server


def report(results: dict[Cell, list[LoadResult]]) -> str:
    """Medians per cell, and ours/echo ratios for the same users and delay."""

    def median(cell: Cell) -> float:
        return statistics.median(r.steps_per_second for r in results[cell])

    lines = [
        f"{'bot':<25}{'users':>6}{'delay':>7}{'steps/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'/echo-seq':>11}{'/echo-conc':>11}{'/unsealed':>11}{'unexpected':>11}"
    ]
    for cell, runs in results.items():
        best = sorted(runs, key=lambda r: r.steps_per_second)[len(runs) // 2]
        ratios = []
        unsealed = cell.bot + "-unsealed" if cell.bot.startswith("ours") else ""
        for baseline in ("echo-sequential", "echo-concurrent", unsealed):
            other = Cell(baseline, cell.users, cell.delay_ms)
            ratios.append(
                f"{median(cell) / median(other):>11.2f}"
                if other in results and median(other)
                else f"{'-':>11}"
            )
        lines.append(
            f"{cell.bot:<25}{cell.users:>6}{cell.delay_ms:>5}ms{median(cell):>10.1f}"
            f"{best.percentile(0.5) * 1000:>9.1f}{best.percentile(0.95) * 1000:>9.1f}"
            f"{best.percentile(0.99) * 1000:>9.1f}{''.join(ratios)}"
            f"{sum(r.unexpected for r in runs):>11}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
