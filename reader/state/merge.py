"""Merging two copies of one story's record: the rules every save and every sync follows.

Two readers may write one story's file (two terminals, or two machines syncing a folder),
and a synced folder may hold a conflict copy of it. Every save re-reads the file and merges
it with memory, and every copy found on disk is merged in, by these rules:

- **Position** — the copy whose ``last_read`` is later wins the position and everything
  recorded with it (progress, title, author, path, fingerprint, chapter count, status). On
  a tie, or when neither has a readable stamp, *mine* (the copy in memory) wins. Keys only
  one copy has are kept.
- **Reading status** — ``status``, ``status_changed`` and ``finished`` go together: the
  copy whose ``status_changed`` is later wins all three (a copy without the stamp counts
  as earliest), independently of ``last_read``; a status set by hand on one device is not
  lost because the story was paged later on another. When neither copy has the stamp,
  the status goes with the position.
- **Reading time** — the larger of the two. (Adding them up would count the time
  shared by both copies twice; the larger is right whenever one copy descends from the
  other, and loses at most the time read on the other device between two syncs.)
- **Days read** — the per-day log of seconds and words read
  (:mod:`reader.state.stats`, ``days: {"2026-11-21": [seconds, words]}``) is united
  day by day, each field the larger of the two.
- **Bookmarks** — united; a bookmark is the same bookmark in both copies when its
  ``created`` stamp, chapter and offset are the same (:func:`bookmark_key`).
- **Renamed bookmarks** — the name with the later ``renamed`` stamp wins (a bookmark
  never renamed counts as renamed when it was created, and a rename in the same instant
  beats that); on a tie, mine.
- **Deleted bookmarks** — a deletion leaves a tombstone, the bookmark's key in the story's
  ``deleted_bookmarks`` list. Tombstones are united and never expire, so a copy that still
  holds the bookmark cannot bring it back.
- **Other ids** — ``also`` (the ids the story was known by before: an old path id, the
  fingerprint of the file before it was re-downloaded) is united.

The merge is commutative up to ties and idempotent, so merging a stale copy again never
undoes anything newer. Pure: no I/O, no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from reader.state.stamps import later, stamp_order

#: One story's record, as kept in its file.
Record = dict[str, Any]


# Bookmarks -----------------------------------------------------------------------------


def bookmark_key(created: object, chapter: object, offset: object) -> str:
    """A bookmark's identity, as written in ``deleted_bookmarks``: ``"<created> @ 2:500"``."""
    return f"{created or ''} @ {_int(chapter)}:{_int(offset)}"


def raw_bookmark_key(raw: dict[str, Any]) -> str:
    """The identity of a bookmark as stored in the file (see :func:`bookmark_key`)."""
    position = raw.get("position")
    position = position if isinstance(position, dict) else {}
    return bookmark_key(raw.get("created"), position.get("chapter"), position.get("offset"))


def _int(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _united(*lists: object) -> list[str]:
    """The strings of several lists, each once, in order of first appearance."""
    return list(dict.fromkeys(str(item) for value in lists for item in _list(value)))


def _rename_rank(raw: dict[str, Any]) -> tuple[Any, bool]:
    """When the name was given; a real rename outranks the creation in the same instant."""
    return stamp_order(raw.get("renamed") or raw.get("created")), bool(raw.get("renamed"))


def merge_bookmarks(mine: Iterable[Any], theirs: Iterable[Any], deleted: set[str]) -> list[dict[str, Any]]:
    """Unite two bookmark lists, drop the ``deleted`` keys, and sort by creation."""
    merged: dict[str, dict[str, Any]] = {}
    for side, raws in (("mine", mine), ("theirs", theirs)):
        for raw in raws:
            if not isinstance(raw, dict):
                continue
            key = raw_bookmark_key(raw)
            if key in deleted:
                continue
            held = merged.get(key)
            if held is None:
                merged[key] = raw
            elif side == "theirs" and _rename_rank(raw) > _rename_rank(held):
                merged[key] = {**held, **raw}
            else:
                merged[key] = {**raw, **held}
    return sorted(merged.values(), key=lambda raw: stamp_order(raw.get("created")))


# Stories -------------------------------------------------------------------------------


def reading_seconds(entry: Any) -> float:
    """A story's ``reading_time`` in seconds (to a tenth), 0 when missing or unreadable."""
    try:
        seconds = float(entry.get("reading_time", 0) or 0)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return max(0.0, round(seconds, 1)) if math.isfinite(seconds) else 0.0


def day_pair(value: Any) -> tuple[float, int]:
    """A day's ``[seconds, words]`` from the ``days`` log, forgiving of a hand-edited file."""
    if isinstance(value, list | tuple) and len(value) >= 2:
        try:
            seconds, words = float(value[0]), int(value[1])
        except (TypeError, ValueError, OverflowError):
            return 0.0, 0
        if math.isfinite(seconds):
            return max(0.0, seconds), max(0, words)
    return 0.0, 0


def merge_days(mine: object, theirs: object) -> dict[str, list[float]]:
    """Two per-day logs of ``[seconds, words]``: every day of both, each field the larger."""
    merged: dict[str, list[float]] = {}
    for days in (mine, theirs):
        if not isinstance(days, dict):
            continue
        for day, value in days.items():
            held = merged.get(str(day), [0.0, 0])
            seconds, words = day_pair(value)
            merged[str(day)] = [max(held[0], round(seconds, 1)), max(held[1], words)]
    return dict(sorted(merged.items()))


#: The keys a reading status is recorded with; they travel together in a merge.
STATUS_KEYS = ("status", "status_changed", "finished")


def merge_story(mine: Record, theirs: Record) -> Record:
    """One story's entry from two copies, by the rules in this module's docstring."""
    if later(theirs.get("last_read"), mine.get("last_read")):
        merged = {**mine, **theirs}
    else:
        merged = {**theirs, **mine}
    if "reading_time" in mine or "reading_time" in theirs:
        merged["reading_time"] = max(reading_seconds(mine), reading_seconds(theirs))
    if isinstance(mine.get("days"), dict) or isinstance(theirs.get("days"), dict):
        merged["days"] = merge_days(mine.get("days"), theirs.get("days"))
    if "status_changed" in mine or "status_changed" in theirs:
        source = theirs if later(theirs.get("status_changed"), mine.get("status_changed")) else mine
        for key in STATUS_KEYS:
            if key in source:
                merged[key] = source[key]
            else:
                merged.pop(key, None)
    others = _united(mine.get("also"), theirs.get("also"))
    if others:
        merged["also"] = others
    tombstones = _united(mine.get("deleted_bookmarks"), theirs.get("deleted_bookmarks"))
    if tombstones:
        merged["deleted_bookmarks"] = tombstones
    if "bookmarks" in mine or "bookmarks" in theirs:
        merged["bookmarks"] = merge_bookmarks(
            _list(mine.get("bookmarks")), _list(theirs.get("bookmarks")), set(tombstones)
        )
    return merged


#: What a record holds that a later copy may not silently lack (a deletion leaves a record).
_KEPT_KEYS = ("position", "last_read", "title")


def losses(previous: Record, current: Record) -> list[str]:
    """What ``current`` lacks that ``previous`` held, with no deletion to explain it.

    A file cut short, or overwritten by a stale copy, still parses; this is how it is told
    from a real change: a bookmark gone without a tombstone, a day gone from the log,
    less reading time, or the position gone. Empty when nothing was lost.
    """
    lost = [key for key in _KEPT_KEYS if key in previous and key not in current]
    tombstones = {str(key) for key in _list(current.get("deleted_bookmarks"))}
    have = {raw_bookmark_key(raw) for raw in _list(current.get("bookmarks")) if isinstance(raw, dict)}
    gone = [
        raw
        for raw in _list(previous.get("bookmarks"))
        if isinstance(raw, dict) and raw_bookmark_key(raw) not in have | tombstones
    ]
    if gone:
        lost.append(f"{len(gone)} bookmark{'s' if len(gone) > 1 else ''}")
    days_before, days_now = previous.get("days"), current.get("days")
    if isinstance(days_before, dict):
        missing = set(days_before) - set(days_now if isinstance(days_now, dict) else {})
        if missing:
            lost.append(f"{len(missing)} day{'s' if len(missing) > 1 else ''} of the reading log")
    if reading_seconds(current) + 0.05 < reading_seconds(previous):
        lost.append("reading time")
    return lost
