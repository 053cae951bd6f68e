"""The weekly reflection: what the records say, the picture, /week, and the opt-in message that
comes on Sundays at the person's time (quiet hours and a pause respected)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.content import Content
from bot.core.week import Named, PartOfDay, Records, summarise, weekly_bars
from bot.features.week import views
from bot.features.week.chart import feelings_chart
from tests.conftest import FakeClock
from tests.driver import FakeUser
from tests.test_reminders_flow import at_berlin, dispatcher_of, set_berlin_at_21
from tests.test_sharing import pair, send_to

BERLIN = ZoneInfo("Europe/Berlin")
# Sunday 29 November 2026, 20:00 in Berlin.
NOW = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
KNOWN = ["lonely", "tired", "anxious", "sad", "hurt"]


def _at(days_ago: float, hour: int) -> datetime:
    """A moment `days_ago` days before NOW, at `hour` in Berlin."""
    day = (NOW - timedelta(days=days_ago)).astimezone(BERLIN)
    return day.replace(hour=hour, minute=0).astimezone(UTC)


def test_a_week_read_back_with_its_pattern() -> None:
    records = Records(
        # Lonely on three weekday evenings; tired once; an unknown word as it was written.
        named=[
            Named(_at(5, 20), "pretty lonely tbh"),  # Tuesday
            Named(_at(4, 21), "lonely"),  # Wednesday
            Named(_at(3, 19), "Lonely again"),  # Thursday
            Named(_at(2, 8), "tired"),
            Named(_at(1, 12), "wobbly"),
            Named(_at(9, 20), "sad"),  # the week before: not in this one
        ],
        written=[_at(3, 19)],
        sent=[_at(3, 19)],
        answered=[_at(3, 20), _at(2, 9)],
        talks=[(_at(2, 21), True), (_at(1, 21), None)],
    )
    week = summarise(records, NOW, BERLIN, KNOWN)
    # "wobbly" is no feeling word the bot knows: counted as one in her own words, not named.
    assert week.feelings == [("lonely", 3), ("tired", 1)] and week.own_words == 1
    assert week.pattern is not None
    assert (week.pattern.weekend, week.pattern.part) == (False, PartOfDay.EVENING)
    assert (week.written, week.sent, week.answered) == (1, 1, 2)
    assert (week.went_well, week.was_hard) == (1, 0)
    assert not week.quiet


def test_no_pattern_without_the_persons_own_time_zone() -> None:
    records = Records(named=[Named(_at(days, 20), "lonely") for days in (5, 4, 3)])
    assert summarise(records, NOW, BERLIN, KNOWN).pattern is not None
    assert summarise(records, NOW, BERLIN, KNOWN, local_times=False).pattern is None


def test_a_quiet_week_is_only_that() -> None:
    week = summarise(Records(named=[Named(_at(10, 9), "sad")]), NOW, BERLIN, KNOWN)
    assert week.quiet and week.feelings == [] and week.pattern is None


def test_the_summary_reads_kindly(content: Content) -> None:
    records = Records(
        named=[
            Named(_at(5, 20), "lonely"),
            Named(_at(4, 21), "lonely"),
            Named(_at(3, 19), "lonely"),
        ],
        written=[_at(3, 19)],
        sent=[],
    )
    text = views.summary(content, summarise(records, NOW, BERLIN, KNOWN))
    assert "Feelings you named most: lonely (3×)." in text
    assert "You named “lonely” most often on weekday evenings." in text
    # Sent by copying or forwarding is sent all the same: no "0 sent".
    assert "Soft start-ups written: 1." in text and "sent" not in text
    assert content.words.week_suggestions["lonely"] in text
    assert "score" not in text.casefold()
    assert len(text) < 1024  # a photo's caption
    quiet = views.summary(content, summarise(Records(), NOW, BERLIN, KNOWN))
    assert quiet == content.texts.week_quiet


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    # The header's checksum holds: a whole, valid chunk.
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    return width, height


def test_the_picture_is_a_png_of_sensible_size(content: Content) -> None:
    records = Records(
        named=[
            Named(_at(days + 1, 20), feeling)
            for days, feeling in enumerate(
                ["lonely", "tired", "lonely", "anxious", "sad", "hurt", "lonely", "wobbly", "tired"]
                * 3
            )
        ]
    )
    bars, shown = weekly_bars(records, NOW, BERLIN, KNOWN, "other")
    assert len(bars) == 4 and len(shown) <= 6 and shown[-1] == "other"
    assert sum(sum(bar.counts.values()) for bar in bars) == 27
    picture = feelings_chart(bars, shown, views.chart_words(content))
    assert _png_size(picture) == (1080, 675)
    assert 5_000 < len(picture) < 300_000


async def test_week_on_demand_with_its_picture(
    alice: FakeUser, bob: FakeUser, clock: FakeClock
) -> None:
    # Soft start-ups and answers are stamped by the wall clock: the bot's clock agrees here.
    clock.set(datetime.now(UTC))
    clock.flow()
    await alice.send("/week")
    await alice.expect(r"A quiet week here")
    for feeling in ("lonely", "lonely, a bit"):
        await alice.send("/checkin")
        await alice.send(feeling)
        await alice.expect(r"Saved to your journal")
    await pair(alice, bob)
    await send_to(alice, bob)
    await bob.press("Thank you for telling me")
    await alice.expect(r"Thank you for telling me")
    await alice.send("/week")
    week = await alice.expect_photo(r"Your week")
    assert "Feelings you named most: lonely (2×), anxious (1×)." in week.text
    assert "Soft start-ups: 1 written, 1 sent to your partner here." in week.text
    assert "Your partner answered or said back what they heard 1×." in week.text
    assert week.photo is not None and _png_size(week.photo) == (1080, 675)
    # Bob's week is his own: nothing of Alice's in it.
    await bob.send("/week")
    theirs = await bob.expect(r"A quiet week here")
    assert "lonely" not in theirs.text


async def test_the_weekly_reflection_comes_on_sundays_when_turned_on(
    alice: FakeUser, clock: FakeClock, running_bot: Any
) -> None:
    await set_berlin_at_21(alice)  # Friday 27 March
    await alice.send("/reminders")
    panel = await alice.expect(r"Weekly reflection: off")
    on = panel.buttons[-1]["callback_data"]
    await alice.press("🪞 Weekly reflection: turn on", panel)
    await alice.press_data(panel, on)  # again (a second tap, an old panel): still just on
    await alice.expect(r"every Sunday at 19:00, the first on Sunday at 19:00")
    await alice.expect(r"every Sunday at 19:00, the first on Sunday at 19:00")
    await alice.send("/reminders")
    panel = await alice.expect(r"Weekly reflection: Sundays at 19:00")
    assert "🪞 Weekly reflection: turn off" in panel.labels
    await alice.send("/checkin")
    await alice.send("tired")
    await alice.expect(r"Saved to your journal")
    dispatcher = dispatcher_of(running_bot)
    await at_berlin(clock, 29, 18, 59)
    assert (await dispatcher.tick()).sent == 0
    await at_berlin(clock, 29, 19, 0)
    assert (await dispatcher.tick()).sent == 1
    week = await alice.expect_photo(r"Your week")
    assert "Feelings you named most: tired (1×)." in week.text
    # Paused for a week (that evening): the next Sunday passes in silence; the one after comes.
    await at_berlin(clock, 29, 20, 0)
    await alice.send("/reminders")
    await alice.press("⏸ Pause")
    await alice.press("7 days")
    await alice.expect(r"Paused\. They start again")
    clock.set(datetime(2026, 4, 5, 18, 59, tzinfo=BERLIN))
    await dispatcher.tick()
    clock.set(datetime(2026, 4, 5, 19, 0, tzinfo=BERLIN))
    await dispatcher.tick()
    clock.set(datetime(2026, 4, 12, 19, 0, tzinfo=BERLIN))
    await dispatcher.tick()
    # Nothing named this week; the picture still shows the weeks before.
    quiet = await alice.expect_photo(r"A quiet week here")
    assert quiet.photo is not None
    said = [e.message for e in alice.telegram.events[alice.id] if e.kind == "message"]
    weekly = [m for m in said if m and (m.photo is not None or "quiet week" in m.text)]
    assert len(weekly) == 2
    # Off: no more.
    await alice.send("/reminders")
    await alice.press("🪞 Weekly reflection: turn off")
    await alice.expect(r"The weekly reflection is off")
    clock.set(datetime(2026, 4, 19, 19, 0, tzinfo=BERLIN))
    assert (await dispatcher.tick()).sent == 0
