"""Sharing with a partner end to end: inline sharing, pairing, delivery, one-tap replies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from bot.storage.models import InviteRow
from tests.conftest import FakeClock
from tests.driver import FakeUser, eventually
from tests.fake_telegram import LATE, FakeTelegram, SentMessage
from tests.test_compose_flow import ANSWERS, QUESTIONS, reach
from tests.test_your_data import storage_of

# The bot's read timeout for Bot API calls (bot/telegram_http.py).
READ_TIMEOUT = 5
SENT = r"^I feel anxious because the call ran late last night\."


@pytest.fixture
def carol(telegram: FakeTelegram, running_bot: Any) -> FakeUser:
    return FakeUser(telegram, 1003, "Carol")


async def invite_link(user: FakeUser) -> str:
    """Makes a new invite and returns its deep-link payload."""
    await user.send("/partner")
    await user.press("Create an invite link")
    invite = await user.expect(r"Send this link to your partner")
    found = re.search(r"t\.me/softstart_test_bot\?start=(pair_[A-Za-z0-9_-]+)", invite.text)
    assert found, invite.text
    assert "Share the link" in invite.labels
    return found.group(1)


async def pair(inviter: FakeUser, partner: FakeUser) -> None:
    payload = await invite_link(inviter)
    await partner.send(f"/start {payload}")
    await partner.expect(rf"{inviter.first_name} invites you to pair")
    await partner.press("Accept")
    await partner.expect(rf"You're paired with {inviter.first_name}")
    await inviter.expect(rf"{partner.first_name} accepted your invite")


async def compose_and_finish(user: FakeUser) -> SentMessage:
    """Composes and finishes; returns the finished message (the one carrying its buttons; a tip
    may arrive after it, so the chat's last message is not necessarily this one)."""
    await reach(user, 0)
    for index, answer in enumerate(ANSWERS):
        await user.send(answer)
        await user.expect(QUESTIONS[index + 1])
    await user.press("✅ Done")
    return await user.expect(SENT)


async def send_to(sender: FakeUser, partner: FakeUser) -> SentMessage:
    """Composes, sends to the partner; returns the message the partner received."""
    await compose_and_finish(sender)
    await sender.press(f"💌 Send to {partner.first_name}")
    await sender.expect(rf"Sent to {partner.first_name}")
    incoming = await partner.expect(rf"{sender.first_name} wrote you a soft start-up")
    assert "I feel anxious because the call ran late last night." in incoming.text
    assert incoming.labels == [
        "💬 Say what I heard",
        "Thank you for telling me",
        "Let's talk…",
        "I need a little time",
        "✍️ Write a reply",
    ]
    return incoming


async def test_pair_send_and_a_thank_you_reaches_the_sender(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Thank you for telling me")
    await bob.expect(r"Sent to Alice")
    await alice.expect(r"Bob: Thank you for telling me")


@pytest.mark.parametrize(
    ("slot", "said"),
    [("this evening", "this evening"), ("tomorrow", "tomorrow"), ("this weekend", "this weekend")],
)
async def test_lets_talk_at_a_time(alice: FakeUser, bob: FakeUser, slot: str, said: str) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.expect(r"When would suit you")
    await bob.press(slot)
    await alice.expect(rf"Bob would like to talk {said}\.")


async def test_lets_talk_at_a_typed_time(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("I'll type a time")
    await bob.expect(r"Type it your way")
    await bob.send("after dinner on sunday <3")
    await alice.expect(r"Bob suggests a time to talk: “after dinner on sunday <3”")


async def test_a_little_time(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("I need a little time")
    await alice.expect(r"Bob needs a little time, and will come back to you")


async def test_written_replies_go_back_and_forth(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.expect(r"saying back what you heard")
    await bob.send("It sounds like you felt alone last night. I'm sorry.")
    await bob.expect(r"Sent to Alice")
    reply = await alice.expect(r"Bob replied:\s+It sounds like you felt alone")
    assert reply.labels == ["✍️ Write back"]
    await alice.press("✍️ Write back")
    await alice.send("thank you for hearing me")
    await bob.expect(r"Alice replied:\s+thank you for hearing me")
    await bob.send("/history")  # a look elsewhere keeps a possible answer to Alice
    await bob.expect(r"No saved messages yet")
    await bob.send("hello")
    await bob.expect(r"Is this your answer to Alice")
    await bob.press("Keep it here")
    await bob.expect(r"nothing was sent to Alice")
    await bob.send("hello again")
    await bob.expect(r"I've kept your words")  # kept for Bob; nothing goes to Alice


async def test_decline_tells_both(alice: FakeUser, bob: FakeUser) -> None:
    payload = await invite_link(alice)
    await bob.send(f"/start {payload}")
    await bob.press("Decline")
    await bob.expect(r"Declined\. Nothing was shared")
    await alice.expect(r"Bob declined your invite")
    await bob.send(f"/start {payload}")
    await bob.expect(r"has been used already")


async def test_a_used_invite_does_not_work_for_a_third_person(
    alice: FakeUser, bob: FakeUser, carol: FakeUser
) -> None:
    payload = await invite_link(alice)
    await bob.send(f"/start {payload}")
    await bob.press("Accept")
    await bob.expect(r"You're paired with Alice")
    await carol.send(f"/start {payload}")
    await carol.expect(r"has been used already")
    await carol.send("/partner")
    await carol.expect(r"Pair with your partner")


async def test_your_own_invite_does_nothing(alice: FakeUser) -> None:
    payload = await invite_link(alice)
    await alice.send(f"/start {payload}")
    await alice.expect(r"That's your own invite")
    await alice.send("/partner")
    await alice.expect(r"open invite, valid until")


async def test_an_expired_invite(
    alice: FakeUser, bob: FakeUser, running_bot: Any, clock: FakeClock
) -> None:
    payload = await invite_link(alice)
    clock.advance(hours=48, minutes=1)  # invites last 48 hours, on the bot's clock
    await bob.send(f"/start {payload}")
    await bob.expect(r"has expired")


async def test_a_revoked_invite_and_a_replaced_one(alice: FakeUser, bob: FakeUser) -> None:
    first = await invite_link(alice)
    await alice.press("Revoke the invite")
    await alice.expect(r"no longer works")
    await bob.send(f"/start {first}")
    await bob.expect(r"was withdrawn")
    second = await invite_link(alice)
    third = await invite_link(alice)
    await bob.send(f"/start {second}")
    await bob.expect(r"was withdrawn")
    await bob.send(f"/start {third}")
    await bob.expect(r"Alice invites you")


async def test_a_guessed_token_is_not_found(bob: FakeUser) -> None:
    await bob.send("/start pair_notarealtoken0000000000000000000")
    await bob.expect(r"doesn't work")


async def test_one_partner_at_a_time(alice: FakeUser, bob: FakeUser, carol: FakeUser) -> None:
    await pair(alice, bob)
    payload = await invite_link(carol)
    await alice.send(f"/start {payload}")
    await alice.expect(r"You're already paired")


async def test_ending_the_pairing_from_either_side(
    alice: FakeUser, bob: FakeUser, carol: FakeUser
) -> None:
    await pair(alice, bob)
    await bob.send("/partner")
    await bob.expect(r"You're paired with Alice")
    await bob.press("End the pairing")
    await bob.press("No, keep it")
    await bob.expect(r"still paired")
    await bob.press("End the pairing")
    await bob.press("Yes, end it")
    await bob.expect(r"pairing with Alice has ended")
    await alice.expect(r"Bob ended the pairing")
    await pair(alice, carol)
    await alice.send("/partner")
    await alice.press("End the pairing")
    await alice.press("Yes, end it")
    await carol.expect(r"Alice ended the pairing")


async def test_nothing_is_sent_without_a_pairing(
    alice: FakeUser, bob: FakeUser, carol: FakeUser, telegram: FakeTelegram
) -> None:
    final = await compose_and_finish(alice)
    assert not any(label.startswith("💌") for label in final.labels)
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    before = len(telegram.calls_of("sendMessage"))
    # Carol forges Bob's reply button and Alice's send button: neither does anything.
    await carol.press_data(delivered, delivered.buttons[0]["callback_data"])
    await carol.expect_toast(r"earlier message")
    # Alice's first message has id 1 in a fresh database.
    await carol.press_data(final, f"share:partner:1:{bob.id}")
    await carol.expect_toast(r"earlier message")
    assert len(telegram.calls_of("sendMessage")) == before


async def test_a_partner_who_blocked_the_bot(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    telegram.blocked.add(bob.id)
    await compose_and_finish(alice)
    await alice.press("💌 Send to Bob")
    await alice.expect(r"couldn't reach Bob")


async def test_forget_ends_the_pairing_and_says_only_that(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    await alice.send("/forget")
    await alice.press("Yes, delete everything")
    await alice.expect(r"deleted")
    ended = await bob.expect(r"pairing on Soft Start has ended")
    assert "Alice" not in ended.text
    await bob.send("/partner")
    await bob.expect(r"Pair with your partner")


async def test_inline_sharing_answers_only_with_the_askers_messages(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await compose_and_finish(alice)
    await reach(bob, 0)
    await bob.send("sad")
    for index in range(1, 4):
        await bob.send(f"bob's own {ANSWERS[index]}")
        await bob.expect(QUESTIONS[index + 1])
    await bob.press("✅ Done")
    await bob.expect(r"^I feel sad")
    await alice.inline_query("")
    await bob.inline_query("")
    calls = await _inline_answers(telegram, 2)
    by_user = {call.params["inline_query_id"].split("-")[0]: call.params for call in calls}
    alice_answer, bob_answer = by_user[f"iq{alice.id}"], by_user[f"iq{bob.id}"]
    for answer in (alice_answer, bob_answer):
        assert answer["is_personal"] is True and answer["cache_time"] == 0
    alice_texts = [r["input_message_content"]["message_text"] for r in alice_answer["results"]]
    bob_texts = [r["input_message_content"]["message_text"] for r in bob_answer["results"]]
    assert len(alice_texts) == 1 and alice_texts[0].startswith("I feel anxious")
    assert len(bob_texts) == 1 and "bob's own" in bob_texts[0]


async def _inline_answers(telegram: FakeTelegram, count: int) -> list[Any]:
    async def answered() -> list[Any] | None:
        calls = telegram.calls_of("answerInlineQuery")
        return calls if len(calls) >= count else None

    return await eventually(answered, f"{count} inline answers")


async def test_inline_query_filters_and_offers_compose_when_empty(
    alice: FakeUser, telegram: FakeTelegram
) -> None:
    await alice.inline_query("")
    empty = (await _inline_answers(telegram, 1))[0].params
    assert empty["results"] == []
    assert empty["button"]["start_parameter"] == "compose"
    await alice.send("/start compose")
    await alice.expect(QUESTIONS[0])
    await alice.send("anxious")
    for index in range(1, 4):
        await alice.expect(QUESTIONS[index])
        await alice.send(ANSWERS[index])
    await alice.press("✅ Done")
    await alice.expect(SENT)
    await alice.inline_query("breaths")
    await alice.inline_query("nothing-like-this")
    calls = await _inline_answers(telegram, 3)
    assert len(calls[1].params["results"]) == 1
    assert calls[2].params["results"] == []


async def test_share_buttons_on_the_finished_message_and_in_history(alice: FakeUser) -> None:
    final = await compose_and_finish(alice)
    assert final.labels == ["📤 Share to a chat", "📋 Copy", "⏰ Remind me to send it"]
    assert final.buttons[0]["switch_inline_query_chosen_chat"]["allow_user_chats"] is True
    assert final.buttons[1]["copy_text"]["text"] == final.text
    await alice.send("/history")
    listing = await alice.expect(r"page 1 of 1")
    await alice.press(listing.labels[0])
    shown = await alice.expect(SENT)
    assert shown.labels == ["📤 Share to a chat", "📋 Copy", "⏰ Remind me to send it"]


async def test_an_old_send_button_never_reaches_the_next_partner(
    alice: FakeUser, bob: FakeUser, carol: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    for_bob = await compose_and_finish(alice)
    await alice.send("/partner")
    await alice.press("End the pairing")
    await alice.press("Yes, end it")
    await bob.expect(r"Alice ended the pairing")
    await pair(alice, carol)
    await alice.press("💌 Send to Bob", for_bob)
    await alice.expect(r"made before you paired with Carol, so I didn't send anything")
    assert not [c for c in telegram.calls_of("sendMessage") if c.params["chat_id"] == carol.id
                and "wrote you a soft start-up" in c.params["text"]]  # fmt: skip
    assert not [c for c in telegram.calls_of("sendMessage") if c.params["chat_id"] == bob.id
                and "wrote you a soft start-up" in c.params["text"]]  # fmt: skip


async def test_a_double_tap_delivers_once(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    final = await compose_and_finish(alice)
    await alice.press("💌 Send to Bob", final)
    await alice.press("💌 Send to Bob", final)  # a slow phone: the second tap arrives too
    await alice.expect(r"Sent to Bob")
    await alice.expect(r"already sent this to Bob, so I didn't send it again")
    incoming = [c for c in telegram.calls_of("sendMessage") if c.params["chat_id"] == bob.id
                and "wrote you a soft start-up" in c.params["text"]]  # fmt: skip
    assert len(incoming) == 1
    delivered = await bob.expect(r"Alice wrote you a soft start-up")
    await bob.press("Thank you for telling me", delivered)
    await bob.press("Thank you for telling me", delivered)
    await bob.expect_toast(r"already answered this one")
    thanks = [c for c in telegram.calls_of("sendMessage") if c.params["chat_id"] == alice.id
              and "Thank you for telling me" in c.params["text"]]  # fmt: skip
    assert len(thanks) == 1


async def test_a_written_reply_that_failed_to_go_out_is_kept_and_sent_on_retry(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.expect(r"saying back what you heard")
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=alice.id)
    await bob.send("I hear you felt alone.")
    await bob.expect(r"went wrong")
    await bob.send("I hear you felt alone.")
    await bob.expect(r"Sent to Alice")
    await alice.expect(r"Bob replied:\s+I hear you felt alone")


async def test_a_slow_but_delivered_send_is_not_repeated(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    final = await compose_and_finish(alice)
    # Telegram takes the message but answers too late: the bot sees a time-out.
    telegram.fail("sendMessage", LATE, "", chat_id=bob.id, delay=READ_TIMEOUT + 1)
    await alice.press("💌 Send to Bob", final)
    await alice.expect(r"most likely reached Bob\. I won't send it twice", timeout=READ_TIMEOUT + 5)
    await bob.expect(r"Alice wrote you a soft start-up")
    await alice.press("💌 Send to Bob", final)
    await alice.expect(r"already sent this to Bob")


async def test_the_accept_button_is_no_bearer_credential(
    alice: FakeUser, bob: FakeUser, carol: FakeUser, running_bot: Any
) -> None:
    payload = await invite_link(alice)
    await bob.send(f"/start {payload}")
    invitation = await bob.expect(r"Alice invites you to pair")
    accept = invitation.buttons[0]["callback_data"]
    stored = await storage_of(running_bot).engine.connect()
    try:
        row = (await stored.execute(select(InviteRow))).one()
    finally:
        await stored.close()
    # Nothing stored is what the button carries: a copy of the database cannot pair anyone.
    key = accept.split(":", 2)[2]
    assert key not in {row.token_hash, row.answer_key_hash}
    # Seeing Bob's button is not enough either: it was shown to Bob.
    await carol.press_data(invitation, accept)  # on Bob's message: stopped at the gate
    await carol.expect_toast(r"earlier message")
    await carol.send("/start")
    await carol.press_data(await carol.expect(r"Hi Carol"), accept)  # in her own chat
    await carol.expect(r"That invite link doesn.t work")
    await carol.send("/partner")
    await carol.expect(r"Pair with your partner")
    await bob.press("Accept", invitation)
    await bob.expect(r"You're paired with Alice")


async def test_a_partner_notice_that_failed_to_go_out_waits_in_the_outbox(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram, clock: FakeClock, running_bot: Any
) -> None:
    payload = await invite_link(alice)
    await bob.send(f"/start {payload}")
    await bob.expect(r"Alice invites you to pair")
    # Telegram fails the message to Alice (as a crash right after the commit would lose it).
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=alice.id)
    await bob.press("Accept")
    await bob.expect(r"You're paired with Alice")
    dispatcher = running_bot.bot_data["dispatcher"]

    async def failed_once() -> bool | None:
        return True if not telegram.injected["sendMessage"] else None

    await eventually(failed_once, "the notice to be tried")
    clock.advance(minutes=6)  # a passing failure is tried again 5 minutes later
    await dispatcher.tick()
    await alice.expect(r"Bob accepted your invite")
    await dispatcher.tick()
    seen = [e for e in telegram.events[alice.id] if e.kind == "message" and e.message
            and "accepted your invite" in e.message.text]  # fmt: skip
    assert len(seen) == 1


async def test_cancel_while_writing_a_reply_sends_nothing(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.expect(r"saying back what you heard")
    await bob.send("/cancel")
    await bob.expect(r"Cancelled: nothing was sent")
    await bob.send("actually never mind, this is for me")
    await bob.expect(r"I've kept your words")  # kept for Bob, with a question; not sent
    assert not [e for e in telegram.events[alice.id] if e.message and "replied" in e.message.text]


async def test_one_one_tap_answer_per_message_and_words_can_follow(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    little_time = delivered.buttons[3]["callback_data"]
    await bob.press("Thank you for telling me", delivered)
    await bob.expect(r"Sent to Alice")
    await bob.press_data(delivered, little_time)  # an old keyboard, or a quick second tap
    await bob.expect_toast(r"already answered this one")
    said = [e.message.text for e in telegram.events[alice.id] if e.message]
    assert any("Thank you for telling me" in text for text in said)
    assert not any("needs a little time" in text for text in said)
    assert delivered.labels == ["💬 Say what I heard", "✍️ Write a reply"]
    await bob.press("✍️ Write a reply", delivered)
    await bob.send("and I want to hear more tonight")
    await alice.expect(r"Bob replied:\s+and I want to hear more tonight")


async def test_an_old_decline_after_accepting_says_you_are_paired(
    alice: FakeUser, bob: FakeUser
) -> None:
    payload = await invite_link(alice)
    await bob.send(f"/start {payload}")
    invitation = await bob.expect(r"Alice invites you to pair")
    decline = invitation.buttons[1]["callback_data"]
    await bob.press("Accept", invitation)
    await bob.expect(r"You're paired with Alice")
    await bob.press_data(invitation, decline)
    await bob.expect(r"You're paired with Alice")


async def test_text_typed_right_after_a_message_from_the_partner_is_offered_as_an_answer(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.send("also I love you")  # without tapping "Write a reply"
    offer = await bob.expect(r"Is this your answer to Alice\? I'll send it only if you say so")
    assert "also I love you" in offer.text
    assert offer.labels == ["💌 Send it to Alice", "Keep it here"]
    assert not [e for e in telegram.events[alice.id] if e.message and "love" in e.message.text]
    await bob.send("and I'm listening")  # a newer text: the older offer is old now
    newer = await bob.expect(r"Is this your answer to Alice")
    await bob.press("💌 Send it to Alice", offer)
    await bob.expect_toast(r"earlier message")
    send_it = newer.buttons[0]["callback_data"]
    await bob.press("💌 Send it to Alice", newer)
    await bob.expect(r"Sent to Alice")
    await alice.expect(r"Bob replied:\s+and I'm listening")
    await bob.press_data(newer, send_it)  # a double tap sends nothing more
    await bob.expect_toast(r"earlier message")
    said = [e for e in telegram.events[alice.id] if e.message and "Bob replied" in e.message.text]
    assert len(said) == 1


async def test_a_text_after_a_message_can_be_kept_here(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.send("ugh, not now")
    await bob.press("Keep it here")
    await bob.expect(r"Kept here; nothing was sent to Alice")
    await bob.send("hello")
    await bob.expect(r"/compose starts one")
    assert not [e for e in telegram.events[alice.id] if e.message and "not now" in e.message.text]


async def test_a_message_full_of_emoji_is_delivered_and_copied_only_when_it_fits(
    alice: FakeUser, bob: FakeUser
) -> None:
    """Telegram counts a copy button's 256 in UTF-16 units: an emoji is two."""
    await pair(alice, bob)
    await alice.send("/compose")
    await alice.expect(r"Step 1 of 4")
    answers = [
        "sad 😢😢😢😢😢😢",
        "the call ran late again 😞😞😞😞😞😞 and I waited alone all evening 😔😔😔😔😔😔 "
        "and the dinner went cold on the table again",
        "breathing slowly 🌬️🌬️🌬️🌬️",
        "a long hug 🤗🤗🤗🤗🤗🤗 tonight please 🙏🙏🙏🙏🙏🙏",
    ]
    for answer in answers:
        await alice.send(answer)
    await alice.press("✅ Done")
    final = await alice.expect(r"^I feel sad")
    assert len(final.text) <= 256 < len(final.text.encode("utf-16-le")) // 2
    assert "📋 Copy" not in final.labels
    await alice.press("💌 Send to Bob", final)
    await bob.expect(r"Alice wrote you a soft start-up")


async def test_a_reply_prompt_left_for_days_asks_before_sending(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram, clock: FakeClock
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.expect(r"saying back what you heard")
    clock.advance(days=3)
    await bob.send("note to self: call mum")
    await bob.expect(r"Is this your answer to Alice\? I'll send it only if you say so")
    assert not [e for e in telegram.events[alice.id] if e.message and "mum" in e.message.text]


async def test_a_typed_time_after_a_one_tap_answer_is_not_a_second_answer(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    await bob.press("Let's talk…", delivered)
    when = await bob.expect(r"When would suit you to talk")
    await bob.press("I'll type a time", when)
    # "Thank you" (a "little time" may still be followed by a time to talk).
    await bob.press_data(delivered, delivered.buttons[1]["callback_data"])
    await bob.expect(r"Sent to Alice")
    await bob.send("tomorrow at 8")
    await bob.expect(r"already answered this one")
    assert not [
        e for e in telegram.events[alice.id] if e.message and "tomorrow at 8" in e.message.text
    ]


async def test_the_reminder_to_send_it_can_send_it(
    alice: FakeUser, bob: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await pair(alice, bob)
    await compose_and_finish(alice)
    await alice.press("⏰ Remind me to send it")
    await alice.press("In an hour")
    await alice.expect(r"I'll remind you")
    clock.advance(hours=1)
    assert (await running_bot.bot_data["dispatcher"].tick()).sent == 1
    nudge = await alice.expect(r"A calm moment to send")
    assert "💌 Send to Bob" in nudge.labels
    await alice.press("💌 Send to Bob", nudge)
    await bob.expect(r"Alice wrote you a soft start-up")


async def test_a_typed_time_that_failed_to_go_out_goes_out_on_retry(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("I'll type a time")
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=alice.id)
    await bob.send("tomorrow at 8")
    await bob.expect(r"went wrong")
    await bob.send("tomorrow at 8")  # the claim was given back: this is no second answer
    await bob.expect(r"Sent to Alice")
    await alice.expect(r"Bob suggests a time to talk: “tomorrow at 8”")
