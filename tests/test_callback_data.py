"""Callback data codecs: what a button packs is what its handler's pattern accepts and its
parser reads back; nothing else gets through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.draft import Step
from bot.handlers.callback_data import CallbackData, Key, PersonId


@dataclass(frozen=True)
class Sample(CallbackData, prefix="s"):
    step: Step
    index: int
    kind: Literal["thanks", "talk"]
    person: PersonId
    at: time
    key: Key


ids = st.integers(0, 999_999_999)
samples = st.builds(
    Sample,
    step=st.sampled_from(list(Step)),
    index=ids,
    kind=st.sampled_from(["thanks", "talk"]),
    person=st.integers(1, 10**15).map(PersonId),
    at=st.times().map(lambda t: time(t.hour, t.minute)),
    key=st.text("abcXYZ019_-", min_size=1, max_size=16).map(Key),
)


@given(samples)
def test_pack_matches_the_pattern_and_parses_back(sample: Sample) -> None:
    data = sample.pack()
    assert re.match(Sample.pattern(), data)
    assert len(data.encode()) <= 64
    assert Sample.parse(data) == sample


@pytest.mark.parametrize(
    "data",
    [
        "",
        "s",
        "s:reason:1:thanks:5:2130",
        "s:nonsense:1:thanks:5:2130:k",
        "s:reason:1234567890:thanks:5:2130:k",  # an id longer than the database's
        "s:reason:1:hug:5:2130:k",
        "s:reason:1:thanks:5:2460:k",  # not a time
        "s:reason:1:thanks:5:2130:k:extra",
        "other:reason:1:thanks:5:2130:k",
        "s:reason:-1:thanks:5:2130:k",
    ],
)
def test_data_the_bot_never_made_is_refused(data: str) -> None:
    assert Sample.parse(data) is None
    assert not re.match(Sample.pattern(), data)


def test_more_than_64_bytes_cannot_be_made() -> None:
    long_key = Sample(Step.REGULATION, 1, "thanks", PersonId(5), time(21, 30), Key("k" * 48))
    with pytest.raises(ValueError, match="cannot carry"):
        long_key.pack()
