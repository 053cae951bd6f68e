"""The composer end to end: the real Application against the fake Bot API, driven like a person."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.draft import MAX_PART_LENGTH
from tests.driver import FakeUser, eventually
from tests.fake_telegram import FakeTelegram

FEELING_Q = r"Step 1 of 4.*How are you feeling"
REASON_Q = r"Step 2 of 4.*What happened"
REGULATION_Q = r"Step 3 of 4.*take care of yourself"
REQUEST_Q = r"Step 4 of 4.*What would you appreciate"
REVIEW = r"Here is your soft start-up"
QUESTIONS = [FEELING_Q, REASON_Q, REGULATION_Q, REQUEST_Q, REVIEW]
ANSWERS = [
    "anxious",
    "the call ran late last night",
    "taking a few slow breaths",
    "if we could talk when you're ready",
]
COMPOSED = (
    r"I feel anxious because the call ran late last night\. I'm taking a few slow breaths\. "
    r"I would appreciate it if we could talk when you're ready\."
)


async def reach(user: FakeUser, step: int) -> None:
    """Starts /compose and answers the first `step` questions (0 = at FEELING, 4 = at REVIEW)."""
    await user.send("/compose")
    await user.expect(FEELING_Q)
    await answer(user, 0, step)


async def answer(user: FakeUser, first: int, stop: int = 4) -> None:
    """Answers questions `first` up to (not including) `stop`, each time seeing the next one."""
    for index in range(first, stop):
        await user.send(ANSWERS[index])
        await user.expect(QUESTIONS[index + 1])


async def finish(user: FakeUser, composed: str = COMPOSED) -> None:
    await user.press("✅ Done")
    await user.expect(rf"^{composed}$")
    await user.expect(r"Saved, and ready to copy or forward.*give your partner")


async def test_start_welcomes_and_says_it_is_not_therapy(alice: FakeUser) -> None:
    await alice.send("/start")
    welcome = await alice.expect(r"Hi Alice")
    assert "not therapy" in welcome.text
    assert welcome.labels == ["Compose a soft start-up"]


async def test_happy_path_with_buttons(alice: FakeUser) -> None:
    await alice.send("/start")
    await alice.press("Compose a soft start-up")
    await alice.expect(FEELING_Q)
    await alice.press("anxious")
    await alice.expect(r"You feel anxious.*What happened")
    await alice.send("because the call ran late last night.")
    await alice.expect(REGULATION_Q)
    await alice.press("taking a few slow breaths")
    await alice.expect(REQUEST_Q)
    await alice.press("if we could talk when you're ready")
    review = await alice.expect(REVIEW)
    assert COMPOSED.replace("\\", "") in review.text
    await finish(alice)


async def test_typed_answers_are_tidied(alice: FakeUser) -> None:
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    await alice.send("I'm feeling   Hurt 😢.")
    await alice.expect(REASON_Q)
    await alice.send("Because\nSam forgot   our dinner!!")
    await alice.expect(REGULATION_Q)
    await alice.send("I am writing in my journal")
    await alice.expect(REQUEST_Q)
    await alice.send("I would appreciate it if you could call me tonight.")
    await alice.expect(REVIEW)
    await finish(
        alice,
        r"I feel hurt 😢 because Sam forgot our dinner\. I'm writing in my journal\. "
        r"I would appreciate it if you could call me tonight\.",
    )


async def test_user_html_is_shown_exactly_as_typed(alice: FakeUser) -> None:
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    await alice.send("<b>tense</b> & </a>")
    await alice.expect(r"You feel <b>tense</b> & </a>")
    for answer in ["the <i>bill</i> & the rent", "breathing <3", "a <a href='x'>hug</a>"]:
        await alice.send(answer)
    review = await alice.expect(REVIEW)
    assert "I feel <b>tense</b> & </a> because the <i>bill</i> & the rent." in review.text
    assert "I'm breathing <3. I would appreciate a <a href='x'>hug</a>." in review.text


async def test_more_feelings_page(alice: FakeUser) -> None:
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    await alice.press("More…")
    more = await alice.expect(r"A few more words")
    assert "jealous" not in more.labels and "resentful" in more.labels
    await alice.press("‹ Back")
    first = await alice.expect(r"Tap a word")
    assert "anxious" in first.labels and len(first.labels) >= 17
    await alice.press("anxious")
    await alice.expect(r"You feel anxious\. What happened")


async def test_a_word_from_the_more_feelings_page_is_taken(alice: FakeUser) -> None:
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    await alice.press("More…")
    await alice.press("resentful")
    await alice.expect(r"You feel resentful\. What happened")


@pytest.mark.parametrize(
    ("edit", "new_answer", "expected"),
    [
        ("✏️ Feeling", "worried", r"I feel worried because the call ran late"),
        ("✏️ What happened", "the meeting ran over", r"because the meeting ran over\."),
        ("✏️ Self-care", "going for a short walk", r"I'm going for a short walk\."),
        ("✏️ Request", "a hug, if you're able", r"I would appreciate a hug, if you're able\."),
    ],
)
async def test_edit_each_part_from_review(
    alice: FakeUser, edit: str, new_answer: str, expected: str
) -> None:
    await reach(alice, 4)
    await alice.press(edit)
    question = await alice.expect(r"Changing one part")
    # Not "Step 1 of 4" after the review's "4 of 4": the progress never goes backwards.
    assert "Step" not in question.text
    await alice.send(new_answer)
    await alice.expect(rf"{REVIEW}.*{expected}")
    await alice.press("✅ Done")
    await alice.expect(expected)


async def test_start_over_from_review(alice: FakeUser) -> None:
    await reach(alice, 4)
    review = alice.last_message()
    assert review.buttons[0]["text"] == "✅ Done"  # alone on its row, far from Start over
    await alice.press("↺ Start over")
    await alice.press("No, keep my draft")  # it asks first
    await alice.expect(REVIEW)
    await alice.press("↺ Start over")
    await alice.press("Yes, start over")
    await alice.expect(r"fresh start")
    await alice.expect(FEELING_Q)
    await alice.send("sad")
    await alice.expect(r"You feel sad")


@pytest.mark.parametrize("step", [1, 2, 3, 4])
async def test_back_returns_one_step_and_keeps_answers(alice: FakeUser, step: int) -> None:
    await reach(alice, step)
    await alice.send("/back")
    await alice.expect(QUESTIONS[step - 1])
    await alice.send(ANSWERS[step - 1])
    await alice.expect(QUESTIONS[step])
    await answer(alice, step)
    await finish(alice)


async def test_back_at_first_step_stays(alice: FakeUser) -> None:
    await reach(alice, 0)
    await alice.send("/back")
    await alice.expect(r"first step already")
    await alice.expect(FEELING_Q)


async def test_cancel_keeps_the_draft_and_compose_offers_to_resume(alice: FakeUser) -> None:
    await reach(alice, 2)
    await alice.send("/cancel")
    await alice.expect(r"kept your draft")
    await alice.send("hello?")
    await alice.expect(r"/compose starts one")
    await alice.send("/compose")
    await alice.expect(r"draft from earlier, at step 3 of 4")
    await alice.press("Continue my draft")
    await alice.expect(REGULATION_Q)
    await answer(alice, 2)
    await finish(alice)


async def test_cancel_then_start_a_new_one(alice: FakeUser) -> None:
    await reach(alice, 3)
    await alice.send("/cancel")
    await alice.expect(r"kept your draft")
    await alice.send("/compose")
    await alice.press("Start a new one")
    await alice.expect(r"fresh start")
    await alice.expect(FEELING_Q)


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4])
async def test_help_mid_flow_keeps_the_place(alice: FakeUser, step: int) -> None:
    await reach(alice, step)
    await alice.send("/help")
    await alice.expect(r"How Soft Start works")
    await alice.expect(r"where we were")
    await alice.expect(QUESTIONS[step])


async def test_faux_feeling_offers_feelings_underneath(alice: FakeUser) -> None:
    await reach(alice, 0)
    await alice.send("I feel ignored")
    offer = await alice.expect(r"\"ignored\" says a lot")
    assert offer.labels == ["lonely", "hurt", "sad", "Keep “ignored”"]
    await alice.press("lonely")
    await alice.expect(r"You feel lonely")


async def test_faux_feeling_can_be_kept(alice: FakeUser) -> None:
    await reach(alice, 0)
    await alice.send("Unappreciated")
    await alice.expect(r"says a lot")
    await alice.press("Keep “unappreciated”")
    await alice.expect(r"You feel unappreciated")


async def test_faux_feeling_can_be_replaced_by_typing(alice: FakeUser) -> None:
    await reach(alice, 0)
    await alice.send("rejected")
    await alice.expect(r"says a lot")
    await alice.send("scared")
    await alice.expect(r"You feel scared")


BAD_INPUTS = {
    "sticker": (lambda u: u.send_sticker(), r"only read text"),
    "photo": (lambda u: u.send_photo(), r"only read text"),
    "voice": (lambda u: u.send_voice(), r"only read text"),
    "location": (lambda u: u.send_location(), r"only read text"),
    "edit": (lambda u: u.edit_last("something else"), r"edited a message"),
    "blank": (lambda u: u.send("   \n  "), r"didn't catch any words"),
    "too long": (lambda u: u.send("a" * (MAX_PART_LENGTH + 1)), rf"up to {MAX_PART_LENGTH}"),
    "unknown command": (lambda u: u.send("/dance"), r"don't know that command"),
}


@pytest.mark.parametrize("step", [0, 1, 2, 3])
@pytest.mark.parametrize("kind", list(BAD_INPUTS))
async def test_bad_input_gets_a_kind_reply_and_the_draft_is_untouched(
    alice: FakeUser, step: int, kind: str
) -> None:
    await reach(alice, step)
    act, reply = BAD_INPUTS[kind]
    await act(alice)
    await alice.expect(reply)
    await answer(alice, step)
    await finish(alice)


FORMULA_ONLY = ["I feel", "because", "I'm", "I would appreciate"]


@pytest.mark.parametrize("step", [0, 1, 2, 3])
async def test_only_the_formula_words_is_not_an_answer(alice: FakeUser, step: int) -> None:
    await reach(alice, step)
    await alice.send(FORMULA_ONLY[step])
    await alice.expect(r"didn't catch any words")
    await alice.send(ANSWERS[step])
    await alice.expect(QUESTIONS[step + 1])


@pytest.mark.parametrize("kind", ["sticker", "edit", "unknown command", "blank"])
async def test_bad_input_at_review(alice: FakeUser, kind: str) -> None:
    await reach(alice, 4)
    act, reply = BAD_INPUTS[kind]
    await act(alice)
    if kind == "blank":
        # Typing at the review (even nothing) shows the review and its buttons again.
        await alice.expect_buttons("✅ Done", "↺ Start over")
    else:
        await alice.expect(reply)
    await finish(alice)


async def test_text_at_review_shows_the_buttons_again(alice: FakeUser) -> None:
    await reach(alice, 4)
    await alice.send("hmm, let me read it again")
    await alice.expect_buttons("✅ Done", "↺ Start over")
    await finish(alice)


@pytest.mark.parametrize("step", [1, 2, 3, 4])
async def test_a_button_from_an_old_message_is_stale(alice: FakeUser, step: int) -> None:
    await alice.send("/compose")
    first_question = await alice.expect(FEELING_Q)
    hurt = next(b for b in first_question.buttons if b["text"] == "hurt")["callback_data"]
    await answer(alice, 0, step)
    # Answered by typing: its buttons went away...
    await eventually(lambda: _true(not first_question.buttons), "the buttons gone")
    # ...and one tapped all the same (kept on another device, or forged) is an earlier one.
    await alice.press_data(first_question, hurt)
    await alice.expect_toast(r"earlier message")
    await alice.expect(QUESTIONS[step])
    await answer(alice, step)
    await finish(alice)


async def _true(condition: bool) -> bool | None:
    return True if condition else None


async def test_typed_answers_leave_only_the_current_question_tappable(alice: FakeUser) -> None:
    await alice.send("/compose")
    questions = [await alice.expect(FEELING_Q)]
    for index in range(4):
        await alice.send(ANSWERS[index])
        questions.append(await alice.expect(QUESTIONS[index + 1]))
    review = questions.pop()
    await eventually(
        lambda: _true(not any(q.buttons for q in questions)), "every earlier question bare"
    )
    assert "✅ Done" in review.labels
    await finish(alice)


async def test_a_tapped_choice_is_written_under_its_question(alice: FakeUser) -> None:
    await alice.send("/compose")
    feeling = await alice.expect(FEELING_Q)
    await alice.press("hurt", message=feeling)
    await alice.expect(REASON_Q)
    assert feeling.text.endswith("Feeling: hurt ✓") and "How are you feeling" in feeling.text
    assert not feeling.buttons
    await alice.send(ANSWERS[1])
    care = await alice.expect(REGULATION_Q)
    choice = care.labels[0]
    await alice.press(choice, message=care)
    await alice.expect(REQUEST_Q)
    assert care.text.endswith(f"Self-care: {choice} ✓") and not care.buttons
    request = alice.last_message()
    asked = request.labels[0]
    await alice.press(asked, message=request)
    await alice.expect(REVIEW)
    assert request.text.endswith(f"Request: {asked} ✓")
    await alice.press("✅ Done")


async def test_forged_button_data_is_stale(alice: FakeUser) -> None:
    await reach(alice, 0)
    question = alice.last_message()
    await alice.press_data(question, "pick:feeling:999")
    await alice.expect_toast(r"earlier message")
    await alice.press_data(question, "review:done")
    await alice.expect_toast(r"earlier message")
    await alice.send("anxious")
    await alice.expect(REASON_Q)


async def test_old_buttons_after_finishing(alice: FakeUser) -> None:
    await reach(alice, 4)
    review = alice.last_message()
    await finish(alice)
    await alice.press_data(review, "review:done")
    # A toast alone: a double tap on a button that just did its work adds nothing to the chat.
    toast = await alice.expect_toast(r"earlier message")
    assert "/compose starts a new soft start-up" in toast
    await alice.send("/journal")
    await alice.expect(r"journal")
    assert "I'm here when" not in alice.all_text()


async def test_outside_the_conversation(alice: FakeUser) -> None:
    await alice.send("/dance")
    await alice.expect(r"don't know that command")
    await alice.send("hi")
    await alice.expect(r"/compose starts one")
    await alice.send_sticker()
    await alice.expect(r"/compose starts one")
    await alice.send("/back")
    await alice.expect(r"nothing to go back to")
    await alice.send("/cancel")
    await alice.expect(r"nothing to cancel")
    await alice.send("/help")
    await alice.expect(r"How Soft Start works")


async def test_compose_mid_flow_shows_where_we_are(alice: FakeUser) -> None:
    await reach(alice, 2)
    await alice.send("/compose")
    await alice.expect(REGULATION_Q)


async def test_two_users_compose_at_once_without_mixing(alice: FakeUser, bob: FakeUser) -> None:
    await asyncio.gather(reach(alice, 0), reach(bob, 0))
    await alice.send("anxious")
    await bob.send("sad")
    await asyncio.gather(alice.expect(r"You feel anxious"), bob.expect(r"You feel sad"))
    for index in range(1, 4):
        await alice.send(f"alice {ANSWERS[index]}")
        await bob.send(f"bob {ANSWERS[index]}")
        await asyncio.gather(alice.expect(QUESTIONS[index + 1]), bob.expect(QUESTIONS[index + 1]))
    alice_review = alice.last_message().text
    bob_review = bob.last_message().text
    assert "bob" not in alice_review and "I feel anxious" in alice_review
    assert "alice" not in bob_review and "I feel sad" in bob_review


async def test_a_failed_reply_says_the_answer_was_saved_and_the_draft_survives(
    alice: FakeUser, telegram: FakeTelegram
) -> None:
    await reach(alice, 1)
    telegram.fail("sendMessage", 400, "Bad Request: something odd", chat_id=alice.id)
    await alice.send(ANSWERS[1])
    await alice.expect(r"That's saved ✔️, but my next message didn't reach you")
    await alice.send("/compose")
    await alice.expect(REGULATION_Q)


async def test_command_menu_is_set_at_start_up(telegram: FakeTelegram, alice: FakeUser) -> None:
    commands = telegram.calls_of("setMyCommands")[0].params["commands"]
    names = [command["command"] for command in commands]
    assert names[:2] == ["start", "compose"] and {"help", "cancel", "back"} <= set(names)


async def test_logs_never_hold_what_people_wrote(
    alice: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    secret = "zebra-umbrella-7741"
    await reach(alice, 0)
    await alice.send(f"anxious {secret}")
    await alice.expect(REASON_Q)
    await alice.send(f"because {secret}")
    await alice.expect(REGULATION_Q)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "handler=answer_text" in logged
    assert secret not in logged


async def test_saved_but_next_question_lost_says_so_and_a_resend_is_not_needed(
    alice: FakeUser, telegram: FakeTelegram
) -> None:
    await alice.send("/compose")
    await alice.expect(FEELING_Q)
    telegram.fail("sendMessage", 500, "Internal Server Error", chat_id=alice.id)
    await alice.send(ANSWERS[0])
    await alice.expect(r"That's saved ✔️, but my next message didn't reach you")
    await alice.send("/compose")
    await alice.expect(REASON_Q)
    await answer(alice, 1)
    await finish(alice)


async def test_typing_at_the_review_finishes_on_done_and_otherwise_says_what_the_buttons_do(
    alice: FakeUser,
) -> None:
    await reach(alice, 4)
    review = alice.last_message()
    await alice.send("actually change the feeling to hurt")
    again = await alice.expect(REVIEW)
    assert again.text.startswith("Your message stays as it is until you tap")
    await alice.send("Done.")
    await alice.expect(rf"^{COMPOSED}$")
    await eventually(lambda: _true(not again.buttons and not review.buttons), "reviews bare")
