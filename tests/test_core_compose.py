from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import Content
from bot.core.compose import compose_message, find_faux_feeling, utf16_length
from bot.core.draft import MAX_PART_LENGTH, Draft


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            ("anxious", "the call ran late", "breathing", "a hug"),
            "I feel anxious because the call ran late. I'm breathing. I would appreciate a hug.",
        ),
        (
            (
                "I feel anxious.",
                "Because you were late!!",
                "I'm taking a walk.",
                "I would appreciate a hug, if you're able.",
            ),
            "I feel anxious because you were late. I'm taking a walk. "
            "I would appreciate a hug, if you're able.",
        ),
        (
            (
                "i’m feeling  Overwhelmed",
                "when the kids\nwere shouting",
                "im pausing",
                "I’d appreciate some quiet time",
            ),
            "I feel overwhelmed when the kids were shouting. I'm pausing. "
            "I would appreciate some quiet time.",
        ),
        (
            ("Hurt", "Sam forgot our dinner", "I will go for a run", "could you call me?"),
            "I feel hurt because Sam forgot our dinner. I will go for a run. Could you call me?",
        ),
        (
            ("sad", "NASA cancelled the launch", "Breathing", "if you could sit with me"),
            "I feel sad because NASA cancelled the launch. I'm breathing. "
            "I would appreciate it if you could sit with me.",
        ),
        (
            ("грустно 😢", "ты опоздал", "дышу", "обнять меня"),
            "I feel грустно 😢 because ты опоздал. I'm дышу. I would appreciate обнять меня.",
        ),
        (
            ("so tired", "because of the move", "I am resting", "please, help with boxes"),
            "I feel tired because of the move. I'm resting. I would appreciate help with boxes.",
        ),
    ],
)
def test_compose_reads_naturally(
    content: Content, parts: tuple[str, str, str, str], expected: str
) -> None:
    message = compose_message(Draft(*parts), content.phrasing)
    assert message.plain == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # Self-care without a verb, as a plan, with "to", as a gerund.
        (
            ("calm", "x", "a short walk around the block", "a hug"),
            "To calm down, I'm turning to a short walk around the block.",
        ),
        (("calm", "x", "tea and some music", "a hug"), "To calm down, I'm turning to tea and"),
        (("calm", "x", "take a walk", "a hug"), "I'm going to take a walk."),
        (("calm", "x", "to rest for ten minutes", "a hug"), "I'm going to rest for ten minutes."),
        (("calm", "x", "Walking it off", "a hug"), "I'm walking it off."),
        # "because" where a connector does not start a clause about someone.
        (
            ("lonely", "after dinner you went straight to your phone", "resting", "a hug"),
            "I feel lonely because after dinner you went straight to your phone.",
        ),
        (("sad", "after you left", "resting", "a hug"), "I feel sad after you left."),
        (("tired", "since we moved", "resting", "a hug"), "I feel tired since we moved."),
        (("anxious", "about the move", "resting", "a hug"), "I feel anxious about the move."),
        # Lowercase "i" as phones type it; "ill" and "id" are words of their own.
        (
            ("hurt", "i said i'd call and i didn’t", "resting", "a hug"),
            "I feel hurt because I said I'd call and I didn’t.",
        ),
        (("ill", "my id was stolen", "resting", "a hug"), "I feel ill because my id was stolen."),
        # A request written as an ask, or as a "don't".
        (
            ("hurt", "x", "resting", "stop ignoring me"),
            "I would appreciate it if you could stop ignoring me.",
        ),
        (
            ("hurt", "x", "resting", "you to put the phone away at dinner"),
            "I would appreciate it if you could put the phone away at dinner.",
        ),
        (
            ("hurt", "x", "resting", "don't raise your voice"),
            "I would appreciate it if you didn't raise your voice.",
        ),
        (
            ("hurt", "x", "resting", "help with the boxes"),
            "I would appreciate help with the boxes.",
        ),
    ],
)
def test_what_people_type_still_reads_as_english(
    content: Content, parts: tuple[str, str, str, str], expected: str
) -> None:
    assert expected in compose_message(Draft(*parts), content.phrasing).plain


def test_html_escapes_everything_the_user_typed(content: Content) -> None:
    message = compose_message(Draft("<b>", "a & b", "</a>", "<i>x</i>"), content.phrasing)
    assert "<" not in message.html.replace("&lt;", "")
    assert html.unescape(message.html) == message.plain
    assert "&amp;" in message.html


@pytest.mark.parametrize(
    ("answer", "word"),
    [
        ("ignored", "ignored"),
        ("I feel so IGNORED", "ignored"),
        ("kind of let down", "let down"),
        ("taken for granted!", "taken for granted"),
    ],
)
def test_faux_feelings_are_found(content: Content, answer: str, word: str) -> None:
    found = find_faux_feeling(answer, content.words.faux_feelings)
    assert found is not None and found.word == word and found.underlying


@pytest.mark.parametrize("answer", ["sad", "lonely", "anxious", "I feel hurt"])
def test_feelings_are_not_faux(content: Content, answer: str) -> None:
    assert find_faux_feeling(answer, content.words.faux_feelings) is None


part_text = st.text(
    alphabet=st.characters(codec="utf-8"), min_size=1, max_size=MAX_PART_LENGTH
).filter(lambda text: text.strip())


@settings(max_examples=150, deadline=None)
@given(part_text, part_text, part_text, part_text)
def test_any_text_composes_to_well_formed_html_within_telegram_limits(
    content: Content, feeling: str, reason: str, regulation: str, request: str
) -> None:
    message = compose_message(Draft(feeling, reason, regulation, request), content.phrasing)
    # Telegram counts UTF-16 units; the review frames the message with a few lines of its own.
    assert utf16_length(message.plain) <= 4096 - 500
    assert html.unescape(message.html) == message.plain
    assert re.search(r"<|>", message.html) is None
    assert "\n" not in message.plain.replace("\r", "")
