"""One story's record, cleaned: every value of the wrong type or range dropped, with a notice.

A story's record is a plain mapping kept as YAML, one small file per story. The files are
synced and hand-edited, so :func:`clean_entry` reads one as untrusted: it returns a cleaned
copy holding only values the rest of the reader can use without checking again, and a
notice for each value it dropped. Values are dropped, never coerced (the one exception: a
whole number written as ``3.0`` is the int ``3``), and NaN or infinity is never kept. Keys
this version does not know (a newer reader's) are kept when their value is :func:`plain`.
Cleaning a cleaned record gives it back unchanged, with no notices. Pure: no Textual, no I/O.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from reader.clean import clean
from reader.state.stamps import valid_stamp
from reader.state.status import normalise

__all__ = ["MAX_TEXT", "clean_entry", "plain"]

#: The longest string kept anywhere (characters); a longer one is dropped.
MAX_TEXT = 10_000
MAX_SNIPPET, MAX_FINGERPRINT = 200, 80
MAX_CHAPTER, MAX_OFFSET = 1_000_000, 2_000_000_000
MAX_READING_TIME, MAX_DAY_SECONDS, MAX_DAY_WORDS = 1e9, 86_400, 10_000_000
#: Limits on the value of a key this version does not know (see :func:`plain`).
PLAIN_DEPTH, PLAIN_ITEMS = 8, 10_000
#: Integers in plain data fit 64 bits (a bigger one cannot even be written as YAML past 4300 digits).
_INT_LIMIT = 2**63

_BAD_KEY = f"the key is not text (or is over {MAX_TEXT:,} characters)"
_FINGERPRINT = re.compile(r"[0-9a-z:]*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 50
_repr.maxlevel, _repr.maxlist, _repr.maxdict = 2, 3, 3


class _Drop(Exception):
    """The value cannot be used; the message says why."""


def _short(value: object) -> str:
    """A short repr of ``value`` for a notice, at most 60 characters (never raises)."""
    try:
        text = _repr.repr(value)
    except Exception:  # a repr that fails (an int past Python's digit limit): say what it is
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:59] + "…"


class _Notes:
    """Where the record is and the notices so far, for the cleaners to add to."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.notices: list[str] = []

    def dropped(self, path: str, value: object, reason: str) -> None:
        self.notices.append(f"{self.where}: dropped {path} ({_short(value)}): {reason}")

    def shortened(self, path: str, value: str, chars: int) -> None:
        self.notices.append(f"{self.where}: shortened {path} ({_short(value)}) to {chars} characters")


#: How a value is cleaned: (value, its path for notices, the notices) -> the value cleaned,
#: or :class:`_Drop` raised to drop it whole.
_Rule = Callable[[object, str, _Notes], Any]


# Plain data ------------------------------------------------------------------------------


def plain(value: object) -> bool:
    """Whether ``value`` is plain data: None, bool, int, finite float, str, and lists and
    str/int/bool/None-keyed dicts of those, at most :data:`PLAIN_DEPTH` deep and
    :data:`PLAIN_ITEMS` items in all (so a newer reader's key is kept safely)."""
    try:
        _plain_copy(value, 0, [0])
    except _Drop:
        return False
    return True


def _plain_copy(value: object, depth: int, count: list[int]) -> Any:
    """A deep copy of ``value`` if it is :func:`plain`; raises :class:`_Drop` if not."""
    if isinstance(value, int) and not -_INT_LIMIT < value < _INT_LIMIT:
        raise _Drop("a number too large")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Drop("not a finite number")
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _text(value)
    if not isinstance(value, list | dict):
        raise _Drop(f"not plain data ({type(value).__name__})")
    if depth >= PLAIN_DEPTH:
        raise _Drop(f"nested deeper than {PLAIN_DEPTH} levels")
    count[0] += len(value)
    if count[0] > PLAIN_ITEMS:
        raise _Drop(f"more than {PLAIN_ITEMS:,} items")
    if isinstance(value, list):
        return [_plain_copy(item, depth + 1, count) for item in value]
    copy = {}
    for key, item in value.items():
        if key is not None and not isinstance(key, str | int):
            raise _Drop(f"a key that is not plain ({_short(key)})")
        copy[_plain_copy(key, depth + 1, count)] = _plain_copy(item, depth + 1, count)
    return copy


# Scalars -----------------------------------------------------------------------------------


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Drop("not text")
    if len(value) > MAX_TEXT:
        raise _Drop(f"longer than {MAX_TEXT:,} characters")
    return value


def _shown_text(value: object) -> str:
    """Text that is drawn (a title, an author): it came from a story file, and an older
    reader kept it with its control bytes — cleaned as a story's text is (``reader.clean``)."""
    return clean(_text(value))


def _whole(value: object, top: int) -> int:
    """An int 0..``top``; a float only when it is a whole number (3.0); never a bool."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Drop("not a whole number")
    if not 0 <= value <= top:
        raise _Drop(f"not between 0 and {top:,}")
    return value


def _number(value: object, top: float) -> float:
    """A finite number 0..``top`` (int or float, never a bool), as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Drop("not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Drop("not a finite number")
    if not 0 <= value <= top:
        raise _Drop(f"not between 0 and {top:,g}")
    return float(value)


def _stamp(value: object) -> str:
    if not isinstance(value, str):
        raise _Drop("not a time written as text")
    if not valid_stamp(value):
        raise _Drop("not a real time")
    return value


def _fingerprint(value: object) -> str:
    text = _text(value)
    if len(text) > MAX_FINGERPRINT or not _FINGERPRINT.fullmatch(text):
        raise _Drop(f"not a fingerprint (0-9, a-z and ':', at most {MAX_FINGERPRINT})")
    return text


def _status(value: object) -> str:
    status = normalise(value)
    if not status:
        raise _Drop("not a reading status")
    return status


def _version(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT_LIMIT < value < _INT_LIMIT:
        raise _Drop("not a version number")
    return value


# Structures ------------------------------------------------------------------------------


def _list_of(item_rule: _Rule) -> _Rule:
    """The rule for a list: the items ``item_rule`` keeps; the others dropped, one by one."""

    def clean(value: object, path: str, notes: _Notes) -> list[Any]:
        if not isinstance(value, list):
            raise _Drop("not a list")
        kept = []
        for index, item in enumerate(value):
            try:
                kept.append(item_rule(item, f"{path}[{index}]", notes))
            except _Drop as drop:
                notes.dropped(f"{path}[{index}]", item, str(drop))
        return kept

    return clean


def _scalar(check: Callable[[object], Any]) -> _Rule:
    """The rule for a single value: ``check`` returns it cleaned or raises :class:`_Drop`."""
    return lambda value, path, notes: check(value)


def _fields(value: Mapping[Any, Any], rules: dict[str, _Rule], path: str, notes: _Notes) -> dict[str, Any]:
    """Each key of ``value`` cleaned by its rule in ``rules``, or kept if :func:`plain`;
    keys that are not text are dropped. ``path`` ("" at the top) prefixes the notices."""
    cleaned = {}
    for key, item in value.items():
        if not isinstance(key, str) or len(key) > MAX_TEXT:
            notes.dropped(f"{path} key {_short(key)}".lstrip(), item, _BAD_KEY)
            continue
        where = f"{path}.{key}" if path else key
        try:
            cleaned[key] = rules.get(key, _unknown)(item, where, notes)
        except _Drop as drop:
            notes.dropped(where, item, str(drop))
    return cleaned


def _unknown(value: object, path: str, notes: _Notes) -> Any:
    """A key this version does not know (a newer reader's): kept if plain."""
    return _plain_copy(value, 0, [0])


def _snippet(value: object, path: str, notes: _Notes) -> str:
    """A position's snippet: text, cut to :data:`MAX_SNIPPET` characters (with a notice)."""
    snippet = _text(value)
    if len(snippet) > MAX_SNIPPET:
        notes.shortened(path, snippet, MAX_SNIPPET)
    return snippet[:MAX_SNIPPET]


def _position(value: object, path: str, notes: _Notes) -> dict[str, Any]:
    """A place in the story: chapter and offset (both needed), maybe a snippet, plain extras."""
    if not isinstance(value, Mapping):
        raise _Drop("not a mapping")
    if "chapter" not in value or "offset" not in value:
        raise _Drop("no chapter or offset")
    try:
        chapter, offset = _whole(value["chapter"], MAX_CHAPTER), _whole(value["offset"], MAX_OFFSET)
    except _Drop as drop:
        raise _Drop(f"chapter or offset {drop}") from None
    place = {"chapter": chapter, "offset": offset}
    rest = {key: item for key, item in value.items() if key not in place}
    return {**place, **_fields(rest, {"snippet": _snippet}, path, notes)}


def _bookmark(value: object, path: str, notes: _Notes) -> dict[str, Any]:
    """A bookmark: its ``created`` stamp and position are needed; a bad name becomes ""."""
    if not isinstance(value, Mapping):
        raise _Drop("not a mapping")
    try:
        created = _stamp(value.get("created"))
    except _Drop as drop:
        raise _Drop(f"created {drop}") from None
    try:
        position = _position(value.get("position"), f"{path}.position", notes)
    except _Drop as drop:
        raise _Drop(f"position {drop}") from None
    try:
        name = _text(value.get("name", ""))
    except _Drop as drop:
        notes.dropped(f"{path}.name", value.get("name"), f"{drop} (the name is now empty)")
        name = ""
    rest = {key: item for key, item in value.items() if key not in ("name", "position", "created")}
    cleaned = {"name": name, "position": position, "created": created}
    return {**cleaned, **_fields(rest, {"renamed": _scalar(_stamp)}, path, notes)}


def _day(key: object, value: object) -> tuple[str, list[Any]]:
    """One day of the reading log: ``("2026-11-21", [seconds, words])``."""
    if isinstance(key, date) and not isinstance(key, datetime):
        key = key.isoformat()
    if not isinstance(key, str) or not _DAY.fullmatch(key):
        raise _Drop("not a date")
    try:
        date.fromisoformat(key)
    except ValueError:
        raise _Drop("not a real date") from None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _Drop("not [seconds, words]")
    return key, [_number(value[0], MAX_DAY_SECONDS), _whole(value[1], MAX_DAY_WORDS)]


def _days(value: object, path: str, notes: _Notes) -> dict[str, list[Any]]:
    """The per-day log; a day written twice (as a date and as text) keeps the larger fields."""
    if not isinstance(value, Mapping):
        raise _Drop("not a mapping")
    kept: dict[str, list[Any]] = {}
    bad = []
    for key, item in value.items():
        try:
            day, pair = _day(key, item)
        except _Drop:
            bad.append(key)
            continue
        held = kept.get(day)
        kept[day] = pair if held is None else [max(held[0], pair[0]), max(held[1], pair[1])]
    if bad:
        unreadable = "1 unreadable day" if len(bad) == 1 else f"{len(bad)} unreadable days"
        notes.dropped(f"{unreadable} from {path}", bad, "not a real date with [seconds, words]")
    return kept


# The record --------------------------------------------------------------------------------

_RULES: dict[str, _Rule] = {
    "title": _scalar(_shown_text),
    "author": _scalar(_shown_text),
    "path": _scalar(_text),
    "id": _scalar(_text),
    "fingerprint": _scalar(_fingerprint),
    "also": _list_of(_scalar(_text)),
    "chapters": _scalar(lambda value: _whole(value, MAX_CHAPTER)),
    "position": _position,
    "progress": _scalar(lambda value: _number(value, 1)),
    "last_read": _scalar(_stamp),
    "status_changed": _scalar(_stamp),
    "finished": _scalar(_stamp),
    "reading_time": _scalar(lambda value: _number(value, MAX_READING_TIME)),
    "status": _scalar(_status),
    "bookmarks": _list_of(_bookmark),
    "deleted_bookmarks": _list_of(_scalar(_text)),
    "days": _days,
    "version": _scalar(_version),
}


def clean_entry(raw: object, where: str) -> tuple[dict[str, Any], list[str]]:
    """A cleaned copy of one story's record ``raw`` (never changed), and a notice per value
    dropped, each starting with ``where`` (the story or its file)."""
    notes = _Notes(where)
    if not isinstance(raw, Mapping):
        notes.dropped("the record", raw, "not a mapping")
        return {}, notes.notices
    return _fields(raw, _RULES, "", notes), notes.notices
