"""A crawler that walks every screen of the bot like a restless person, and checks after every
action what must always hold.

From a set of starting states (a new user, the composer at each step, the review, a finished
message, a pairing with a message delivered to the partner, and said back by them, reminders
set, a nudge received, after /forget, ...) it walks: it taps every button the bot shows, types
samples at every prompt (an answer, a time, a city, an emoji, 401 characters, zero-width
spaces), sends commands at any moment, taps buttons from earlier messages, taps forged buttons,
and sends updates that have no sender. Each walk is deterministic: a fixed seed per starting
state, the untried actions of the current screen first, in a fixed order.

After every action:
- no ERROR record in the log (the bot's error handler logs every unhandled exception);
- no generic "something went wrong" reply;
- every tap answered exactly once (the fake refuses a second answer, as Telegram does);
- nothing sent to a chat that never talked to the bot, nor to a bystander who only said /start,
  nor another person's words shown in someone else's chat;
- every text, command, sticker or edit gets a reply in that chat;
- a forged button, or a composer button from a step the draft has left, leaves the draft as it
  was.

A failure lists each distinct defect once, with the shortest path that showed it and the last
replies the person saw.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import TracebackType
from typing import Any

import pytest
from sqlalchemy import update

from bot.core.draft import Step
from bot.settings import Settings
from bot.storage.models import ReminderRow
from tests.driver import FakeUser, UpdateTracker
from tests.fake_telegram import FakeTelegram, SentMessage
from tests.test_compose_flow import QUESTIONS
from tests.test_reminders_flow import NUDGE

# --- what the restless person does ---------------------------------------------------------

SAMPLES = {
    "answer": "tired",
    "time": "21:30",
    "city": "Berlin",
    "emoji": "🙂",
    "401 chars": ("I keep thinking about what happened yesterday evening. " * 8)[:401],
    "zero-width": "\u200b\u200b",
}
COMMANDS = [
    "/start",
    "/compose",
    "/back",
    "/cancel",
    "/help",
    "/history",
    "/partner",
    "/reminders",
    "/checkin",
    "/journal",
    "/learn",
    "/practice",
    "/week",
    "/safety",
    "/export",
    "/forget",
]
# Callback data no screen of the bot ever offers: random strings, and each button family's
# prefix with garbage, out-of-range numbers, other people's ids, numbers too big for a bigint.
HUGE = "9" * 24
FORGED = [
    "x",
    "?!",
    "garbage:with:colons",
    "compose:",
    "draft:",
    "draft:zzz",
    "pick:feeling:999",
    "pick:feeling:x",
    "pick:nonsense:1",
    "pick:review:0",
    f"pick:request:{HUGE}",
    "review:",
    "review:edit:nonsense",
    "review:zzz",
    "check:keep:nonsense:feeling",
    "check:rewrite:zz:zz",
    "faux:99",
    f"faux:{HUGE}",
    "feelings:zzz",
    "flood:",
    "brk:never",
    "history:page:999999",
    f"history:page:{HUGE}",
    "history:show:999999999",
    f"history:show:{HUGE}",
    "history:show:1",
    "history:show:2",
    "cipage:9",
    "cipage:x",
    "learn:999",
    f"learn:{HUGE}",
    "repair:start",
    "repair:ready",
    "repair:zzz",
    "rm:weekly:maybe",
    "rm:weekly:",
    "rm:tz:Not/AZone",
    "rm:tz:",
    "rm:at:9999",
    "rm:at:2460",
    "rm:day:9",
    "rm:day:0",
    "rm:quiet:99999999",
    "rm:quiet:25002500",
    "rm:pause:0",
    f"rm:pause:{HUGE}",
    "rm:zzz",
    "ci:999",
    f"ci:{HUGE}",
    "fu:ask:999999999",
    f"fu:ask:{HUGE}",
    "fu:hour:1",
    "fu:type:2",
    "oc:well:999999999",
    "oc:write:1",
    "share:partner:1",
    f"share:partner:{HUGE}",
    "reply:thanks:999999999",
    "reply:time:1",
    "reply:evening:1",
    "cb:hour:1",
    "cb:none:999999999",
    f"cb:tomorrow:{HUGE}",
    "cb:never:1",
    "tk:yes:1:0",
    "tk:yes:1:29580000",
    "tk:other:999999999:0",
    f"tk:yes:1:{HUGE}",
    "tk:maybe:1:0",
    "ci:more",
    "reply:write:1",
    f"reply:talk:{HUGE}",
    "practice:go:999",
    "practice:go:38",
    f"practice:go:{HUGE}",
    "practice:hint:37",
    "practice:show:999999999",
    "practice:stop:5",
    "heard:offer:999999999",
    f"heard:offer:{HUGE}",
    "heard:offer:1",
    "heard:send:1:1:p:1",
    "heard:send:1:1:o:0",
    f"heard:send:1:{HUGE}:p:1",
    "heard:own:1",
    "heard:skip:1",
    "heard:ans:yes:1",
    "heard:ans:no:999999999",
    "heard:ans:maybe:1",
    "heard:plain:1",
    "heard:fix:1:1",
    "heard:typed:1:1",
    "heard:keep:1",
    f"heard:keep:{HUGE}",
    f"heard:fix:{HUGE}:1",
    "history:heard:1",
    f"history:heard:{HUGE}",
    "pair:yes:" + "A" * 43,
    "pair:no:" + "B" * 43,
    "partner:zzz",
    "partner:end:maybe",
    "forget:zzz",
    "safety:zzz",
    "plan:zzz",
    "planedit:zzz",
    "planclear:zzz",
    "helpc:ZZ",
    "helpc:" + "A" * 49,
    "helpcc:1",
    "nd:zzz",
    "of:zzz",
    "fu:zzz",
]
# Composer buttons name the step they answer; tapped when the draft is elsewhere, they are
# stale and must change nothing.
STEP_OF_PREFIX = {
    "faux:": Step.FEELING,
    "feelings:": Step.FEELING,
    "review:": Step.REVIEW,
    "check:": Step.REVIEW,
}
APOLOGY = "something went wrong"
TIMEOUT = 8.0


@dataclass(frozen=True)
class Action:
    actor: int  # index into the walker's people
    kind: str  # press, old, forged, text, command, sticker, edit, senderless
    value: str  # callback data, text, or the kind of sender-less update
    label: str = ""
    message: SentMessage | None = field(default=None, compare=False, hash=False)

    def describe(self, people: list[FakeUser]) -> str:
        who = people[self.actor].first_name
        if self.kind in {"press", "old"}:
            return f"{who}: {self.kind} {self.label!r} [{self.value}]"
        if self.kind == "forged":
            return f"{who}: forged button [{self.value}]"
        if self.kind in {"text", "command"}:
            shown = (
                self.value if len(self.value) < 40 else f"{self.value[:20]}… ({len(self.value)})"
            )
            return f"{who}: sends {shown!r}"
        return f"{who}: {self.kind} {self.value}".rstrip()


@dataclass
class Defect:
    kind: str
    detail: str
    path: list[str]
    replies: list[str]

    def show(self) -> str:
        steps = "\n".join(f"    {i + 1}. {step}" for i, step in enumerate(self.path))
        replies = "\n".join(f"    > {_short(r)}" for r in self.replies[-4:]) or "    (none)"
        return f"* {self.kind}: {self.detail}\n  path:\n{steps}\n  last replies:\n{replies}"


def _short(text: str, limit: int = 160) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _shape(text: str) -> str:
    """A defect's key: numbers and ids made alike, so one defect is reported once."""
    return re.sub(r"\d+", "N", text)


class ErrorLog(logging.Handler):
    """Every ERROR record, whoever logged it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _error_key(record: logging.LogRecord) -> str:
    where = ""
    if record.exc_info and record.exc_info[2] is not None:
        tb: TracebackType | None = record.exc_info[2]
        frames: list[TracebackType] = []
        while tb is not None:
            frames.append(tb)
            tb = tb.tb_next
        own = [f for f in frames if "/bot/" in f.tb_frame.f_code.co_filename] or frames
        code = own[-1].tb_frame.f_code
        where = f" at {code.co_filename.split('/bot/')[-1]}:{own[-1].tb_lineno} ({code.co_name})"
        error = record.exc_info[1]
        return f"{type(error).__name__}: {_short(str(error), 120)}{where}"
    return _shape(record.getMessage())


# --- the crawl -----------------------------------------------------------------------------


class Crawl:
    """What all walkers share: the bot, the fake, the log, and the defects found."""

    def __init__(self, application: Any, telegram: FakeTelegram, errors: ErrorLog) -> None:
        self.application = application
        self.telegram = telegram
        self.errors = errors
        self.tracker = UpdateTracker(application)
        self.storage = application.bot_data["services"].storage
        self.apology = application.bot_data["services"].content.texts.error
        self.defects: dict[tuple[str, str], Defect] = {}
        self.update_owner: dict[int, Walker] = {}
        self.markers: dict[str, set[int]] = {}  # someone's private words -> chats allowed to see
        self.bystander: FakeUser | None = None
        self.bystander_events = 0
        self.calls_seen = 0
        self.errors_seen = 0
        self.actions = 0
        self.screens: set[tuple[int, str]] = set()

    def report(self, kind: str, detail: str, walker: Walker, actor: int = 0) -> None:
        key = (kind, _shape(detail))
        path = [*walker.setup_path, *walker.path]
        known = self.defects.get(key)
        if known is None or len(path) < len(known.path):
            self.defects[key] = Defect(kind, detail, path, walker.replies(actor))

    def check_global(self, walker: Walker) -> None:
        """What no action of anyone may do: log an error, write to a stranger or bystander."""
        records = self.errors.records
        while self.errors_seen < len(records):
            record = records[self.errors_seen]
            self.errors_seen += 1
            found = re.search(r"update=(\d+)", record.getMessage())
            owner = self.update_owner.get(int(found.group(1))) if found else None
            self.report("ERROR logged", _error_key(record), owner or walker)
        calls = self.telegram.calls
        while self.calls_seen < len(calls):
            call = calls[self.calls_seen]
            self.calls_seen += 1
            chat = call.params.get("chat_id")
            writes = call.method.startswith(("send", "edit", "copy", "forward"))
            if writes and chat is not None and int(chat) not in self.telegram.talked:
                self.report("sent to a stranger", f"{call.method} to chat {chat}", walker)
        if self.bystander is not None:
            events = self.telegram.events[self.bystander.id]
            if len(events) > self.bystander_events:
                self.bystander_events = len(events)
                shown = events[-1].message.text if events[-1].message else events[-1].toast
                self.report("sent to a bystander", _short(shown, 80), walker)


class Walker:
    """One starting state, walked several times, each time by new people from the same setup."""

    def __init__(
        self,
        crawl: Crawl,
        name: str,
        setup: Callable[[Walker], Awaitable[None]],
        first_id: int,
        people: int,
        seed: int,
    ) -> None:
        self.crawl = crawl
        self.name = name
        self.setup = setup
        self.next_id = first_id
        self.count = people
        self.rng = random.Random(seed)
        self.tried: set[tuple[int, str, Action]] = set()
        self.people: list[FakeUser] = []
        self.setup_path: list[str] = []
        self.path: list[str] = []
        self.buttons_seen: dict[int, dict[tuple[int, str], tuple[SentMessage, str]]] = {}
        self.event_cursor: dict[int, int] = {}
        self.callbacks: dict[str, Action] = {}
        self.marker = ""

    # --- people and what they see --------------------------------------------------------

    def new_people(self) -> None:
        names = ["Alice", "Bob"]
        self.people = []
        for index in range(self.count):
            self.people.append(FakeUser(self.crawl.telegram, self.next_id, names[index]))
            self.next_id += 1
        self.setup_path, self.path = [f"(starting state: {self.name})"], []
        self.buttons_seen = {p.id: {} for p in self.people}
        self.marker = f"qz{self.people[0].id}qz"

    @property
    def chats(self) -> set[int]:
        return {p.id for p in self.people}

    def replies(self, actor: int) -> list[str]:
        if not self.people:
            return []
        events = self.crawl.telegram.events[self.people[actor].id]
        return [
            (e.message.text if e.message else f"(toast) {e.toast}")
            for e in events[-4:]
            if e.message is not None or e.toast
        ]

    def current(self, user: FakeUser) -> list[tuple[SentMessage, dict[str, Any]]]:
        """The buttons on the newest two messages that have any: what the person looks at."""
        messages = [m for m in self.crawl.telegram.messages[user.id].values() if m.buttons]
        return [(m, b) for m in messages[-2:] for b in m.buttons]

    def screen(self, user: FakeUser) -> str:
        messages = list(self.crawl.telegram.messages[user.id].values())
        if not messages:
            return "(nothing yet)"
        labels = ",".join(b["text"] for _, b in self.current(user))
        return _shape(messages[-1].text[:50]) + "|" + _shape(labels)

    def remember_buttons(self) -> None:
        for person in self.people:
            seen = self.buttons_seen[person.id]
            for message in self.crawl.telegram.messages[person.id].values():
                for button in message.buttons:
                    data = button.get("callback_data")
                    if data is not None and (message.message_id, data) not in seen:
                        copy = replace(message, reply_markup=dict(message.reply_markup or {}))
                        seen[(message.message_id, data)] = (copy, button["text"])

    def menu(self, actor: int) -> list[Action]:
        """Everything this person could do now, in a fixed order: the buttons in front of
        them, typed samples, commands, media, old buttons, forged buttons, sender-less."""
        user = self.people[actor]
        actions: list[Action] = []
        current = self.current(user)
        for message, button in current:
            if "callback_data" in button:
                actions.append(
                    Action(actor, "press", button["callback_data"], button["text"], message)
                )
        actions += [Action(actor, "text", text, name) for name, text in SAMPLES.items()]
        actions += [Action(actor, "command", command) for command in COMMANDS]
        actions += [Action(actor, "sticker", ""), Action(actor, "edit", "an edit")]
        now = {(m.message_id, b.get("callback_data")) for m, b in current}
        old = [(k, v) for k, v in self.buttons_seen[user.id].items() if k not in now]
        for (_, data), (message, label) in old[-6:]:
            actions.append(Action(actor, "old", data, label, message))
        actions += [Action(actor, "forged", data) for data in self.rng.sample(FORGED, 2)]
        actions.append(Action(actor, "senderless", "channel_post"))
        return actions

    def choose(self) -> Action:
        """Something not yet done on this screen (a button in front of them half the time),
        else anything; the person acting is picked at random when there are two."""
        actor = self.rng.randrange(len(self.people))
        screen = self.screen(self.people[actor])
        self.crawl.screens.add((actor, f"{self.name}:{screen}"))
        menu = self.menu(actor)
        untried = [a for a in menu if (actor, screen, a) not in self.tried] or menu
        presses = [a for a in untried if a.kind == "press"]
        pool = presses if presses and self.rng.random() < 0.5 else untried
        action = self.rng.choice(pool)
        self.tried.add((actor, screen, action))
        return action

    # --- acting and checking ---------------------------------------------------------------

    async def push(self, action: Action) -> int:
        user = self.people[action.actor]
        if action.kind in {"press", "old", "forged"}:
            message = action.message or self._any_message(user)
            return await user.press_data(message, action.value)
        if action.kind in {"text", "command"}:
            return await user.send(action.value)
        if action.kind == "sticker":
            return await user.send_sticker()
        if action.kind == "edit":
            return await user.edit_last(action.value)
        kind, _, text = action.value.partition(" ")
        return await user.send_without_sender(kind, text or "/start")

    def _any_message(self, user: FakeUser) -> SentMessage:
        """Where a forged tap comes from: the newest message with buttons (a tampered client
        can send any data, but only from a message that has a keyboard), else the newest."""
        messages = list(self.crawl.telegram.messages[user.id].values())
        with_buttons = [m for m in messages if m.buttons]
        if with_buttons or messages:
            return (with_buttons or messages)[-1]
        return SentMessage(user.id, 1, "(no message)", "(no message)")

    async def act(self, action: Action) -> None:
        crawl = self.crawl
        began = time.monotonic()
        user = self.people[action.actor]
        self.path.append(action.describe(self.people))
        before = await crawl.storage.load_draft(user.id)
        events_before = len(crawl.telegram.events[user.id])
        update_id = await self.push(action)
        if action.kind in {"press", "old", "forged"}:
            # The query just pushed (nothing ran in between: pushing never waits).
            self.callbacks[next(reversed(crawl.telegram.callback_updates))] = action
        crawl.update_owner[update_id] = self
        crawl.actions += 1
        chats = self.chats | {user.channel_id}
        if not await crawl.tracker.handled(update_id, chats, TIMEOUT):
            self.report("no end", f"update not handled within {TIMEOUT} s", action.actor)
        if action.kind == "senderless":
            await asyncio.sleep(0.05)
        self.check(action, user, before, events_before)
        self.remember_buttons()
        if os.environ.get("CRAWL_TRACE"):
            print(f"{time.monotonic() - began:6.3f}s {self.name}: {self.path[-1]}")

    def report(self, kind: str, detail: str, actor: int = 0) -> None:
        self.crawl.report(kind, detail, self, actor)

    def check(self, action: Action, user: FakeUser, before: Any, events_before: int) -> None:
        crawl = self.crawl
        crawl.check_global(self)
        telegram = crawl.telegram
        # Every tap answered exactly once.
        for query_id, tapped in list(self.callbacks.items()):
            count = telegram.callback_answers.get(query_id, 0)
            if count != 1:
                self.report(
                    f"tap answered {count} times",
                    f"{tapped.kind} [{_shape(tapped.value)}]",
                    action.actor,
                )
            del self.callbacks[query_id]
        # No generic apology; nobody's private words in another's chat.
        for person in self.people:
            events = telegram.events[person.id]
            for event in events[self.event_cursor.get(person.id, 0) :]:
                if event.message is None:
                    continue
                if APOLOGY in event.message.text:
                    self.report(
                        "generic apology",
                        f"after {action.kind} [{_shape(action.value)}]",
                        action.actor,
                    )
                for marker, allowed in crawl.markers.items():
                    if marker in event.message.text and person.id not in allowed:
                        self.report(
                            "someone else's words shown",
                            f"{marker} in {person.first_name}'s chat",
                            action.actor,
                        )
            self.event_cursor[person.id] = len(events)
        # Nothing typed is dropped.
        if action.kind in {"text", "command", "sticker", "edit"}:
            new = telegram.events[user.id][events_before:]
            if not any(e.kind in {"message", "edit"} for e in new):
                self.report(
                    "no reply", f"to {action.kind} {_short(action.value, 30)!r}", action.actor
                )
        self._pending_draft_check = (action, user, before)

    async def check_draft(self) -> None:
        action, user, before = self._pending_draft_check
        if action.kind == "text" and action.value == SAMPLES["zero-width"]:
            await self.check_invisible(action, user)
        stale = action.kind == "forged" or (action.kind == "old" and self._stale(action, before))
        if not stale:
            return
        after = await self.crawl.storage.load_draft(user.id)
        if after != before:
            self.report(
                "draft changed by a stale or forged tap",
                f"{action.kind} [{_shape(action.value)}]: {_draft(before)} -> {_draft(after)}",
                action.actor,
            )

    async def check_invisible(self, action: Action, user: FakeUser) -> None:
        """Text with nothing visible in it is never kept as an answer or a journal note."""
        storage = self.crawl.storage
        draft = await storage.load_draft(user.id)
        if draft is not None:
            for part in (Step.FEELING, Step.REASON, Step.REGULATION, Step.REQUEST):
                if draft.part(part) and not _visible(draft.part(part)):
                    self.report(
                        "invisible answer saved",
                        f"draft {part.value} = {draft.part(part)!r}",
                        action.actor,
                    )
        for entry in await storage.reminders.journal(user.id, 50):
            for text in (entry.feeling, entry.note):
                if text and not _visible(text):
                    self.report(
                        "invisible answer saved", f"journal {entry.kind} {text!r}", action.actor
                    )

    @staticmethod
    def _stale(action: Action, draft: Any) -> bool:
        data = action.value
        if draft is None:
            return data.startswith(("pick:", "faux:", "feelings:", "review:", "check:"))
        if data.startswith("pick:"):
            return data.split(":")[1] != draft.step.value
        for prefix, step in STEP_OF_PREFIX.items():
            if data.startswith(prefix):
                return draft.step is not step
        return False

    async def step(self, action: Action) -> None:
        await self.act(action)
        await self.check_draft()

    async def walk(self, walks: int, steps: int) -> None:
        for _ in range(walks):
            self.new_people()
            try:
                await self.setup(self)
            except AssertionError as error:
                self.report("setup failed", _short(str(error), 200))
                continue
            self.crawl.check_global(self)
            for person in self.people:
                self.event_cursor[person.id] = len(self.crawl.telegram.events[person.id])
            self.remember_buttons()
            for _ in range(steps):
                await self.step(self.choose())


def _visible(text: str) -> bool:
    """Whether a text shows anything: not only spaces, controls and zero-width characters."""
    return any(unicodedata.category(c)[0] not in {"Z", "C"} for c in text)


def _draft(draft: Any) -> str:
    if draft is None:
        return "no draft"
    parts = [
        _short(draft.part(step), 20)
        for step in (Step.FEELING, Step.REASON, Step.REGULATION, Step.REQUEST)
    ]
    return f"{draft.step.value} {parts}"


# --- starting states -------------------------------------------------------------------------


async def _do(walker: Walker, person: int, what: str, coroutine: Awaitable[int]) -> None:
    """One step of a setup, recorded in the path, waited for until the bot is done with it."""
    walker.setup_path.append(f"{walker.people[person].first_name}: {what}")
    taps = walker.crawl.telegram.callback_updates
    before = len(taps)
    update_id = await coroutine
    if len(taps) > before:
        query_id = next(reversed(taps))
        data = str(taps[query_id]["callback_query"]["data"])
        walker.callbacks[query_id] = Action(person, "press", data, what)
    walker.crawl.update_owner[update_id] = walker
    await walker.crawl.tracker.handled(update_id, walker.chats, TIMEOUT)


def _answers(walker: Walker) -> list[str]:
    return [
        "anxious",
        f"the call ran late last night, {walker.marker}",
        "taking a few slow breaths",
        "if we could talk when you're ready",
    ]


async def compose_to(walker: Walker, step: int, person: int = 0) -> None:
    user = walker.people[person]
    await _do(walker, person, "sends '/compose'", user.send("/compose"))
    await user.expect(QUESTIONS[0])
    for index, answer in enumerate(_answers(walker)[:step]):
        await _do(walker, person, f"sends {answer!r}", user.send(answer))
        await user.expect(QUESTIONS[index + 1])


async def finish(walker: Walker, person: int = 0) -> None:
    await compose_to(walker, 4, person)
    user = walker.people[person]
    await _do(walker, person, "press '✅ Done'", user.press("✅ Done"))
    await user.expect(r"give your partner time")
    walker.crawl.markers[walker.marker] = set(walker.chats)


async def new_user(walker: Walker) -> None:
    pass


def at_step(step: int) -> Callable[[Walker], Awaitable[None]]:
    async def setup(walker: Walker) -> None:
        walker.crawl.markers[walker.marker] = {walker.people[0].id}
        await compose_to(walker, step)

    return setup


async def faux_feeling(walker: Walker) -> None:
    await compose_to(walker, 0)
    user = walker.people[0]
    await _do(walker, 0, "sends 'ignored'", user.send("ignored"))
    await user.expect(r"ignored")


async def finished(walker: Walker) -> None:
    await finish(walker)


async def paired(walker: Walker) -> None:
    alice, bob = walker.people
    await invited(walker)
    await _do(walker, 1, "press 'Accept'", bob.press("Accept"))
    await alice.expect(r"accepted your invite")
    await finish(walker)
    await _do(walker, 0, "press '💌 Send to Bob'", alice.press("💌 Send to Bob"))
    await bob.expect(r"wrote you a soft start-up")


async def said_back(walker: Walker) -> None:
    """Bob said back what he heard; Alice has "Yes, that's it" / "Not quite" before her."""
    alice, bob = walker.people
    await paired(walker)
    await _do(walker, 1, "press '💬 Say what I heard'", bob.press("💬 Say what I heard"))
    await _do(walker, 1, "press '💌 Send it to Alice'", bob.press("💌 Send it to Alice"))
    await alice.expect(r"says back what they heard")


async def talk_offered(walker: Walker) -> None:
    """Bob needs a little time (his come-back choices open), then offers a time to talk;
    Alice has "Works for me" / "Another time" before her."""
    alice, bob = walker.people
    await paired(walker)
    await _do(walker, 1, "press 'I need a little time'", bob.press("I need a little time"))
    await bob.expect(r"remind you to come back")
    await _do(walker, 1, "press 'Let's talk…'", bob.press("Let's talk…"))
    await _do(walker, 1, "press 'this evening'", bob.press("this evening"))
    await alice.expect(r"would like to talk")


async def invited(walker: Walker) -> None:
    alice, bob = walker.people
    await _do(walker, 0, "sends '/partner'", alice.send("/partner"))
    await _do(walker, 0, "press 'Create an invite link'", alice.press("Create an invite link"))
    invite = await alice.expect(r"Send this link to your partner")
    found = re.search(r"start=(pair_[A-Za-z0-9_-]+)", invite.text)
    assert found, invite.text
    await _do(walker, 1, "opens the invite link", bob.send(f"/start {found.group(1)}"))
    await bob.expect(r"invites you to pair")


async def reminders_set(walker: Walker) -> None:
    user = walker.people[0]
    await _do(walker, 0, "sends '/reminders'", user.send("/reminders"))
    await user.expect(r"your time zone")
    await _do(walker, 0, "sends 'Berlin'", user.send("Berlin"))
    await user.expect(r"Your reminders")
    await _do(walker, 0, "press '🕘 Set the time'", user.press("🕘 Set the time"))
    await _do(walker, 0, "press '21:00'", user.press("21:00"))
    await user.expect(r"a check-in at 21:00")


async def nudged(walker: Walker) -> None:
    await reminders_set(walker)
    crawl, user = walker.crawl, walker.people[0]
    walker.setup_path.append("(the daily check-in comes due; the dispatcher runs)")
    now = crawl.application.bot_data["services"].clock()
    async with crawl.storage.engine.begin() as connection:
        await connection.execute(
            update(ReminderRow)
            .where(ReminderRow.user_id == user.id)
            .values(next_fire_at=now - timedelta(seconds=1))
        )
    await crawl.application.bot_data["dispatcher"].tick()
    await user.expect(NUDGE)


async def safety_plan_open(walker: Walker) -> None:
    """Words that stop the coaching were written mid-composer; the person opened their safety
    plan from the support message and is writing one part of it."""
    await at_step(1)(walker)
    user = walker.people[0]
    await _do(walker, 0, "sends danger words", user.send("he grabbed my wrist and shoved me"))
    await user.expect(r"might not be safe")
    await _do(walker, 0, "press '🛟 My safety plan'", user.press("🛟 My safety plan"))
    await _do(walker, 0, "press '✏️ Warning signs'", user.press("✏️ Warning signs"))
    await user.expect(r"Warning signs")


async def forgotten(walker: Walker) -> None:
    await finish(walker)
    user = walker.people[0]
    await _do(walker, 0, "sends '/forget'", user.send("/forget"))
    label = walker.crawl.application.bot_data["services"].content.texts.forget_yes_button
    await _do(walker, 0, f"press {label!r}", user.press(label))
    await user.expect(r".")


# name, setup, people
STATES: list[tuple[str, Callable[[Walker], Awaitable[None]], int]] = [
    ("new user", new_user, 1),
    ("composer: feeling", at_step(0), 1),
    ("composer: reason", at_step(1), 1),
    ("composer: regulation", at_step(2), 1),
    ("composer: request", at_step(3), 1),
    ("composer: review", at_step(4), 1),
    ("composer: faux feeling", faux_feeling, 1),
    ("finished message", finished, 1),
    ("paired, message delivered", paired, 2),
    ("said back, waiting for 'that's it'", said_back, 2),
    ("a little time, then a time to talk offered", talk_offered, 2),
    ("invited, not yet answered", invited, 2),
    ("reminders set", reminders_set, 1),
    ("nudge received", nudged, 1),
    ("after /forget", forgotten, 1),
    ("writing the safety plan", safety_plan_open, 1),
]


async def forged_sweep(walker: Walker) -> None:
    """Every forged button once, at the review (where a draft is at stake)."""
    walker.new_people()
    walker.crawl.markers[walker.marker] = {walker.people[0].id}
    await compose_to(walker, 4)
    walker.remember_buttons()
    for data in FORGED:
        await walker.step(Action(0, "forged", data))
    for kind in FakeUser.SENDERLESS:
        await walker.step(Action(0, "senderless", kind))
    for command in COMMANDS:
        await walker.step(Action(0, "senderless", f"channel_post {command}"))


# --- the test --------------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Telegram's 30 messages a second lifted, as the benchmarks do (the crawler measures the
    bot's behaviour, not the rate limiter's patience), and the default busy timeout rather than
    the suite's short one: many people at once on one SQLite file."""
    return settings.model_copy(
        update={"rate_limit_per_second": 100_000, "database_busy_timeout_seconds": 5.0}
    )


async def test_a_restless_person_never_breaks_the_bot(
    running_bot: Any, telegram: FakeTelegram, database_url: str
) -> None:
    started = time.monotonic()
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        crawl = Crawl(running_bot, telegram, errors)
        # The city index loads on first use, blocking the event loop for a moment: load it now,
        # so that moment does not fall in the middle of everyone's actions.
        running_bot.bot_data["services"].places.search("Berlin")
        bystander = FakeUser(telegram, 999, "Carol")
        await bystander.send("/start")
        await bystander.expect(r".")
        crawl.bystander = bystander
        crawl.bystander_events = len(telegram.events[bystander.id])
        small = database_url.startswith("postgresql")
        walks, steps = (4, 20) if small else (8, 30)
        walks = int(os.environ.get("CRAWL_WALKS", walks))
        steps = int(os.environ.get("CRAWL_STEPS", steps))
        only = os.environ.get("CRAWL_STATES", "")
        walkers = [
            Walker(crawl, name, setup, 10_000 + 1000 * index, people, seed=index)
            for index, (name, setup, people) in enumerate(STATES)
            if not only or re.search(only, name)
        ]
        sweep = Walker(crawl, "forged buttons at the review", at_step(4), 90_000, 1, seed=99)
        sweeps = [forged_sweep(sweep)] if not only or re.search(only, sweep.name) else []
        await asyncio.gather(*(walker.walk(walks, steps) for walker in walkers), *sweeps)
        await asyncio.sleep(0.2)
        crawl.check_global(sweep)
    finally:
        logging.getLogger().removeHandler(errors)
    took = time.monotonic() - started
    print(
        f"\ncrawler: {crawl.actions} actions, {len(crawl.screens)} screens, "
        f"{len(crawl.defects)} defects, {took:.1f} s"
    )
    if crawl.defects:
        shown = "\n\n".join(
            defect.show()
            for defect in sorted(crawl.defects.values(), key=lambda d: (d.kind, d.detail))
        )
        pytest.fail(f"{len(crawl.defects)} distinct defects:\n\n{shown}", pytrace=False)
