"""Only a person's private chat reaches the features: forged taps from groups, channel posts
and updates without a sender are stopped before any handler, without an error."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from tests.driver import FakeUser
from tests.fake_telegram import BOT_USER, FakeTelegram
from tests.test_sharing import compose_and_finish

GROUP = -100123


async def test_a_forged_tap_from_a_group_posts_nothing_there(
    alice: FakeUser, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    await compose_and_finish(alice)
    group_message = {
        "message_id": 7,
        "date": int(time.time()),
        "chat": {"id": GROUP, "type": "supergroup", "title": "Friends"},
        "from": BOT_USER,
        "text": "anything",
    }
    tap = {
        "id": f"{alice.id}-9001",
        "from": {"id": alice.id, "is_bot": False, "first_name": "Alice"},
        "message": group_message,
        "chat_instance": "group",
        "data": "history:show:1",
    }
    telegram.push_update({"callback_query": tap})
    await alice.expect_toast(r"earlier message")
    telegram.push_update(
        {"channel_post": {**group_message, "chat": {"id": GROUP, "type": "channel"}}}
    )
    telegram.push_update({"message": {**group_message, "from": tap["from"], "text": "/history"}})
    await alice.send("/help")  # one person's updates in order: the others were handled first
    await alice.expect(r"")
    assert not [c for c in telegram.calls if c.params.get("chat_id") == GROUP]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_text_made_only_of_invisible_characters_is_not_an_answer(
    alice: FakeUser, running_bot: Any
) -> None:
    await alice.send("/compose")
    await alice.expect(r"Step 1 of 4")
    await alice.send("\u200b\u200b")
    await alice.expect(r"didn.t catch any words")
    await alice.send("anxious")
    await alice.expect(r"Step 2 of 4")
