"""One story's record, read and changed: its place (position, progress, last read) and its
bookmarks. Functions of a record (a dict), as :mod:`reader.state.status` is: no files, no
ids, no other stories — :class:`~reader.state.store.State` finds the record and marks it to
be saved. Nothing here imports Textual.
"""

from __future__ import annotations

import os
from typing import Any

from reader.model import Bookmark, Position
from reader.state.merge import bookmark_key, raw_bookmark_key, reading_seconds
from reader.state.stamps import now_iso

# Place ---------------------------------------------------------------------------------


def position(record: dict[str, Any]) -> Position | None:
    data = record.get("position")
    return Position.from_dict(data) if data else None


def progress(record: dict[str, Any]) -> float:
    value = record.get("progress", 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def text(record: dict[str, Any], key: str) -> str:
    """A stamp or a word of the record (``last_read``, ``finished``); "" when not there."""
    return str(record.get(key, "") or "")


def chapters_seen(record: dict[str, Any]) -> int:
    """How many chapters the story had when it was last read (0: never read)."""
    value = record.get("chapters", 0)
    return value if isinstance(value, int) else 0


def record_place(
    entry: dict[str, Any],
    position: Position,
    *,
    progress: float,
    title: str,
    path: str,
    seconds: float,
    author: str,
    chapters: int,
) -> None:
    """Where the story is being read, stamped now (``last_read``): the newer wins a merge."""
    entry["title"] = title
    if author:
        entry["author"] = author
    entry["path"] = os.path.abspath(path) if path else path
    if chapters:
        entry["chapters"] = chapters
    entry["position"] = position.to_dict()
    entry["progress"] = round(min(1.0, max(0.0, progress)), 4)
    entry["last_read"] = now_iso()
    if seconds:
        entry["reading_time"] = round(reading_seconds(entry) + seconds, 1)  # tenths: no loss turn by turn
    entry.setdefault("status", "reading")


# Bookmarks -----------------------------------------------------------------------------


def mark_key(mark: Bookmark) -> str:
    return bookmark_key(mark.created, mark.position.chapter, mark.position.offset)


def raw_marks(entry: dict[str, Any]) -> list[dict[str, Any]]:
    raw = entry.get("bookmarks")
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def bookmarks(record: dict[str, Any]) -> list[Bookmark]:
    raw = record.get("bookmarks") or []
    marks = [Bookmark.from_dict(item) for item in raw] if isinstance(raw, list) else []
    return [mark for mark in marks if mark is not None]


def add_bookmark(entry: dict[str, Any], name: str, position: Position) -> Bookmark:
    """A new bookmark, stamped to the millisecond (its identity, with its position)."""
    mark = Bookmark(name=name, position=position, created=now_iso())
    entry["bookmarks"] = [*raw_marks(entry), mark.to_dict()]
    return mark


def rename_bookmark(entry: dict[str, Any], mark: Bookmark, name: str) -> bool:
    """Rename ``mark``, stamped ``renamed`` (the later rename wins a merge); False if gone."""
    for raw in raw_marks(entry):
        if raw_bookmark_key(raw) == mark_key(mark):
            raw["name"] = name
            raw["renamed"] = now_iso()
            return True
    return False


def delete_bookmark(entry: dict[str, Any], mark: Bookmark) -> None:
    """Delete ``mark`` and keep a tombstone, so that no other copy brings it back."""
    key = mark_key(mark)
    entry["bookmarks"] = [raw for raw in raw_marks(entry) if raw_bookmark_key(raw) != key]
    tombstones = entry.get("deleted_bookmarks")
    tombstones = tombstones if isinstance(tombstones, list) else []
    if key not in tombstones:
        entry["deleted_bookmarks"] = [*tombstones, key]


def set_bookmarks(entry: dict[str, Any], wanted_marks: list[Bookmark]) -> None:
    """Make the list ``wanted_marks``, as renames, deletions and additions (prefer those)."""
    wanted = {mark_key(mark): mark for mark in wanted_marks}
    for mark in bookmarks(entry):
        key = mark_key(mark)
        if key not in wanted:
            delete_bookmark(entry, mark)
        elif wanted[key].name != mark.name:
            rename_bookmark(entry, mark, wanted[key].name)
    have = {mark_key(mark) for mark in bookmarks(entry)}
    added = [mark.to_dict() for key, mark in wanted.items() if key not in have]
    if added:
        entry["bookmarks"] = [*raw_marks(entry), *added]
