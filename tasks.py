#!/usr/bin/env python3
"""Set-up and everyday commands, with nothing but Python 3.11+ installed:

    python3 tasks.py run       # run the bot (token in .env); Ctrl-C or SIGTERM stops it
    python3 tasks.py migrate   # bring the database up to date and exit (needs no token)
    python3 tasks.py test      # lint, type-check and run the whole test suite

Each creates ./.venv and installs what it needs the first time (and again whenever
pyproject.toml changes): `run` and `migrate` the bot alone, `test` also the developer tools.
Extra arguments go to the bot or to pytest. PIP_CONSTRAINT=constraints.txt installs the exact
versions CI tested.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".soft-start-installed"


def _run(*command: str | Path) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.returncode)


def _installed_from() -> str:
    """What the venv was installed from: this pyproject and the constraints in use."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    constraints = os.environ.get("PIP_CONSTRAINT")
    if constraints and Path(constraints).is_file():
        digest.update(Path(constraints).read_bytes())
    return digest.hexdigest()


def ensure_environment(dev: bool) -> None:
    """A virtual environment with the project (and, for tests, its tools), kept in step with
    pyproject.toml. Editable, so a change to the code needs no reinstall. A venv with the tools
    also serves `run`."""
    if sys.version_info < (3, 11):
        raise SystemExit("Soft Start needs Python 3.11 or newer.")
    source = _installed_from()
    installed = STAMP.read_text() if STAMP.exists() and PYTHON.exists() else ""
    if installed in {f"{source} dev", f"{source} {'dev' if dev else 'run'}"}:
        return
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print(f"Installing Soft Start{' and its tools' if dev else ''} into .venv ...", flush=True)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]" if dev else ".")
    STAMP.write_text(f"{source} {'dev' if dev else 'run'}")


def _become_the_bot(args: list[str]) -> None:
    """The bot replaces this process, so a supervisor's SIGTERM or a Ctrl-C reaches the bot
    itself (it stops cleanly) and no second process is left behind."""
    command = [str(PYTHON), "-m", "bot", *args]
    if os.name != "nt":
        os.chdir(ROOT)
        os.execv(command[0], command)
    # Windows has no exec: wait for the bot, which receives the same Ctrl-C and stops itself.
    child = subprocess.Popen(command, cwd=ROOT)
    while True:
        try:
            raise SystemExit(child.wait())
        except KeyboardInterrupt:
            continue


def run(args: list[str]) -> None:
    # `tasks.py run check-config` (or the older `run migrate`) passes a command through.
    given_command = args[:1] in (["run"], ["migrate"], ["check-config"], ["--version"])
    _become_the_bot(args if given_command else ["run", *args])


def migrate(args: list[str]) -> None:
    _become_the_bot(["migrate", *args])


def test(args: list[str]) -> None:
    _run(PYTHON, "-m", "ruff", "check", ".")
    _run(PYTHON, "-m", "ruff", "format", "--check", ".")
    _run(PYTHON, "-m", "mypy")
    # Two worker processes (pytest-xdist): most tests wait on the bot's replies, so two halve
    # the run on a two-core machine. `-n 0` runs in one process.
    workers = [] if any(arg.startswith(("-n", "--numprocesses")) for arg in args) else ["-n", "2"]
    _run(PYTHON, "-m", "pytest", *workers, *args)


COMMANDS = {"run": (run, False), "migrate": (migrate, False), "test": (test, True)}


def main() -> None:
    if sys.argv[1:2] in (["--help"], ["-h"], ["help"]):
        print(__doc__)
        return
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    if sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        print(f"tasks.py: unknown command {sys.argv[1]!r}", file=sys.stderr)
        raise SystemExit(2)
    command, dev = COMMANDS[sys.argv[1]]
    ensure_environment(dev)
    command(sys.argv[2:])


if __name__ == "__main__":
    main()
