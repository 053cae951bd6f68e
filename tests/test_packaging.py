"""A built wheel, installed where the source checkout is out of sight, is a working bot."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

from tests.driver import FakeUser
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.process import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_every_package_folder_is_in_the_wheel_list() -> None:
    """pyproject.toml names its packages one by one (content/ installs under another name);
    a new feature folder or language missing from the list would be missing from the wheel."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    folders = {
        ".".join(path.relative_to(REPO).parts)
        for path in (REPO / "bot").rglob("*")
        if path.is_dir() and path.name != "__pycache__"
    } | {"bot"}
    languages = {
        f"soft_start_content.{path.name}"
        for path in (REPO / "content").iterdir()
        if path.is_dir() and path.name != "__pycache__"
    }
    assert listed == folders | languages | {"soft_start_content"}


def _build_wheel(into: Path) -> Path:
    """From a copy of the sources: setuptools builds in the tree (a build/ folder), and a
    stale one in the checkout could hand files to a wheel whose configuration lost them."""
    sources = into / "sources"
    shutil.copytree(
        REPO,
        sources,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "data", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    # No build isolation: the build uses .venv's setuptools (a dev dependency), nothing fetched.
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
            *("--no-build-isolation", "--wheel-dir", str(into), str(sources)),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = into.glob("soft_start-*.whl")
    return wheel


def _fresh_venv(where: Path, wheel: Path) -> Path:
    """A new venv holding only the wheel; its dependencies are the ones already installed for
    the tests (made visible with a .pth file: a path line, so .venv's editable hook, which
    would point back at the checkout, is not loaded)."""
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--no-index", str(wheel)),
        ],
        check=True,
        capture_output=True,
    )
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site_packages) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    return where / "bin"


async def _run(
    command: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, command, cwd=cwd, env=env, capture_output=True, text=True
    )


def _clean_env(home: Path, **settings: str) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "SOFT_START_ENV_FILE": os.devnull}
    env.update(settings)
    return env


async def test_a_built_wheel_installs_a_soft_start_command_that_runs_the_bot(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    wheel = await asyncio.to_thread(_build_wheel, tmp_path / "dist")
    bin_dir = await asyncio.to_thread(_fresh_venv, tmp_path / "venv", wheel)
    run_here = tmp_path / "server"
    run_here.mkdir()

    where = (
        await _run(
            [str(bin_dir / "python"), "-c", "import bot, soft_start_content; print(bot.__file__)"],
            run_here,
            _clean_env(tmp_path),
        )
    ).stdout
    assert str(tmp_path / "venv") in where and str(REPO) not in where

    version = await _run([str(bin_dir / "soft-start"), "--version"], run_here, _clean_env(tmp_path))
    assert version.returncode == 0 and version.stdout.strip() == "soft-start 0.1.0"

    settings = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    check = await _run(
        [str(bin_dir / "soft-start"), "check-config"], run_here, _clean_env(tmp_path, **settings)
    )
    assert check.returncode == 0, check.stderr
    assert f"CONTENT_DIR                     {tmp_path / 'venv'}" in check.stdout

    output = tmp_path / "bot.log"
    with output.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(bin_dir / "soft-start"),
            cwd=run_here,
            env=_clean_env(tmp_path, POLL_TIMEOUT_SECONDS="1", **settings),
            stdout=log,
            stderr=log,
        )
    alice = FakeUser(telegram, 1001, "Alice")
    try:
        await alice.send("/start")
        await alice.expect(r"Hi Alice", timeout=30)
        await alice.press("Compose a soft start-up")
        await alice.expect(r"How are you feeling")
    finally:
        process.terminate()
        status = await asyncio.wait_for(process.wait(), 10)
    assert status == 0, output.read_text()
    assert (run_here / "data" / "softstart.sqlite3").exists()
