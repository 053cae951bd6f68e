"""A few seconds of each benchmark, so they never rot. Rates are not checked here (these machines
are noisy); what can be checked without timing is: every bot answered, every answer was the
expected next question, nothing was lost or doubled."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent


async def run(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, output.decode()
    return output.decode()


def table_rows(output: str) -> dict[str, list[str]]:
    """The report's rows by bot, from the header line on."""
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("bot "))
    return {line.split()[0]: line.split() for line in lines[start + 1 :] if line.strip()}


async def test_conversation_benchmark_smoke() -> None:
    output = await run("bench.conversation", "--smoke")
    rows = table_rows(output)
    assert set(rows) == {"ours-sqlite", "echo-sequential"}, output
    for bot, row in rows.items():
        steps_per_second, unexpected = float(row[3]), int(row[-1])
        assert steps_per_second > 0, f"{bot} answered no step:\n{output}"
        assert unexpected == 0, f"{bot} answered something other than the next question:\n{output}"


async def test_fanout_benchmark_smoke() -> None:
    output = await run("bench.fanout", "--due", "100", "--rates", "1000")
    last = output.strip().splitlines()[-1].split()
    assert last[0] == "100" and last[-2:] == ["0", "0"], output  # none lost, none doubled


async def test_scale_benchmark_smoke() -> None:
    output = await run("bench.scale", "--people", "2000", "--due", "50")
    rows = output[output.index("start-up s") :].strip().splitlines()[1:]
    people = [row.split() for row in rows if row.split()[0].replace(",", "").isdigit()]
    assert [row[0] for row in people] == ["200", "2,000"], output
    assert all(row[3] == "50" for row in people), output  # every due reminder sent, per size
    ratios = rows[-1].split()
    assert ratios[:2] == ["x10", "people"] and len(ratios) >= 5, output


async def test_people_first_benchmark_smoke() -> None:
    output = await run("bench.people_first", "--smoke")
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("limiter "))
    row = lines[start + 1].split()
    assert row[0] == "people-first", output
    # Steps answered before and during the fan-out (a ratio is printed), none lost or doubled.
    assert float(row[5]) > 0 and row[-2:] == ["0", "0"], output


async def test_week_chart_benchmark_smoke() -> None:
    output = await run("bench.week_chart", "--charts", "2")
    ratios = output.strip().splitlines()[-1].split()
    assert ratios[0] == "ratio" and all(float(value) > 0 for value in ratios[1:]), output


async def test_replicas_benchmark_smoke() -> None:
    """Both tables, every cell with steps and no reply other than the next question (the
    benchmark itself exits non-zero otherwise)."""
    output = await run("bench.replicas", "--smoke")
    rows = [line.split("|") for line in output.splitlines() if line.startswith("| 10 |")]
    assert len(rows) == 2, output
    for row in rows:
        first, second = float(row[3]), float(row[4])
        assert first > 0 and second > 0, output
