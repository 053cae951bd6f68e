"""Callback data codecs: one small class per kind of button, as aiogram's `CallbackData`.

    Pick(step=Step.REASON, index=3).pack()   -> "pick:reason:3"
    Pick.pattern()                           -> the handler's filter, from the same fields
    Pick.parse("pick:reason:3")              -> Pick(step=Step.REASON, index=3)

Builder, filter and parser come from one declaration, so they cannot drift apart; Telegram's
64-byte limit is checked when a button is made; data the bot never made (a forged tap, an old
button of another shape) matches no pattern and reaches the "old button" handler instead.

Fields are ints (ids and small numbers: at most 9 digits, as a 32-bit database id; `PersonId`
for a Telegram user id), StrEnums, Literals (a fixed set of words), `time` (as HHMM) or `Key`
(a short URL-safe token)."""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from datetime import time
from enum import StrEnum
from typing import Any, ClassVar, NewType, Self

# Telegram's limit for a button's callback data.
MAX_BYTES = 64
PersonId = NewType("PersonId", int)
Key = NewType("Key", str)

_ID = r"\d{1,9}"
_PERSON = r"\d{1,16}"
_HHMM = r"(?:[01]\d|2[0-3])[0-5]\d"
_KEY = r"[A-Za-z0-9_+/\-]{1,48}"


def _field_syntax(kind: Any) -> tuple[str, Callable[[str], Any], Callable[[Any], str]]:
    """(regex, parse, pack) for one field's type."""
    if kind is PersonId:
        return _PERSON, int, str
    if kind is Key:
        return _KEY, str, str
    if kind is int:
        return _ID, int, str
    if kind is time:
        return _HHMM, lambda text: time(int(text[:2]), int(text[2:])), lambda t: t.strftime("%H%M")
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        words = "|".join(re.escape(member.value) for member in kind)
        return f"(?:{words})", kind, lambda member: member.value
    if typing.get_origin(kind) is typing.Literal:
        words = "|".join(re.escape(word) for word in typing.get_args(kind))
        return f"(?:{words})", str, str
    raise TypeError(f"no callback syntax for {kind!r}")


class CallbackData:
    """Base of every codec; subclasses are frozen dataclasses with a `prefix`."""

    prefix: ClassVar[str]
    _syntax: ClassVar[list[tuple[str, str, Callable[[str], Any], Callable[[Any], str]]]]
    _regex: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = prefix

    @classmethod
    def _compiled(cls) -> list[tuple[str, str, Callable[[str], Any], Callable[[Any], str]]]:
        if "_syntax" not in cls.__dict__:
            hints = typing.get_type_hints(cls)
            cls._syntax = [
                (field.name, *_field_syntax(hints[field.name]))
                for field in dataclasses.fields(cls)  # type: ignore[arg-type]
            ]
            groups = "".join(f":({regex})" for _, regex, _, _ in cls._syntax)
            cls._regex = re.compile(f"^{re.escape(cls.prefix)}{groups}$")
        return cls._syntax

    @classmethod
    def pattern(cls) -> str:
        """The handler's filter: exactly the data this codec makes."""
        cls._compiled()
        return cls._regex.pattern

    def pack(self) -> str:
        values = [pack(getattr(self, name)) for name, _, _, pack in self._compiled()]
        data = ":".join([self.prefix, *values])
        if len(data.encode()) > MAX_BYTES or not self._regex.match(data):
            raise ValueError(f"callback data {self.prefix!r} cannot carry {self!r}")
        return data

    @classmethod
    def of(cls, data: str | None) -> Self:
        """For a handler routed by `pattern()`: the button it was called for."""
        found = cls.parse(data)
        if found is None:
            raise ValueError(f"{data!r} is no {cls.__name__} button")  # the pattern let it in
        return found

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """The button behind `data`, or None for data this codec never makes."""
        syntax = cls._compiled()
        found = cls._regex.match(data or "")
        if found is None:
            return None
        values = {
            name: parse(text)
            for (name, _, parse, _), text in zip(syntax, found.groups(), strict=True)
        }
        return cls(**values)
