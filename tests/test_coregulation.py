"""The partner's side of co-regulation, end to end: "I need a little time" with a come-back
reminder (and something kind for the one who waits), and a time to talk that the other
confirms with one tap or answers with another time, with a reminder for both before it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import FakeClock
from tests.driver import FakeUser, eventually
from tests.test_reminders_flow import dispatcher_of
from tests.test_sharing import pair, send_to
from tests.test_your_data import storage_of

BERLIN = ZoneInfo("Europe/Berlin")


async def in_zone(user: FakeUser, zone: str) -> None:
    await user.send("/reminders")
    await user.send(zone)
    await user.expect(rf"Time zone set: {zone}")
    await user.expect(r"Your reminders")


async def in_berlin(user: FakeUser) -> None:
    await in_zone(user, "Europe/Berlin")


async def in_new_york(user: FakeUser) -> None:
    await in_zone(user, "America/New_York")


async def test_a_little_time_comes_back_when_chosen(
    alice: FakeUser, bob: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    await bob.press("I need a little time", delivered)
    waiting = await alice.expect(r"Bob needs a little time, and will come back to you")
    assert "While you wait, something kind for yourself:" in waiting.text
    await bob.expect(r"Sent to Alice")
    asked = await bob.expect_buttons("In an hour", "This evening", "Tomorrow morning")
    assert "remind you to come back" in asked.text
    # Coming back may be a time to talk: still offered on the message itself.
    assert delivered.labels == ["💬 Say what I heard", "Let's talk…", "✍️ Write a reply"]
    this_evening = next(b for b in asked.buttons if b["text"] == "This evening")
    await bob.press("This evening", asked)
    # Bob's clock is not known yet: asked first, never taken as UTC.
    await bob.expect(r"One thing first.*where are you")
    await bob.send("Berlin")
    await bob.expect(r"I'll remind you this evening at 19:00")
    await bob.press_data(asked, this_evening["callback_data"])  # a second tap
    await bob.expect_toast(r"already chosen")
    clock.set(datetime(2026, 3, 27, 19, tzinfo=BERLIN))
    assert (await dispatcher_of(running_bot).tick()).sent == 1
    back = await bob.expect(r"Ready to come back to Alice's message\?")
    assert "I feel anxious because the call ran late" in back.text
    assert back.labels == ["💬 Say what I heard", "Let's talk…", "✍️ Write a reply"]
    await bob.press("Let's talk…", back)
    await bob.press("tomorrow")
    offer = await alice.expect(r"Bob would like to talk tomorrow")
    assert offer.labels == ["👍 Works for me", "🕰 Another time"]
    assert (await dispatcher_of(running_bot).tick()).sent == 0  # once


async def test_no_come_back_reminder_and_none_after_the_pairing_ended(
    alice: FakeUser, bob: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await in_berlin(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("I need a little time")
    await bob.press("No reminder, thanks")
    await bob.expect(r"Okay, no reminder")
    delivered = await send_to(alice, bob)
    await bob.press("I need a little time", delivered)
    await bob.press("In an hour")
    await bob.expect(r"I'll remind you today at 14:00")
    await alice.send("/partner")
    await alice.press("End the pairing")
    await alice.press("Yes, end it")
    await bob.expect(r"Alice ended the pairing")
    clock.advance(hours=1)
    await dispatcher_of(running_bot).tick()
    assert "Ready to come back" not in bob.all_text()


async def test_a_time_to_talk_is_agreed_with_one_tap_and_both_are_reminded(
    alice: FakeUser, bob: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await in_berlin(alice)
    await in_berlin(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("this evening")
    offer = await alice.expect(r"Bob would like to talk this evening at 19:00\.")
    works = next(b for b in offer.buttons if b["text"] == "👍 Works for me")
    await alice.press("👍 Works for me", offer)
    await bob.expect(r"Alice says this evening at 19:00 works for them\.")
    await alice.expect(
        r"Settled: you'll talk with Bob this evening at 19:00\. I'll remind you both half an hour"
    )
    assert not offer.buttons
    await alice.press_data(offer, works["callback_data"])  # an impatient second tap
    await alice.expect_toast(r"already answered")
    assert bob.all_text().count("works for them") == 1
    clock.set(datetime(2026, 3, 27, 18, 30, tzinfo=BERLIN))
    assert (await dispatcher_of(running_bot).tick()).sent == 2
    await alice.expect(r"Your talk with Bob is in 30 min \(19:00\)")
    await bob.expect(r"Your talk with Alice is in 30 min \(19:00\)")


async def test_another_time_goes_back_and_forth_until_one_works(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await in_berlin(alice)
    await in_berlin(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("this weekend")
    await alice.expect(r"Bob would like to talk tomorrow at 11:00\.")  # Saturday: tomorrow
    await alice.press("🕰 Another time")
    await alice.expect(r"What time would suit you\?")
    await alice.send("tomorrow at 20:30")
    await alice.expect(r"Sent to Bob")
    offer = await bob.expect(r"Alice suggests a time to talk: “tomorrow at 20:30”")
    await bob.press("👍 Works for me", offer)
    await alice.expect(r"Bob says tomorrow at 20:30 works for them\.")
    await bob.expect(r"Settled: you'll talk with Alice tomorrow at 20:30")
    store = storage_of(running_bot).reminders
    for person in (alice, bob):
        (talk,) = [r for r in await store.one_shots(person.id) if r.kind == "talk"]
        assert talk.next_fire_at is not None
        assert talk.next_fire_at.astimezone(BERLIN) == datetime(2026, 3, 28, 20, tzinfo=BERLIN)


async def test_a_time_in_words_is_agreed_without_a_reminder_and_said_so(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("I'll type a time")
    await bob.send("sunday after lunch")
    offer = await alice.expect(r"Bob suggests a time to talk: “sunday after lunch”")
    await alice.press("🕰 Another time", offer)
    await alice.send("maybe monday, after the kids are asleep")
    await bob.press("👍 Works for me")
    # Both are told there is no reminder, and why.
    await alice.expect(r"Bob says that time works for them\. I couldn't tell its day and clock")
    await bob.expect(r"Settled\. I couldn't tell the day and clock time from it")
    store = storage_of(running_bot).reminders
    assert not [r for r in await store.one_shots(alice.id) if r.kind == "talk"]


async def test_an_old_talk_offer_after_the_pairing_ended_reaches_nobody(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("tomorrow")
    offer = await alice.expect(r"Bob would like to talk tomorrow")
    await alice.send("/partner")
    await alice.press("End the pairing")
    await alice.press("Yes, end it")
    await bob.expect(r"Alice ended the pairing")
    await alice.press("👍 Works for me", offer)
    await alice.expect_toast(r"not paired with anyone now")
    assert "works for them" not in bob.all_text()


async def test_partners_on_different_clocks_each_see_their_own_time(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await in_berlin(alice)
    await in_new_york(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("I'll type a time")
    await bob.send("tonight at 8")
    # 20:00 in New York is 01:00 in Berlin: Alice reads both before she agrees.
    offer = await alice.expect(
        r"Bob suggests a time to talk: “tonight at 8” \(tomorrow at 01:00 for you\)"
    )
    await alice.press("👍 Works for me", offer)
    await bob.expect(r"Alice says this evening at 20:00 works for them\.")
    await alice.expect(r"Settled: you'll talk with Bob tomorrow at 01:00\.")


async def test_someone_whose_clock_is_unknown_is_told_the_others_time_and_no_made_up_clock(
    alice: FakeUser, bob: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await in_berlin(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("this evening")
    await alice.press("👍 Works for me")
    await alice.expect(r"Settled: you'll talk with Bob this evening at 19:00, Bob's time\.")
    clock.set(datetime(2026, 3, 27, 18, 30, tzinfo=BERLIN))
    assert (await dispatcher_of(running_bot).tick()).sent == 2
    reminder = await alice.expect(r"Your talk with Bob is in 30 min\.")
    assert "(" not in reminder.text.split("\n")[0]  # no UTC clock passed off as hers


async def test_an_offer_is_answered_once_whichever_button(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await in_berlin(alice)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("tomorrow")
    offer = await alice.expect(r"Bob would like to talk tomorrow")
    other = next(b for b in offer.buttons if b["text"] == "🕰 Another time")["callback_data"]
    await alice.press("👍 Works for me", offer)
    await alice.expect(r"Settled")
    await alice.press_data(offer, other)  # the other button, from an old keyboard
    await alice.expect_toast(r"already answered")
    assert "What time would suit you" not in alice.all_text()


async def test_the_bots_own_slot_with_no_clock_known_asks_where_and_then_reminds_both(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("this evening")
    await alice.press("👍 Works for me")
    await bob.expect(r"Alice says this evening works for them\.")
    await alice.expect(r"One thing first.*where are you")
    assert "couldn't place" not in alice.all_text()
    await alice.send("/journal")  # a look elsewhere keeps the question
    await alice.send("Berlin")
    await alice.expect(
        r"Settled: you'll talk with Bob this evening at 19:00\. I'll remind you both"
    )
    store = storage_of(running_bot).reminders
    for person in (alice, bob):
        (talk,) = [r for r in await store.one_shots(person.id) if r.kind == "talk"]
        assert talk.next_fire_at == datetime(2026, 3, 27, 18, 30, tzinfo=BERLIN)


async def test_how_did_it_go_comes_after_the_talk(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await in_berlin(alice)
    await in_berlin(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    store = storage_of(running_bot).reminders

    async def outcome_at() -> datetime | None:
        found = [r for r in await store.one_shots(alice.id) if r.kind == "outcome"]
        return found[0].next_fire_at if found else None

    first = await eventually(outcome_at, "how did it go? set")
    assert first == datetime(2026, 3, 28, 19, tzinfo=BERLIN)
    await bob.press("Let's talk…")
    await bob.press("I'll type a time")
    await bob.send("tomorrow at 20:30")
    await alice.press("👍 Works for me")
    await alice.expect(r"Settled")
    assert await outcome_at() == datetime(2026, 3, 29, 19, tzinfo=BERLIN)


async def test_a_time_typed_under_the_time_question_is_the_answer(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.expect(r"When would suit you to talk")
    await bob.send("tonight at 8")
    await alice.expect(r"Bob suggests a time to talk: “tonight at 8”")
    assert "Is this your answer" not in bob.all_text()


async def test_a_slot_across_clocks_says_both(alice: FakeUser, bob: FakeUser) -> None:
    await in_berlin(alice)
    await in_new_york(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("this evening")
    # Bob's 19:00 is Alice's 00:00: she sees that it is his evening.
    await alice.expect(r"Bob would like to talk this evening \(tomorrow at 00:00 for you\)\.")


async def test_a_typed_clock_time_with_no_clock_known_asks_where_then_reminds(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("I'll type a time")
    await bob.send("tomorrow at 19:30")
    await alice.press("👍 Works for me")
    await alice.expect(r"One thing first.*where are you")
    await alice.send("Paris, France")
    await alice.expect(r"Settled: you'll talk with Bob tomorrow at 19:30\. I'll remind")
    store = storage_of(running_bot).reminders
    (talk,) = [r for r in await store.one_shots(bob.id) if r.kind == "talk"]
    assert talk.next_fire_at == datetime(2026, 3, 28, 19, tzinfo=ZoneInfo("Europe/Paris"))


async def test_an_old_partner_button_after_the_pairing_ended_says_why(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    await bob.send("/partner")
    await bob.press("End the pairing")
    await bob.press("Yes, end it")
    await bob.expect(r"pairing with Alice has ended")
    await bob.press("Let's talk…", delivered)
    await bob.expect_toast(r"not paired with anyone now")


async def test_a_day_and_time_typed_the_way_people_do_gets_its_reminder(
    alice: FakeUser, bob: FakeUser, running_bot: Any
) -> None:
    await in_berlin(alice)
    await in_berlin(bob)
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.send("how about sunday 11am?")
    await alice.press("👍 Works for me")
    await alice.expect(r"Settled: you'll talk with Bob on Sunday at 11:00\. I'll remind")
    store = storage_of(running_bot).reminders
    (talk,) = [r for r in await store.one_shots(bob.id) if r.kind == "talk"]
    assert talk.next_fire_at == datetime(2026, 3, 29, 10, 30, tzinfo=BERLIN)


async def test_another_time_tapped_twice_points_to_its_question(
    alice: FakeUser, bob: FakeUser
) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Let's talk…")
    await bob.press("tomorrow")
    offer = await alice.expect(r"Bob would like to talk tomorrow")
    other = next(b for b in offer.buttons if b["text"] == "🕰 Another time")["callback_data"]
    await alice.press_data(offer, other)
    await alice.press_data(offer, other)
    await alice.expect(r"What time would suit you")
    await alice.expect_toast(r"just below")
