"""A few seconds of each benchmark, so they never rot. The numbers are not checked here."""

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


async def test_conversation_benchmark_smoke() -> None:
    output = await run("bench.conversation", "--smoke")
    assert "ours-sqlite" in output and "/echo-seq" in output


async def test_fanout_benchmark_smoke() -> None:
    output = await run("bench.fanout", "--due", "100", "--rates", "1000")
    last = output.strip().splitlines()[-1].split()
    assert last[0] == "100" and last[-2:] == ["0", "0"], output  # none lost, none doubled


async def test_scale_benchmark_smoke() -> None:
    output = await run("bench.scale", "--people", "2000", "--due", "50")
    assert "start-up s" in output and output.strip().splitlines()[-1].split()[3] == "50"
