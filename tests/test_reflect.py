"""The listener's turn: the sender's parts said back in the listener's voice, over a labelled
set written by hand (tests/data/reflections.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.content import Content
from bot.core.draft import Draft, Step
from bot.core.reflect import reflection, turn_around

CASES = tomllib.loads((Path(__file__).parent / "data" / "reflections.toml").read_text())["cases"]


def test_the_labelled_set_is_big_enough_to_mean_something() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("feeling", "reason", "ask", "heard", "wish"), CASES)
def test_a_reflection_turns_the_sender_s_words_around(
    content: Content, feeling: str, reason: str, ask: str, heard: str, wish: str
) -> None:
    draft = Draft(feeling, reason, "taking a few slow breaths", ask, step=Step.REVIEW)
    expected = content.turnaround.reflection.format(heard=heard, wish=wish)
    if wish.endswith("?”"):  # a question said back as asked keeps its own mark, no full stop
        expected = expected.replace("?”.", "?”")
    assert reflection(draft, content.phrasing, content.turnaround) == expected


@pytest.mark.parametrize(
    ("said", "heard"),
    [
        ("I was alone because you left", "you were alone because I left"),
        ("I’m sure you’re right", "you're sure I'm right"),  # phone apostrophes
        ("you aren't listening to me", "I am not listening to you"),
        ("we’ll be fine, I really was tired", "we’ll be fine, you really were tired"),
        ("Sam and I", "Sam and you"),
    ],
)
def test_the_turnaround_itself(content: Content, said: str, heard: str) -> None:
    assert turn_around(said, content.turnaround) == heard
