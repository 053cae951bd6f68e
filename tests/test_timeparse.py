"""Times and zones as people type them, and the city index."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.content import load_content
from bot.core.timeparse import (
    SpokenClock,
    TalkDays,
    iana_zone,
    offset_zone,
    parse_clock,
    talk_time,
    zones_showing,
)
from bot.places import Places


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", time(21, 30)), ("9pm", time(21)), ("9:30 am", time(9, 30)),
        ("9.30pm", time(21, 30)), ("12am", time(0)), ("12 PM", time(12)), ("7", time(7)),
        ("07:05", time(7, 5)), ("24:00", time(0)), ("21h30", time(21, 30)),
    ],
)  # fmt: skip
def test_clock_times(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13pm", "9:75", "evening", "", "21:3"])
def test_not_clock_times(text: str) -> None:
    assert parse_clock(text) is None


@pytest.fixture(scope="module")
def spoken() -> SpokenClock:
    words = load_content(Path(__file__).parent.parent / "content", "en").words.clock
    return SpokenClock(
        tuple(words.filler), tuple(words.quarter_past), tuple(words.half_past),
        tuple(words.quarter_to),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's 7:05 here", time(7, 5)), ("It’s 7.05", time(7, 5)), ("7.05", time(7, 5)),
        ("quarter past 7", time(7, 15)), ("a quarter to 8", time(7, 45)),
        ("half past 9 pm", time(21, 30)), ("it is about 21:40 now", time(21, 40)),
        ("quarter to 1 am", time(0, 45)), ("~10:15", time(10, 15)), ("9pm", time(21)),
        ("It's 9 o'clock", time(9)),
    ],
)  # fmt: skip
def test_clock_times_as_people_say_them(spoken: SpokenClock, text: str, expected: time) -> None:
    assert parse_clock(text, spoken) == expected


@pytest.mark.parametrize("text", ["it's late", "quarter past", "half past 25", "here", "now 99"])
def test_not_clock_times_as_said(spoken: SpokenClock, text: str) -> None:
    assert parse_clock(text, spoken) is None


def test_zone_names_and_offsets() -> None:
    assert iana_zone("europe/berlin") == "Europe/Berlin"
    assert iana_zone("America/New York") == "America/New_York"
    assert iana_zone("Berlin") is None
    assert offset_zone("UTC+2") == "Etc/GMT-2"
    assert offset_zone("gmt -5") == "Etc/GMT+5"
    assert offset_zone("+0") == "Etc/UTC"
    assert offset_zone("UTC+5:30") is None
    assert offset_zone("hello") is None


def test_zones_showing_a_time() -> None:
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    found = zones_showing(time(13, 0), now, ["Europe/Berlin", "Europe/London", "Asia/Tokyo"],
                          timedelta(minutes=10))  # fmt: skip
    assert found == ["Europe/Berlin"]


@pytest.fixture(scope="module")
def places() -> Places:
    return Places()


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"), ("new york", "America/New_York"), ("Munich", "Europe/Berlin"),
        ("São Paulo", "America/Sao_Paulo"), ("sao paulo", "America/Sao_Paulo"),
        ("Londn", "Europe/London"), ("mumbai", "Asia/Kolkata"),
    ],
)  # fmt: skip
def test_cities(places: Places, typed: str, zone: str) -> None:
    found = places.search(typed)
    assert [place.time_zone for place in found] == [zone]


def test_ambiguous_and_unknown_cities(places: Places) -> None:
    assert len(places.search("Springfield")) > 1
    assert places.search("xyzzyqq") == []


def test_nearest_city_to_a_location(places: Places) -> None:
    assert places.nearest(52.52, 13.40).time_zone == "Europe/Berlin"
    assert places.nearest(-33.87, 151.21).time_zone == "Australia/Sydney"


def test_a_clock_time_is_not_an_offset() -> None:
    assert offset_zone("13:00") is None
    assert offset_zone("−3") == "Etc/GMT+3"


def test_a_city_called_so_beats_one_that_was_once_called_so() -> None:
    found = Places().search("Portland")
    assert [place.name for place in found] == ["Portland"] * len(found)
    assert len({place.time_zone for place in found}) == len(found) > 1


@pytest.fixture(scope="module")
def talk_days() -> TalkDays:
    return load_content(Path(__file__).parent.parent / "content", "en").talk_days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:30", (0, time(20, 30))),
        ("at 8pm", (0, time(20))),
        ("tonight at 8", (0, time(20))),  # an evening word: a bare 8 is 20:00
        ("tonight at 7am", (0, time(7))),  # said so: stays morning
        ("tonight at 7 a.m.", (0, time(7))),
        ("this evening 9.30", (0, time(21, 30))),
        ("Tomorrow at 19:30", (1, time(19, 30))),
        ("tmrw 8pm", (1, time(20))),
        ("today at quarter past 6", (0, time(18, 15))),  # a talk at 6 is rarely at dawn
        ("sunday 11am", (16, time(11))),  # WEEKDAY + 6
        ("how about tomorrow at 6pm?", (1, time(18))),
        ("tomorrow evening at 6", (1, time(18))),
        ("tomorrow 6ish", (1, time(18))),
        ("on saturday at 10:30", (15, time(10, 30))),
        ("we sat down at 8", None),
        ("sunday after lunch", None),
        ("tomorrow evening", None),
        ("after the kids are asleep", None),
    ],
)
def test_a_typed_time_to_talk(
    text: str,
    expected: tuple[int, time] | None,
    spoken: SpokenClock,
    talk_days: TalkDays,
) -> None:
    assert talk_time(text, spoken, talk_days) == expected
