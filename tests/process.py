"""Runs `python -m bot` as a real process, the way an operator does."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent
_runs = itertools.count(1)


def bot_environment(**settings: str) -> dict[str, str]:
    """A clean environment: only what the bot needs, so no operator setting leaks into tests."""
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env["PYTHONPATH"] = str(REPO)
    env.update(settings)
    return env


async def run_bot_to_exit(
    cwd: Path,
    *,
    timeout: float = 30,
    extra_args: list[str] | None = None,
    given: dict[str, str] | None = None,
    **settings: str,
) -> tuple[int, str]:
    """Runs the bot until it exits by itself; returns (exit status, stderr). Settings come as
    keywords, or as `given` when their names are data."""
    settings = {**(given or {}), **settings}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *(extra_args or []),
        cwd=cwd,
        env=bot_environment(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()  # a bot that did not exit must not outlive the test
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, stderr.decode()


class BotProcess:
    """A running bot that a test can stop gently (SIGTERM) or kill (SIGKILL)."""

    def __init__(self, cwd: Path, **settings: str) -> None:
        self.cwd = cwd
        self.settings = settings
        self.process: asyncio.subprocess.Process | None = None
        # The output goes to a file, not a pipe: nobody reads a pipe while the bot runs, and a
        # full pipe (64 KiB of DEBUG lines) would block the bot's event loop on a log write.
        self.output = cwd / f"bot-output-{next(_runs)}.log"
        self.stderr = ""

    async def start(self) -> None:
        with self.output.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.cwd,
                env=bot_environment(**self.settings),
                stdout=output,
                stderr=output,
            )

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        await asyncio.wait_for(self.process.wait(), timeout)
        self.stderr = self.output.read_text(errors="replace")
        assert self.process.returncode is not None
        return self.process.returncode

    async def kill(self) -> None:
        await self.stop(signal.SIGKILL)
