"""What a typed text answers, outside the composer: the one thing the bot last asked for.

The composer's own steps live on the draft; everything else the bot can ask a person to type
(a place, a time, a note, a reply to their partner) is one `Awaited`, kept per person, set when
the bot asks and cleared once the answer is taken. Answers that cannot be used (too long, a
time that is not one) leave it as it is, so the person can simply try again."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Expecting(StrEnum):
    TIME_ZONE = "time_zone"  # a city, a zone, an offset, or the time on their clock
    DAILY_TIME = "daily_time"  # the time of the daily check-in
    CHECKIN = "checkin"  # how they feel, in their own words
    OUTCOME_NOTE = "outcome"  # how a talk went
    SEND_TIME = "send_time"  # when to be reminded to send a message
    PARTNER_REPLY = "reply"  # a written reply to the partner
    TALK_TIME = "talk_time"  # a time to talk, typed, for the partner
    # Something just arrived from the partner: a typed text is likely an answer to it, and
    # is sent only once the person confirms (the text waits, see `pending_text`).
    INCOMING = "incoming"


@dataclass(frozen=True)
class Awaited:
    what: Expecting
    # The soft start-up it is about (send time, outcome, replies).
    message_id: int | None = None
    # Whom the answer goes to (replies to the partner).
    to_user: int | None = None
