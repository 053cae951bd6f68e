"""The safety path end to end: the words for each situation, the help lines of the person's
country, a reply to the partner that is held, and the private safety plan."""

from __future__ import annotations

import json
from typing import Any

from bot.core.safety import CountryHelp, HelpLine, LineKind, help_for
from tests.driver import FakeUser
from tests.test_compose_flow import QUESTIONS, answer, finish, reach
from tests.test_sharing import pair, send_to

DANGER = r"might not be safe"
SELF_HARM = r"in a lot of pain"


async def set_zone(user: FakeUser, place: str, zone: str) -> None:
    await user.send("/reminders")
    await user.expect(r"your time zone")
    await user.send(place)
    await user.expect(rf"Time zone set: {zone}")


async def test_danger_mid_composer_pauses_with_help_and_continues(alice: FakeUser) -> None:
    await reach(alice, 1)
    await alice.send("he grabbed my wrist so hard it bruised when I asked about the money")
    support = await alice.expect(DANGER)
    # No country known yet: the general emergency advice, and a way to choose the country.
    assert "your local emergency number" in support.text
    assert "don't have to soften anything" in support.text
    assert "not being here" not in support.text  # the self-harm words are for self-harm
    assert support.labels == [
        "Continue where I was",
        "🛟 My safety plan",
        "🌍 Numbers for another country",
    ]
    await alice.press("Continue where I was")
    await alice.expect(QUESTIONS[1])
    await answer(alice, 1)
    await finish(alice)  # the message is exactly the answers: nothing of the danger words


async def test_thoughts_of_not_being_here_get_the_crisis_words(alice: FakeUser) -> None:
    await set_zone(alice, "Berlin", "Europe/Berlin")
    await alice.send("honestly nobody would even notice if i was gone")
    support = await alice.expect(SELF_HARM)
    assert "soften anything for someone" not in support.text
    # The numbers of the country of their time zone, plain so that Telegram can dial them.
    assert "TelefonSeelsorge, 0800 111 0 111" in support.text
    assert "116 016" in support.text and "call 112" in support.text
    assert "Numbers for Germany, from your time zone" in support.text
    assert "Continue where I was" not in support.labels  # no draft to go back to


async def test_the_help_button_does_not_say_what_you_wrote(alice: FakeUser) -> None:
    await alice.send("/help")
    await alice.press("If you don't feel safe")
    support = await alice.expect(r"you don't have to carry it alone")
    assert "What you wrote" not in support.text and "you wrote" not in support.text
    assert "your local emergency number" in support.text


async def test_choosing_a_country_shows_its_numbers_and_is_kept(alice: FakeUser) -> None:
    await alice.send("/help")
    await alice.press("If you don't feel safe")
    await alice.press("🌍 Numbers for another country")
    await alice.expect(r"Which country are you in")
    await alice.press("United Kingdom")
    chosen = await alice.expect(r"Here are the numbers for the United Kingdom")
    assert "Samaritans, 116 123" in chosen.text and "call 999" in chosen.text
    assert "the country you chose" in chosen.text and "time zone" not in chosen.text
    await alice.send("i dont feel safe at home")
    support = await alice.expect(DANGER)
    assert "Samaritans, 116 123" in support.text and "0808 2000 247" in support.text


async def test_a_threat_in_a_reply_is_held_not_delivered(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("✍️ Write a reply")
    await bob.expect(r"saying back what you heard")
    await bob.send("if you tell anyone about this you'll regret it")
    await bob.expect(r"I haven't sent this to Alice")
    # Bob is the one threatening: spoken to as such, not as someone in danger.
    held = await bob.expect(r"frighten the person who reads them")
    assert "soften anything for someone" not in held.text
    assert "you'll regret it" not in alice.all_text()
    # A reply in other words still goes, once.
    await bob.send("I hear that last night felt lonely for you.")
    await bob.expect(r"Sent to Alice")
    await alice.expect(r"Bob replied:\s+I hear that last night felt lonely")
    assert "regret" not in alice.all_text()


async def test_the_safety_plan_is_private_written_at_ones_pace_and_exported(
    alice: FakeUser, bob: FakeUser
) -> None:
    await alice.send("/safety")
    plan = await alice.expect(r"Your safety plan")
    assert plan.text.count("not written yet") == 4
    assert plan.labels == [
        "✏️ Warning signs",
        "✏️ What calms me",
        "✏️ People I can call",
        "✏️ A safe place",
        "📞 Help lines",
    ]
    await alice.press("✏️ Warning signs")
    await alice.expect(r"what tells you that things are getting unsafe")
    # Words that would stop the coaching anywhere else are what a plan is for.
    await alice.send("when he starts throwing things and shouting in my face")
    await alice.expect(r"Saved to your safety plan: Warning signs")
    shown = await alice.expect(r"Your safety plan")
    assert "throwing things and shouting in my face" in shown.text
    assert shown.text.count("not written yet") == 3
    await alice.press("✏️ People I can call")
    await alice.send("my sister Jo, 0151 496 0000")
    await alice.expect(r"Saved to your safety plan: People I can call")
    # Only Alice sees it.
    await bob.send("/safety")
    assert "Jo" not in (await bob.expect(r"Your safety plan")).text
    await alice.send("/export")
    data = json.loads(await alice.expect_document("soft-start-data.json"))
    assert data["safety_plan"]["people"] == "my sister Jo, 0151 496 0000"
    assert data["safety_plan"]["signs"].startswith("when he starts throwing things")


async def test_a_plan_part_can_be_changed_cleared_or_left(alice: FakeUser) -> None:
    await alice.send("/safety")
    await alice.press("✏️ What calms me")
    await alice.send("tea on the balcony")
    await alice.expect(r"Saved to your safety plan: What calms me")
    await alice.expect(r"Your safety plan")
    await alice.press("✏️ What calms me")
    asked = await alice.expect(r"what can you do, on your own")
    assert "tea on the balcony" in asked.text and asked.labels == ["🗑 Clear this part"]
    await alice.send("/cancel")  # leaves it as it is
    await alice.send("a slow walk")  # no longer taken as the plan's answer
    await alice.expect(r"I've kept your words")
    await alice.send("/safety")
    assert "tea on the balcony" in (await alice.expect(r"Your safety plan")).text
    await alice.press("✏️ What calms me")
    clear = alice.find_button("🗑 Clear this part")[0]
    await alice.press("🗑 Clear this part", clear)
    await alice.press("🗑 Clear this part", clear)  # a slow phone: the second tap changes nothing
    await alice.expect(r"Cleared: What calms me")
    assert (await alice.expect(r"Your safety plan")).text.count("not written yet") == 4
    await alice.expect_toast(r"already clear")


async def test_forget_deletes_the_plan_and_the_chosen_country(
    alice: FakeUser, running_bot: Any
) -> None:
    await alice.send("/safety")
    await alice.press("✏️ A safe place")
    await alice.send("my friend's flat on Elm street")
    await alice.expect(r"Saved to your safety plan")
    await alice.send("/help")
    await alice.press("If you don't feel safe")
    await alice.press("🌍 Numbers for another country")
    await alice.press("Ireland")
    await alice.expect(r"numbers for Ireland")
    await alice.send("/export")
    data = json.loads(await alice.expect_document("soft-start-data.json"))
    assert data["help_country"] == "IE" and data["safety_plan"]["place"].startswith("my friend")
    await alice.send("/forget")
    await alice.press("Yes, delete everything")
    await alice.expect(r"Everything I kept about you is deleted")
    await alice.send("/safety")
    assert (await alice.expect(r"Your safety plan")).text.count("not written yet") == 4
    await alice.send("/help")
    await alice.press("If you don't feel safe")
    assert "Ireland" not in (await alice.expect(r"carry it alone")).text


def test_the_operators_lines_are_added_to_the_countrys() -> None:
    country = CountryHelp("DE", "Germany", "112", (HelpLine(LineKind.CRISIS, "A", "1"),))
    extra = [HelpLine(LineKind.DIRECTORY, "", note="Our own line: 0800 000")]
    found = help_for("de", {"DE": country}, country, extra)
    assert found.lines[-1] == extra[0] and found.name == "Germany"
    fallback = CountryHelp("", "", "", ())
    assert help_for("ZZ", {"DE": country}, fallback) is fallback


async def test_mid_composer_the_plan_and_a_check_in_take_what_is_typed_for_them(
    alice: FakeUser,
) -> None:
    """The bot's last question is what a typed text answers: a check-in or a part of the plan
    asked mid-composer gets the words, and the draft waits where it was."""
    await reach(alice, 1)
    await alice.send("/checkin")
    await alice.expect(r"How are you feeling right now\? Tap a word")
    await alice.send("tired but ok")
    await alice.expect(r"Saved to your journal: tired but ok")
    await alice.send("/safety")
    await alice.press("✏️ A safe place")
    await alice.expect(r"where could you go")
    await alice.send("my brother's house")
    await alice.expect(r"Saved to your safety plan: A safe place")
    await alice.send("/compose")
    await alice.expect(QUESTIONS[1])
    await answer(alice, 1)
    await finish(alice)  # nothing typed for the others went into the message


async def test_a_tap_on_the_composer_brings_the_typing_back_to_it(alice: FakeUser) -> None:
    await reach(alice, 0)
    await alice.send("/checkin")
    await alice.expect(r"Tap a word, or type your own")
    question = alice.find_button("anxious")[0]  # the check-in's own keyboard
    composer = [m for m in alice.telegram.messages[alice.id].values() if "Step 1 of 4" in m.text]
    assert composer and question is not composer[-1]
    await alice.press("anxious", composer[-1])
    await alice.expect(QUESTIONS[1])
    await answer(alice, 1)  # a composer answer (the next question comes), not a check-in
    assert "Saved to your journal" not in alice.all_text()


async def test_a_threat_as_a_time_to_talk_is_held_too(alice: FakeUser, bob: FakeUser) -> None:
    await pair(alice, bob)
    delivered = await send_to(alice, bob)
    await bob.press("Let's talk…", delivered)
    when = await bob.expect(r"When would suit you to talk")
    await bob.press("I'll type a time", when)
    await bob.send("when you stop lying or I'll hurt you")
    await bob.expect(r"I haven't sent this to Alice")
    await bob.expect(r"frighten the person who reads them")
    await bob.send("you're dead when I get home")  # a reply typed freely, held as well
    await bob.expect(r"frighten the person who reads them")
    assert "hurt you" not in alice.all_text() and "dead" not in alice.all_text()


async def test_after_the_support_message_typing_is_talk_until_continue(alice: FakeUser) -> None:
    await reach(alice, 1)
    await alice.send("he shoves me when he drinks")
    await alice.expect(DANGER)
    await alice.send("thank you")
    await alice.expect(r"Nothing you write now goes into your message")
    await alice.press("Continue where I was")
    await alice.expect(QUESTIONS[1])
    await answer(alice, 1)
    await finish(alice)  # "thank you" is nowhere in the message


async def test_a_double_tap_on_a_country_answers_once(alice: FakeUser, telegram: Any) -> None:
    await alice.send("/help")
    await alice.press("If you don't feel safe")
    await alice.press("🌍 Numbers for another country")
    countries = await alice.expect(r"Which country are you in")
    spain = next(b for b in countries.buttons if b["text"] == "Spain")
    await alice.press_data(countries, spain["callback_data"])
    await alice.press_data(countries, spain["callback_data"])  # a slow phone
    await alice.expect(r"numbers for Spain")
    await alice.expect_toast(r"earlier message")
    assert alice.all_text().count("Here are the numbers for Spain") == 1


async def test_a_long_plan_part_is_kept_and_cancel_says_what_stays(alice: FakeUser) -> None:
    await alice.send("/safety")
    await alice.press("✏️ People I can call")
    people = "; ".join(f"friend number {n}, 0151 496 00{n:02d}" for n in range(20))
    assert 450 < len(people) < 1000
    await alice.send(people)
    await alice.expect(r"Saved to your safety plan: People I can call")
    await alice.press("✏️ What calms me")
    await alice.send("/cancel")
    await alice.expect(r"Okay, I left What calms me as it was")


async def test_after_a_mid_composer_check_in_the_draft_is_shown_again(alice: FakeUser) -> None:
    await reach(alice, 2)
    await alice.send("/checkin")
    await alice.send("shaky")
    await alice.expect(r"Saved to your journal: shaky")
    await alice.expect(r"Your soft start-up is waiting where you left it")
    await alice.expect(QUESTIONS[2])
    await answer(alice, 2)
    await finish(alice)


async def test_continue_works_for_a_kept_draft_too(alice: FakeUser) -> None:
    """A draft kept with /cancel (not in progress) is continued from the support message."""
    await reach(alice, 1)
    await alice.send("/cancel")
    await alice.expect(r"kept your draft")
    await alice.send("he shoves me when he drinks")
    await alice.expect(DANGER)
    await alice.send("sorry")
    await alice.expect(r"Nothing you write now goes into your message")
    await alice.press("Continue where I was")
    await alice.expect(QUESTIONS[1])
    await answer(alice, 1)
    await finish(alice)


async def test_words_for_ones_own_journal_are_kept_when_the_safety_net_speaks(
    alice: FakeUser,
) -> None:
    await alice.send("/checkin")
    await alice.send("scared")
    await alice.press("✍️ Want to say more?")
    # Worry for the relationship is not danger: saved, no alarm.
    await alice.send("I'm scared he'll leave")
    await alice.expect(r"Added to today's check-in")
    assert "might not be safe" not in alice.all_text()
    await alice.send("/checkin")
    await alice.send("he grabbed my wrist and shoved me")
    await alice.expect(r"might not be safe")
    await alice.expect(r"Saved to your journal: he grabbed my wrist")
    await alice.send("/journal")
    journal = await alice.expect(r"Your journal")
    assert "he grabbed my wrist and shoved me" in journal.text
    assert "scared: I'm scared he'll leave" in journal.text
