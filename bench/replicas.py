"""The inbox and replicas, measured on PostgreSQL with fsync on (as in production).

    python -m bench.replicas            # both tables (a few minutes)
    python -m bench.replicas --smoke    # a few seconds, to check it still runs

1. What the inbox costs: our bot with long polling, every update kept in the database before it
   is handled (INBOX=true, the default) against handled straight from memory (INBOX=false, what
   the bot did before), the same people and script, interleaved runs in this process.
2. What a second replica brings: webhook mode, the fake Bot API posting round robin to one or
   two bot processes on the same database (it is the load balancer too).

Each cell: N simulated people in closed loops (bench/fake_api.py), steps/s and step latency
(median of the repetitions), and the ratios. A run that stalls or answers wrongly fails.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import dataclass

import aiohttp

from bench.conversation import OUR_SCRIPT, durable_postgres, key_settings, start_bot, stop_bot
from bench.fake_api import FakeBotApi, LoadResult
from tests.postgres import PostgresServer, free_port

SECRET = "bench-secret"


@dataclass(frozen=True)
class Cell:
    kind: str  # "direct", "inbox", "1 replica", "2 replicas"
    users: int
    delay_ms: int


async def _healthy(port: int, within: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the replica on port {port} never became healthy")


async def run_cell(
    cell: Cell, postgres: PostgresServer, seconds: float, warm_up: float
) -> LoadResult:
    database = await postgres.create_database()
    api = FakeBotApi(cell.users, OUR_SCRIPT, cell.delay_ms / 1000)
    await api.start()
    shared = key_settings(database)
    processes = []
    try:
        if cell.kind in {"direct", "inbox"}:
            settings = {**shared, "INBOX": "true" if cell.kind == "inbox" else "false"}
            processes.append(await start_bot("ours-postgresql", api, database, settings))
            await asyncio.sleep(2)  # started (the people's first messages wait for it anyway)
        else:
            replicas = 2 if cell.kind.startswith("2") else 1
            ports = [free_port() for _ in range(replicas)]
            api.webhook_targets = [f"http://127.0.0.1:{port}/telegram" for port in ports]
            api.webhook_secret = SECRET
            for port in ports:
                settings = {
                    **shared,
                    "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_LISTEN": "127.0.0.1",
                    "WEBHOOK_PORT": str(port),
                    # A replica joining waits a third of this before it takes work.
                    "INBOX_LEASE_SECONDS": "3",
                }
                processes.append(await start_bot("ours-postgresql", api, database, settings))
                await _healthy(port)  # one at a time: the first one migrates the database
            await asyncio.sleep(1.5)
        return await api.measure(warm_up, seconds)
    finally:
        for process in processes:
            await stop_bot(process)
        await api.stop()


def _median(runs: list[LoadResult], what: str) -> float:
    if what == "steps":
        return statistics.median(run.steps_per_second for run in runs)
    share = 0.5 if what == "p50" else 0.95
    return statistics.median(run.percentile(share) * 1000 for run in runs)


def report(results: dict[Cell, list[LoadResult]], pairs: list[tuple[str, str]]) -> str:
    lines = []
    for base, other in pairs:
        lines += [
            "",
            f"| people | API delay | {base} steps/s | {other} steps/s | {other} / {base} "
            f"| {base} p50 / p95 ms | {other} p50 / p95 ms |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for cell in results:
            if cell.kind != base:
                continue
            twin = Cell(other, cell.users, cell.delay_ms)
            first, second = results[cell], results[twin]
            ratio = _median(second, "steps") / max(_median(first, "steps"), 1e-9)
            lines.append(
                f"| {cell.users} | {cell.delay_ms} ms | {_median(first, 'steps'):.1f} "
                f"| {_median(second, 'steps'):.1f} | {ratio:.2f}x "
                f"| {_median(first, 'p50'):.1f} / {_median(first, 'p95'):.1f} "
                f"| {_median(second, 'p50'):.1f} / {_median(second, 'p95'):.1f} |"
            )
    return "\n".join(lines)


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default="10,100")
    parser.add_argument("--delays", default="0,50", help="fake Bot API reply delay, ms")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warm-up", type=float, default=3)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.users, args.delays, args.repeats, args.seconds, args.warm_up = "10", "0", 1, 1.5, 1
    pairs = [("direct", "inbox"), ("1 replica", "2 replicas")]
    cells = [
        Cell(kind, int(users), int(delay))
        for users in args.users.split(",")
        for delay in args.delays.split(",")
        for pair in pairs
        for kind in pair
    ]
    postgres = durable_postgres()
    if postgres is None:
        sys.exit("PostgreSQL binaries not found (initdb, pg_ctl): this benchmark needs them")
    results: dict[Cell, list[LoadResult]] = {cell: [] for cell in cells}
    with tempfile.TemporaryDirectory():
        try:
            for repeat in range(args.repeats):
                for cell in cells:
                    result = await run_cell(cell, postgres, args.seconds, args.warm_up)
                    results[cell].append(result)
                    print(
                        f"  run {repeat + 1}: {cell.kind:<10} users={cell.users:<4} "
                        f"delay={cell.delay_ms}ms {result.steps_per_second:8.1f} steps/s",
                        flush=True,
                    )
                    for sample in result.unexpected_samples:
                        print(f"    unexpected reply: {sample}", flush=True)
        finally:
            postgres.stop()
    print(report(results, pairs))
    failed = [
        cell.kind
        for cell, runs in results.items()
        if any(r.steps == 0 or r.unexpected for r in runs)
    ]
    if failed:
        sys.exit(f"no steps, or unexpected replies, from: {', '.join(sorted(set(failed)))}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
