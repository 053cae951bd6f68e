"""The user's finished messages: pages, previews, and the export of everything kept about them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.reflect import Reflection, Role

PAGE_SIZE = 5
PREVIEW_LENGTH = 48


@dataclass(frozen=True)
class SavedMessage:
    """A finished soft start-up as stored."""

    id: int
    text: str
    created_at: datetime
    feeling: str = ""
    reason: str = ""
    regulation: str = ""
    request: str = ""


@dataclass(frozen=True)
class HistoryPage:
    """One page of history, newest first: the person's messages (with what their partner
    said back to each), and the messages they heard and said back themselves."""

    messages: list[SavedMessage]
    page: int
    total: int
    # The listener's copies: one per message they said back (the latest try).
    heard: list[Reflection] = field(default_factory=list)
    # The latest reflection of each of the person's messages, by message id.
    said_back: dict[int, Reflection] = field(default_factory=dict)

    @property
    def entries(self) -> list[SavedMessage | Reflection]:
        """Messages and heard ones together, newest first."""
        both: list[SavedMessage | Reflection] = [*self.messages, *self.heard]
        return sorted(both, key=lambda entry: entry.created_at, reverse=True)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_newer(self) -> bool:
        return self.page > 0

    @property
    def has_older(self) -> bool:
        return self.page + 1 < self.pages


def clamp_page(page: int, total: int) -> int:
    """A page number that exists (an old "next" button may point past the end)."""
    last = max(0, -(-total // PAGE_SIZE) - 1)
    return min(max(page, 0), last)


def preview(text: str, length: int = PREVIEW_LENGTH) -> str:
    """The start of a message, cut at a word, for a button label."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] or flat[:length]
    return cut + "…"


def local_time(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(time_zone))


@dataclass(frozen=True)
class UserExport:
    """Everything the bot keeps about one person."""

    user_id: int
    time_zone: str | None
    messages: list[SavedMessage]
    draft: dict[str, str] | None = None
    checkins: list[dict[str, str]] = field(default_factory=list)
    # The private safety plan, by part (None: never written).
    safety_plan: dict[str, str] | None = None
    # The country whose help lines they chose (None: from their time zone).
    help_country: str | None = None
    # Words typed and kept until they say what to do with them (None: none).
    kept_words: str | None = None
    # What was said back: by them (role "listener") and to them ("speaker").
    reflections: list[dict[str, str]] = field(default_factory=list)


def reflection_export(found: Reflection) -> dict[str, str]:
    """One copy of a reflection as /export shows it."""
    entry = {
        "role": found.role.value,
        "text": found.text,
        "status": found.status.value,
        "at": found.created_at.isoformat(),
        "message_id": str(found.message_id),
    }
    if found.heard:
        entry["heard"] = found.heard
    if found.correction:
        entry["correction"] = found.correction
    return entry


def export_json(data: UserExport) -> str:
    def encode(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.dumps(asdict(data), default=encode, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class MarkdownLabels:
    """The words of the readable export (from content)."""

    title: str
    said_back: str  # "Said back to me ({status}):"
    heard_title: str  # "What I heard, and said back"
    statuses: dict[str, str]  # a reflection's status -> how it reads


def export_markdown(data: UserExport, labels: MarkdownLabels, time_zone: str) -> str:
    """A readable copy: one section per message, newest first, with what was said back to it;
    then what the person heard and said back themselves."""
    said_back: dict[str, dict[str, str]] = {}
    heard = []
    for entry in data.reflections:
        if entry["role"] == Role.SPEAKER.value:
            said_back.setdefault(entry["message_id"], entry)  # newest first: the latest
        else:
            heard.append(entry)
    lines = [f"# {labels.title}", ""]
    for message in data.messages:
        stamp = local_time(message.created_at, time_zone).strftime("%Y-%m-%d %H:%M")
        lines += [f"## {stamp}", "", message.text, ""]
        back = said_back.get(str(message.id))
        if back is not None:
            status = labels.statuses.get(back["status"], back["status"])
            lines += [labels.said_back.format(status=status), "", f"> {back['text']}", ""]
    if heard:
        lines += [f"# {labels.heard_title}", ""]
    for entry in heard:
        when = local_time(datetime.fromisoformat(entry["at"]), time_zone)
        status = labels.statuses.get(entry["status"], entry["status"])
        lines += [
            f"## {when.strftime('%Y-%m-%d %H:%M')}",
            "",
            f"> {entry.get('heard', '')}",
            "",
            f"{entry['text']} ({status})",
            "",
        ]
    return "\n".join(lines)
