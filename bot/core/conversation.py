"""What a typed text answers, outside the composer: the one thing the bot last asked for.

The composer's own steps live on the draft; everything else the bot can ask a person to type
(a place, a time, a note, a reply to their partner) is one `Awaited`, kept per person, set when
the bot asks and cleared once the answer is taken. Answers that cannot be used (too long, a
time that is not one) leave it as it is, so the person can simply try again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Expecting(StrEnum):
    TIME_ZONE = "time_zone"  # a city, a zone, an offset, or the time on their clock
    DAILY_TIME = "daily_time"  # the time of the daily check-in
    CHECKIN = "checkin"  # how they feel, in their own words
    CHECKIN_MORE = "checkin_more"  # "say more" after a check-in: a note for the journal
    OUTCOME_NOTE = "outcome"  # how a talk went
    SEND_TIME = "send_time"  # when to be reminded to send a message
    PARTNER_REPLY = "reply"  # a written reply to the partner
    TALK_TIME = "talk_time"  # a time to talk, typed, for the partner
    TALK_OTHER = "talk_other"  # another time to talk, instead of the one the partner offered
    # Something just arrived from the partner: a typed text is likely an answer to it, and
    # is sent only once the person confirms (the text waits, see `pending_text`).
    INCOMING = "incoming"
    # "Say it my way": the listener's own words for what they heard (bot/core/reflect.py),
    # shown back before anything is sent.
    REFLECTION = "reflection"
    # "Not quite": the speaker's few words on what the listener missed; `message_id` is the
    # speaker's copy of that reflection.
    CORRECTION = "correction"
    # What the listener said back just arrived: a typed text is likely the answer to it ("yes
    # that's it", or what was missed), and waits for a tap; `message_id` is the speaker's copy.
    HEARD_ANSWER = "heard_answer"
    # An answer in the repair flow; `message_id` is the step (bot/core/repair.py), the answers
    # so far wait in `pending_text`.
    REPAIR = "repair"
    # An answer to a /practice exercise; `message_id` is the exercise's number.
    PRACTICE = "practice"
    # A nudge asked how they are: a typed text soon after it is a check-in.
    NUDGE_ANSWER = "nudge"
    # A part of the private safety plan (bot/core/safety.py).
    PLAN_SIGNS = "plan_signs"
    PLAN_CALM = "plan_calm"
    PLAN_PEOPLE = "plan_people"
    PLAN_PLACE = "plan_place"
    # The support message was shown mid-composer: a text is talk, not the next part, until
    # the person taps "Continue where I was" (or sends a command).
    SAFETY_PAUSE = "safety_pause"


# Guesses rather than questions: a newer guess may replace them, and a command keeps them
# only when losing them would lose words (the held answer to the partner).
GUESSES = frozenset({Expecting.INCOMING, Expecting.NUDGE_ANSWER, Expecting.HEARD_ANSWER})

# How long each stays open. After that a text is no longer taken for an answer: a reply
# prompt left for days must not send tonight's note to self to the partner.
NUDGE_ANSWER_OPEN = timedelta(hours=3)
REPLY_OPEN = timedelta(hours=1)
INCOMING_OPEN = timedelta(hours=12)
QUESTION_OPEN = timedelta(days=1)


@dataclass(frozen=True)
class Awaited:
    what: Expecting
    # The soft start-up it is about (send time, outcome, replies, reflections).
    message_id: int | None = None
    # Whom the answer goes to (replies to the partner).
    to_user: int | None = None
    # When the bot asked (None: not known, taken as just now).
    since: datetime | None = None


def still_open(awaited: Awaited | None, now: datetime) -> Awaited | None:
    """What a text typed `now` answers, given what was asked and when; None if nothing any
    more. A reply prompt left open too long still holds the words, but only with a question
    ("Is this your answer to Alice?") before anything is sent."""
    if awaited is None:
        return None
    if awaited.since is None:
        return awaited
    age = now - awaited.since
    if awaited.what is Expecting.NUDGE_ANSWER:
        return awaited if age <= NUDGE_ANSWER_OPEN else None
    if awaited.what in (
        Expecting.PARTNER_REPLY,
        Expecting.TALK_TIME,
        Expecting.TALK_OTHER,
        Expecting.REFLECTION,
    ):
        return awaited if age <= REPLY_OPEN else replace(awaited, what=Expecting.INCOMING)
    if awaited.what in (Expecting.INCOMING, Expecting.HEARD_ANSWER):
        return awaited if age <= INCOMING_OPEN else None
    return awaited if age <= QUESTION_OPEN else None
