"""content/ is validated at start-up: a missing or broken text fails at boot, never in a chat."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content import PLACEHOLDERS, Content, ContentError, load_content, placeholders
from bot.handlers.commands import MENU
from bot.settings import Settings
from tests.conftest import CONTENT_DIR


def _broken(tmp_path: Path, file: str, change: Callable[[str], str]) -> Path:
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    path = tmp_path / "content" / "en" / file
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return tmp_path / "content"


def test_the_shipped_content_is_valid(content: Content) -> None:
    assert len(content.words.feelings.words) >= 16
    for name, expected in PLACEHOLDERS.items():
        assert placeholders(getattr(content.texts, name)) == expected


def test_a_missing_text_fails(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "texts.toml", lambda t: t.replace("unknown_command = ", "x = "))
    with pytest.raises(ContentError, match="unknown_command"):
        load_content(folder, "en")


def test_a_wrong_placeholder_fails(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "texts.toml", lambda t: t.replace("{limit} characters?", "{limt}"))
    with pytest.raises(ContentError, match="too_long"):
        load_content(folder, "en")


def test_unsupported_html_fails(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "texts.toml", lambda t: t.replace("<b>How Soft", "<h1>How Soft"))
    with pytest.raises(ContentError, match="not allowed"):
        load_content(folder, "en")


def test_an_unclosed_tag_fails(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "texts.toml", lambda t: t.replace("</blockquote>", ""))
    with pytest.raises(ContentError, match="never closed"):
        load_content(folder, "en")


def test_too_few_feelings_fail(tmp_path: Path) -> None:
    def keep_one_group(text: str) -> str:
        return re.sub(r"groups = \[.*?\n\]\n", 'groups = [["sad"]]\n', text, flags=re.DOTALL)

    folder = _broken(tmp_path, "words.toml", keep_one_group)
    with pytest.raises(ContentError, match="16 feeling words"):
        load_content(folder, "en")


def test_a_missing_locale_fails(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="content/xx"):
        load_content(CONTENT_DIR, "xx")


def test_no_python_module_holds_a_user_facing_sentence() -> None:
    """A rough guard: string literals in bot/ handlers are keys and ids, not sentences."""
    for path in (Path(__file__).parent.parent / "bot" / "handlers").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for phrase in ("How are you", "Sorry", "Thank you", "Please"):
            assert phrase not in source, f"{path.name} has user-facing text: {phrase!r}"


def test_the_menu_describes_exactly_the_commands_the_bot_handles(content: Content) -> None:
    assert set(content.commands.model_dump()) == set(MENU)


def test_every_setting_is_documented_in_env_example() -> None:
    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in example, f"{name.upper()} is not in .env.example"
