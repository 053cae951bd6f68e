"""The listener's turn end to end, with two people: "Say what I heard", "Not quite" with a few
words back, trying again in one's own words, "Yes, that's it", and what both keep."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.storage.models import ReflectionRow
from tests.driver import FakeUser, eventually
from tests.fake_telegram import FakeTelegram, SentMessage
from tests.test_sharing import pair, send_to
from tests.test_your_data import storage_of


@pytest.fixture
def carol(telegram: FakeTelegram, running_bot: Any) -> FakeUser:
    return FakeUser(telegram, 1003, "Carol")


PREPARED = (
    "I hear that you feel anxious because the call ran late last night, and that you would "
    "appreciate it if we could talk when I'm ready. Did I get that right?"
)
OWN_WORDS = "I hear that you felt alone last night, and you'd like us to talk tonight."


async def _offer(alice: FakeUser, bob: FakeUser) -> SentMessage:
    """Alice's soft start-up delivered to Bob, and Bob's "Say what I heard" opened."""
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("💬 Say what I heard")
    return await bob.expect(r"saying back what you heard helps Alice feel understood")


def _transcript(telegram: FakeTelegram, *people: FakeUser) -> str:
    """Everything both saw, in order, as a reader of the note would."""
    seen = sorted(
        (
            (event.seq, person.first_name, event)
            for person in people
            for event in telegram.events[person.id]
        ),
        key=lambda found: found[0],
    )
    lines = []
    for _, who, event in seen:
        if event.kind == "message" and event.message is not None:
            buttons = "".join(f" [{label}]" for label in event.message.labels)
            lines.append(f"{who} sees: {event.message.text}{buttons}")
    return "\n".join(lines)


async def test_the_listener_says_it_back_until_it_is_understood(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram
) -> None:
    offer = await _offer(alice, bob)
    assert PREPARED in offer.text
    assert offer.labels == ["💌 Send it to Alice", "✏️ Say it my way", "Not now"]
    # Never sent before Bob's tap.
    assert "I hear that" not in alice.all_text()
    await bob.press("💌 Send it to Alice", offer)
    await bob.expect(r"Sent to Alice\. I'll let you know what they say")
    first = await alice.expect(r"Bob says back what they heard")
    assert PREPARED in first.text and first.labels == ["Yes, that's it 💛", "Not quite"]

    await alice.press("Not quite", first)
    await alice.expect(r"What did Bob miss\?")
    await alice.send("it's less about the call, more that I felt alone")
    await alice.expect(r"Sent to Bob, so they can try again")
    again = await bob.expect(r"Alice says it's not quite it yet, about “I feel anxious because")
    assert "less about the call, more that I felt alone" in again.text
    assert again.labels == ["✏️ Try again in my words", "💬 Start from the prepared words"]

    await bob.press("✏️ Try again in my words", again)
    await bob.expect(r"In your own words, what did you hear Alice say")
    await bob.send(OWN_WORDS)
    shown = await bob.expect(r"This is what Alice will get")
    assert OWN_WORDS in shown.text and "type it again to change it" in shown.text
    assert shown.labels == ["💌 Send it to Alice", "Not now"]
    # A look elsewhere loses nothing: the words still wait for "send".
    await bob.send("/history")
    await bob.expect(r"Your soft start-ups|No saved messages")
    await bob.press("💌 Send it to Alice", shown)
    await bob.expect(r"Sent to Alice")
    second = await alice.expect(r"Bob says back what they heard")
    assert OWN_WORDS in second.text

    await alice.press("Yes, that's it 💛", second)
    await alice.expect(r"I've told Bob they got it")
    understood = await bob.expect(r"Alice says you got it")
    assert understood.labels == ["✍️ Write a reply", "Let's talk…"]
    # The listener's side now: a typed text is an answer, sent only once Bob says so.
    await bob.send("thank you for telling me. tonight works")
    await bob.expect(r"Is this your answer to Alice\?")
    await bob.press("💌 Send it to Alice")
    await alice.expect(r"Bob replied:\s+thank you for telling me")

    # Kept together in /history, for both.
    await alice.send("/history")
    mine = await alice.expect(r"Your soft start-ups")
    assert "Said back to you: “that's it” 💛" in mine.text
    await alice.press(mine.labels[0], mine)
    await alice.expect(r"ready to copy or forward")
    said = await alice.expect(r"What was said back to you \(“that's it” 💛\)")
    assert OWN_WORDS in said.text
    await bob.send("/history")
    heard = await bob.expect(r"Your soft start-ups")
    assert "You heard “I feel anxious because the call" in heard.text
    assert "said it back: “that's it” 💛" in heard.text
    await bob.press(heard.labels[0], heard)
    thread = await bob.expect(r"what you heard")
    assert "I feel anxious because the call ran late last night." in thread.text
    assert OWN_WORDS in thread.text and "“that's it” 💛" in thread.text
    print("\n" + _transcript(telegram, alice, bob))


async def test_a_reflection_is_sent_once_however_often_it_is_tapped(
    alice: FakeUser, bob: FakeUser, telegram: FakeTelegram, running_bot: Any
) -> None:
    offer = await _offer(alice, bob)
    send, own = (button["callback_data"] for button in offer.buttons[:2])
    await bob.press_data(offer, send)
    await bob.press_data(offer, send)  # a slow phone
    await bob.expect(r"Sent to Alice")
    await bob.expect_toast(r"already said back what you heard to Alice\. Let's wait")
    # "Say what I heard" again, or in his own words, while Alice has not answered: the same
    # try, nothing new is sent.
    await bob.press("💬 Say what I heard")
    await bob.expect(r"already said back what you heard to Alice")
    await bob.press_data(offer, own)  # "Say it my way", on the screen already used
    await bob.expect(r"already said back what you heard to Alice")
    reflection = await alice.expect(r"Bob says back what they heard")
    yes = reflection.buttons[0]["callback_data"]
    await alice.press_data(reflection, yes)
    await alice.press_data(reflection, yes)
    await alice.expect_toast(r"already answered this one")
    await bob.expect(r"Alice says you got it")
    said = [e.message.text for e in telegram.events[alice.id] if e.kind == "message" and e.message]
    assert sum("Bob says back what they heard" in text for text in said) == 1
    told = [e.message.text for e in telegram.events[bob.id] if e.kind == "message" and e.message]
    assert sum("Alice says you got it" in text for text in told) == 1
    rows = await _reflections(running_bot)
    assert len(rows) == 2 and {row.status for row in rows} == {"understood"}


async def _reflections(application: Any) -> list[Any]:
    async with storage_of(application).engine.connect() as connection:
        return list((await connection.execute(select(ReflectionRow))).all())


async def test_old_buttons_after_the_pairing_ended_send_nothing(
    alice: FakeUser, bob: FakeUser, carol: FakeUser, telegram: FakeTelegram
) -> None:
    retry = await _offer(alice, bob)
    await bob.press("✏️ Say it my way", retry)
    await bob.send(OWN_WORDS)
    await bob.press("💌 Send it to Alice", await bob.expect(r"This is what Alice will get"))
    reflection = await alice.expect(r"Bob says back what they heard")
    # Alice ends the pairing and pairs with Carol.
    await alice.send("/partner")
    await alice.press("End the pairing")
    await alice.press("Yes, end it")
    await alice.expect(r"The pairing with Bob has ended")
    # Each pairs with someone new: an old button must reach neither the old partner nor the new.
    dave = FakeUser(telegram, 1004, "Dave")
    await pair(alice, carol)
    await pair(bob, dave)
    before = {person.id: len(telegram.events[person.id]) for person in (alice, carol, dave)}
    await bob.press("💌 Send it to Alice", retry)
    await bob.expect_toast(r"no longer paired with")
    await bob.press("✏️ Say it my way", retry)
    await bob.expect_toast(r"no longer paired with")
    await alice.press("Not quite", reflection)
    await alice.expect_toast(r"no longer paired with")
    await alice.press("Yes, that's it 💛", reflection)
    await alice.expect_toast(r"no longer paired with")
    for person in (carol, dave):
        assert [e for e in telegram.events[person.id][before[person.id] :] if e.message] == []
    assert [e.kind for e in telegram.events[alice.id][before[alice.id] :]] == ["toast", "toast"]


async def test_just_not_quite_and_not_now(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("Not now", offer)
    await bob.expect(r"nothing was sent\. Alice's message and its buttons are still there")
    assert "I hear that" not in alice.all_text()
    await bob.press("💬 Say what I heard")
    await bob.press("💌 Send it to Alice")
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Not quite", reflection)
    prompt = await alice.expect(r"What did Bob miss")
    await alice.press("Just say “not quite”", prompt)
    await alice.expect(r"Sent to Bob, so they can try again")
    plain = await bob.expect(r"Alice says it's not quite what they meant yet, about “I feel")
    # Words typed now are no correction: that was answered.
    await alice.send("it was more about being alone")
    await alice.expect(r"I've kept your words")
    assert "being alone" not in bob.all_text()
    await bob.press("💬 Start from the prepared words", plain)
    second = await bob.expect(r"Here it is in your voice")
    await bob.press("💌 Send it to Alice", second)
    await alice.expect(r"Bob says back what they heard")


async def test_danger_words_in_ones_own_reflection_are_held(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("✏️ Say it my way", offer)
    await bob.expect(r"In your own words")
    await bob.send("if you tell anyone about this you'll regret it")
    await bob.expect(r"I haven't sent this to Alice")
    assert "regret" not in alice.all_text()


async def test_a_harsh_written_reply_gets_the_gentle_check_first(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.send("you always make a drama out of nothing")
    held = await bob.expect(r"Is this your answer to Alice\?")
    assert "A gentle check before it goes" in held.text and "“you always”" in held.text
    assert "drama" not in alice.all_text()
    # In other words, it is asked again, without the check.
    await bob.send("I hear it was a hard night. Can we talk after dinner?")
    softer = await bob.expect(r"Is this your answer to Alice\?")
    assert "gentle check" not in softer.text
    await bob.press("💌 Send it to Alice", softer)
    await alice.expect(r"Bob replied:\s+I hear it was a hard night")
    assert "drama" not in alice.all_text()


async def test_each_keeps_their_own_copy(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Yes, that's it 💛", reflection)
    await bob.expect(r"Alice says you got it")
    await alice.send("/export")
    data = json.loads(await alice.expect_document("soft-start-data.json"))
    assert [r["role"] for r in data["reflections"]] == ["speaker"]
    assert data["reflections"][0]["text"] == PREPARED
    await alice.send("/forget")
    await alice.press("Yes, delete everything")
    await alice.expect(r"Everything I kept about you is deleted")
    # Bob's copy is his: the message he heard and what he said back stay in his /history.
    await bob.send("/history")
    heard = await bob.expect(r"Your soft start-ups")
    assert "You heard “I feel anxious" in heard.text
    await bob.send("/export")
    data = json.loads(await bob.expect_document("soft-start-data.json"))
    assert [r["role"] for r in data["reflections"]] == ["listener"]
    assert data["reflections"][0]["heard"].startswith("I feel anxious")


async def test_typing_right_after_the_offer_is_saying_it_ones_own_way(
    alice: FakeUser, bob: FakeUser
) -> None:
    await _offer(alice, bob)
    await bob.send(OWN_WORDS)
    shown = await bob.expect(r"This is what Alice will get")
    assert OWN_WORDS in shown.text
    await bob.press("💌 Send it to Alice", shown)
    reflection = await alice.expect(r"Bob says back what they heard")
    assert OWN_WORDS in reflection.text


async def test_a_double_tap_opens_one_screen(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    offer = delivered.buttons[0]["callback_data"]
    await bob.press_data(delivered, offer)
    await bob.press_data(delivered, offer)
    await bob.expect(r"Here it is in your voice")
    await bob.expect_toast(r"just below")
    write = delivered.buttons[-1]["callback_data"]
    await bob.press_data(delivered, write)
    await bob.press_data(delivered, write)
    await bob.expect(r"Write your reply")
    await bob.expect_toast(r"just below")
    events = bob.telegram.events[bob.id]
    said = [e.message.text for e in events if e.kind == "message" and e.message]
    assert sum("Here it is in your voice" in text for text in said) == 1
    assert sum("Write your reply" in text for text in said) == 1


async def test_a_command_in_between(alice: FakeUser, bob: FakeUser) -> None:
    """A look at /history keeps a "not quite" waiting; /compose takes the next text."""
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Not quite", reflection)
    await alice.expect(r"What did Bob miss")
    await alice.send("/history")
    await alice.expect(r"Your soft start-ups")
    await alice.send("it's more that I felt alone")
    await bob.expect(r"not quite it yet.*it's more that I felt alone")
    await bob.press("✏️ Try again in my words")
    await bob.expect(r"In your own words")
    await bob.send("/compose")
    await bob.expect(r"How are you feeling right now")
    await bob.send("tired")
    await bob.expect(r"You feel tired\. What happened")
    assert "This is what Alice will get" not in bob.all_text()


async def test_saying_it_back_in_the_middle_of_ones_own_soft_start_up(
    alice: FakeUser, bob: FakeUser
) -> None:
    offer = await _offer(alice, bob)
    await bob.send("/compose")
    await bob.expect(r"How are you feeling right now")
    await bob.send("tired")
    await bob.expect(r"What happened")
    await bob.press("✏️ Say it my way", offer)
    await bob.expect(r"In your own words")
    await bob.send(OWN_WORDS)
    await bob.press("💌 Send it to Alice", await bob.expect(r"This is what Alice will get"))
    await bob.expect(r"Sent to Alice")
    await bob.expect(r"Your soft start-up is still waiting where you left it")
    await bob.send("work ran late")
    await bob.expect(r"What are you doing to take care of yourself")
    await alice.expect(r"Bob says back what they heard")
    assert "work ran late" not in alice.all_text()


async def test_a_harsh_not_quite_is_shown_with_the_gentle_check_first(
    alice: FakeUser, bob: FakeUser
) -> None:
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Not quite", reflection)
    await alice.send("you never listen, you always make it about you")
    held = await alice.expect(r"This goes to Bob")
    assert "A gentle check before it goes" in held.text
    assert held.labels == ["💌 Send it to Bob", "Just say “not quite”"]
    assert "never listen" not in bob.all_text()
    await alice.press("💌 Send it to Bob", held)
    await bob.expect(r"not quite it yet.*you never listen")
    await alice.expect(r"Sent to Bob, so they can try again")


async def test_natural_reflections_are_not_taken_for_blame(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("✏️ Say it my way", offer)
    await bob.send("You felt anxious because the call ran late, and I wasn't there.")
    shown = await bob.expect(r"This is what Alice will get")
    assert "gentle check" not in shown.text


async def test_after_that_s_it_only_what_is_still_open_is_offered(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    talk = delivered.buttons[2]["callback_data"]  # "Let's talk…"
    await bob.press("Thank you for telling me", delivered)
    await bob.expect(r"Sent to Alice")
    await bob.press("💬 Say what I heard")
    await bob.press("💌 Send it to Alice")
    await alice.press("Yes, that's it 💛")
    understood = await bob.expect(r"Alice says you got it")
    # A one-tap answer was given already: no time picker that would then be refused.
    assert understood.labels == ["✍️ Write a reply"]
    await bob.press_data(delivered, talk)
    await bob.expect_toast(r"already answered this one")
    assert "When would suit you" not in bob.all_text()
    await bob.press("💬 Say what I heard")
    await bob.expect(r"Alice already said you got it")


async def test_words_of_danger_close_the_not_quite(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Not quite", reflection)
    await alice.send("he grabbed my wrist and shoved me")
    await alice.expect(r"I haven't sent this to Bob")
    await alice.send("it's that I felt alone")
    # Kept here, offered for her own use; nothing more goes to Bob on its own.
    await alice.expect(r"I've kept your words")
    assert "felt alone" not in bob.all_text() and "wrist" not in bob.all_text()


async def test_what_is_kept_after_the_other_one_left(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    await alice.expect(r"Bob says back what they heard")
    await bob.send("/forget")
    await bob.press("Yes, delete everything")
    await bob.expect(r"Everything I kept about you is deleted")
    await alice.send("/history")
    page = await alice.expect(r"Your soft start-ups")
    assert "Said back to you: no answer came" in page.text
    await alice.send("/export")
    await alice.expect_document("soft-start-data.json")
    markdown = (await alice.expect_document("soft-start-messages.md")).decode()
    assert "Said back to me (no answer yet):" in markdown and PREPARED in markdown


async def test_the_speaker_may_simply_type_the_answer(alice: FakeUser, bob: FakeUser) -> None:
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    await alice.expect(r"Bob says back what they heard, about “I feel anxious because")
    await alice.send("kind of, but it's more about the evenings")
    asked = await alice.expect(r"Is this your answer to what Bob said back\?")
    assert asked.labels == ["Yes, that's it 💛", "Not quite: send these words", "Keep it here"]
    assert "evenings" not in bob.all_text()
    await alice.press("Not quite: send these words", asked)
    await bob.expect(r"not quite it yet.*it's more about the evenings")
    # Bob simply types his next try: it is taken for one, shown back first.
    await bob.send("I hear that the evenings are the hard part.")
    shown = await bob.expect(r"This is what Alice will get")
    await bob.press("💌 Send it to Alice", shown)
    await alice.expect(r"Bob says back what they heard")
    await alice.send("yes that's it!")
    asked = await alice.expect(r"Is this your answer to what Bob said back\?")
    await alice.press("Yes, that's it 💛", asked)
    await bob.expect(r"Alice says you got it")


async def test_what_the_listener_keeps_follows_what_they_were_told(
    alice: FakeUser, bob: FakeUser
) -> None:
    """A "not quite" is on the listener's copy once it reached them, not at Alice's tap."""
    offer = await _offer(alice, bob)
    await bob.press("💌 Send it to Alice", offer)
    reflection = await alice.expect(r"Bob says back what they heard")
    await alice.press("Not quite", reflection)
    await alice.expect(r"What did Bob miss")
    await bob.send("/history")
    page = await bob.expect(r"Your soft start-ups")
    assert "said it back: no answer yet" in page.text
    await alice.send("more the waiting than the call")
    await bob.expect(r"not quite it yet")
    await bob.send("/history")
    page = await bob.expect(r"Your soft start-ups")
    assert "said it back: “not quite” yet" in page.text


async def test_a_reply_being_written_survives_a_look_at_history(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.expect(r"Write your reply")
    await bob.send("/history")
    await bob.expect(r"No saved messages yet|Your soft start-ups")
    await bob.send("thank you for telling me, let's talk tonight")
    await alice.expect(r"Bob replied:\s+thank you for telling me")


async def test_lets_talk_tapped_three_times_opens_one_picker(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    talk = delivered.buttons[2]["callback_data"]
    for _ in range(3):
        await bob.press_data(delivered, talk)
    picker = await bob.expect(r"When would suit you to talk")
    await bob.expect_toast(r"just below")
    await bob.expect_toast(r"just below")
    await bob.press("this evening", picker)
    await alice.expect(r"Bob would like to talk this evening")
    await bob.expect(r"Sent to Alice")
    # The picker is done with: no buttons left on it.

    async def picker_cleared() -> bool | None:
        return True if picker.labels == [] else None

    await eventually(picker_cleared, "the time picker without buttons")
    said = [e for e in bob.telegram.events[bob.id] if e.kind == "message" and e.message]
    assert sum("When would suit you" in e.message.text for e in said if e.message) == 1
