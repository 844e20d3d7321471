"""The state file as other readers leave it: locking it, reading a copy, merging copies.

Two readers may share one state file (two terminals, or two machines syncing a folder), so
every save locks the file (:func:`file_lock`), re-reads it (:func:`read_copy`) and merges
it with memory, and a file changed on disk while the reader runs is merged in. The merge
works on the plain mappings kept in the YAML file and follows these rules, story by story:

- **Position** — the copy whose ``last_read`` is later wins the position and everything
  recorded with it (progress, title, author, path, chapter count, status). On a tie, or
  when neither has a readable stamp, *mine* (the copy in memory) wins. Keys only one copy
  has are kept.
- **Reading status** — ``status``, ``status_changed`` and ``finished`` go together: the
  copy whose ``status_changed`` is later wins all three (a copy without the stamp counts
  as earliest), independently of ``last_read``; a status set by hand on one device is not
  lost because the story was paged later on another. When neither copy has the stamp,
  the status goes with the position, as before.
- **Reading time** — the larger of the two. (Adding them up would count the time
  shared by both copies twice; the larger is right whenever one copy descends from the
  other, and loses at most the time read on the other device between two syncs.)
- **Days read** — the per-day log of seconds and words read
  (:mod:`reader.reading_stats`, ``days: {"2026-11-21": [seconds, words]}``) is united
  day by day, each field the larger of the two. One reader usually owns a story at a
  time, so the larger is the fuller record; reading the same story on two devices the
  same day between two syncs keeps the larger share only.
- **Bookmarks** — united; a bookmark is the same bookmark in both copies when its
  ``created`` stamp, chapter and offset are the same (:func:`bookmark_key`).
- **Renamed bookmarks** — the name with the later ``renamed`` stamp wins (a bookmark
  never renamed counts as renamed when it was created, and a rename in the same instant
  beats that); on a tie, mine.
- **Deleted bookmarks** — a deletion leaves a tombstone, the bookmark's key in the story's
  ``deleted_bookmarks`` list. Tombstones are united and never expire, so a copy that still
  holds the bookmark cannot bring it back.
- **Stories** found in only one copy are kept: entries are never purged, even when
  their files are gone.
- **Moved stories** — when a renamed or moved file's state is carried to its new id
  (:meth:`reader.state.State.reconcile`), the file's top-level ``moved`` map records
  ``old id: new id``; an entry still filed under the old id in either copy is merged into
  the new one instead of coming back as a stale duplicate.

The merge is commutative up to ties and idempotent, so merging a stale copy again never
undoes anything newer. Nothing here imports Textual.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - no flock on this platform (Windows)
    fcntl = None  # type: ignore[assignment]

#: The newest version of the file this reader writes and reads.
VERSION = 1

#: How long a save waits for another reader's lock before it goes on without it (seconds).
LOCK_TIMEOUT = 2.0

#: What identifies one version of the file on disk: inode, size, modification time (ns).
Signature = tuple[int, int, int]

#: One story's entry, as kept in the file.
Entry = dict[str, Any]


# The file on disk ----------------------------------------------------------------------


@contextmanager
def file_lock(path: Path, timeout: float | None = None) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed); yields whether it is held.

    Degrades instead of failing: without ``fcntl``, when the lock file cannot be opened (a
    read-only folder), when the file system does not lock (``ENOLCK``, ``EOPNOTSUPP``), or
    when another process keeps the lock past ``timeout`` (default :data:`LOCK_TIMEOUT`), the
    body runs unlocked. The lock file is never removed: removing it would let two processes
    lock two different files.
    """
    if fcntl is None:
        yield False
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    locked = False
    try:
        deadline = time.monotonic() + (LOCK_TIMEOUT if timeout is None else timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.005)
            except OSError:
                break
        yield locked
    finally:
        if locked:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError:
                pass
        os.close(fd)


def signature(path: Path) -> Signature | None:
    """The file's :data:`Signature`, or ``None`` when there is no file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


# Reading the file ------------------------------------------------------------------------


@dataclass(frozen=True)
class DiskCopy:
    """The state file as read once: its text and what it holds, or why it cannot be used.

    ``text`` and ``problem`` both ``None``: there is no file. ``same``: the text is the one
    given as ``known`` to :func:`read_copy`, so it was not parsed again. ``data`` (the
    parsed file, with ``stories``, ``moved`` and any other top-level keys) is set only for a
    file this version can use; ``newer`` holds the version of a file from a newer reader.
    """

    text: str | None = None
    signature: Signature | None = None
    data: dict[str, Any] | None = None
    problem: str | None = None
    newer: int | None = None
    same: bool = False

    @property
    def good(self) -> bool:
        """Whether the file is a state this version reads (and may copy to ``.bak``)."""
        return self.data is not None or self.same


def read_copy(path: Path, known: str | None = None) -> DiskCopy:
    """Read and parse the state file at ``path``; touches nothing, safe in a thread."""
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            raw = handle.read()
    except FileNotFoundError:
        return DiskCopy()
    except OSError as error:
        return DiskCopy(problem=f"could not be read ({error})")
    sign = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return DiskCopy(signature=sign, problem="is not UTF-8 text")
    if known is not None and text == known:
        return DiskCopy(text=text, signature=sign, same=True)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return DiskCopy(text=text, signature=sign, problem=f"is not valid YAML{where}")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return DiskCopy(text=text, signature=sign, problem="does not hold a mapping")
    version = data.get("version", VERSION)
    if not isinstance(version, int):
        return DiskCopy(text=text, signature=sign, problem=f"has an unknown version {version!r}")
    if version > VERSION:
        return DiskCopy(text=text, signature=sign, newer=version)
    stories = data.get("stories") or {}
    if not isinstance(stories, dict):
        return DiskCopy(text=text, signature=sign, problem="has a 'stories' entry that is not a mapping")
    moved = data.get("moved") or {}
    extra = {key: value for key, value in data.items() if key not in ("version", "stories", "moved")}
    parsed = {
        "stories": {str(key): value for key, value in stories.items() if isinstance(value, dict)},
        "moved": {str(k): str(v) for k, v in moved.items()} if isinstance(moved, dict) else {},
        "extra": extra,
    }
    return DiskCopy(text=text, signature=sign, data=parsed)


def parse_stamp(text: object) -> datetime | None:
    """The moment an ISO 8601 stamp names (a stamp without a zone is taken as local time)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.astimezone()


def stamp_order(text: object) -> float:
    """A number to sort stamps by: seconds since the epoch, unreadable stamps first."""
    moment = parse_stamp(text)
    return moment.timestamp() if moment is not None else -math.inf


def later(theirs: object, mine: object) -> bool:
    """Whether the stamp ``theirs`` is strictly later than ``mine`` (ties go to mine)."""
    return stamp_order(theirs) > stamp_order(mine)


def now_stamp(timespec: str = "seconds") -> str:
    """Now, as a timezone-aware ISO 8601 stamp in local time."""
    return datetime.now(timezone.utc).astimezone().isoformat(timespec=timespec)


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
        return max(0.0, round(float(entry.get("reading_time", 0) or 0), 1))
    except (TypeError, ValueError):
        return 0.0


def day_pair(value: Any) -> tuple[float, int]:
    """A day's ``[seconds, words]`` from the ``days`` log, forgiving of a hand-edited file."""
    if isinstance(value, list | tuple) and len(value) >= 2:
        try:
            return max(0.0, float(value[0])), max(0, int(value[1]))
        except (TypeError, ValueError):
            return 0.0, 0
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


def merge_story(mine: Entry, theirs: Entry) -> Entry:
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
    tombstones = list(
        dict.fromkeys(
            [str(key) for key in _list(mine.get("deleted_bookmarks"))]
            + [str(key) for key in _list(theirs.get("deleted_bookmarks"))]
        )
    )
    if tombstones:
        merged["deleted_bookmarks"] = tombstones
    if "bookmarks" in mine or "bookmarks" in theirs:
        merged["bookmarks"] = merge_bookmarks(
            _list(mine.get("bookmarks")), _list(theirs.get("bookmarks")), set(tombstones)
        )
    return merged


def resolve_moved(story_id: str, moved: dict[str, str]) -> str:
    """Where ``story_id``'s state lives now, following ``moved`` (old id → new id) chains.

    A cycle (a file renamed and renamed back while another copy kept the first move)
    moves nothing: every id of it stays where it is, so no entry is lost.
    """
    current, seen = story_id, {story_id}
    while current in moved:
        current = moved[current]
        if current in seen:
            return story_id
        seen.add(current)
    return current


def merge_stories(
    mine: dict[str, Entry], theirs: dict[str, Entry], moved: dict[str, str]
) -> dict[str, Entry]:
    """Every story of both copies, merged; entries under a ``moved`` id go to the new id."""
    merged: dict[str, Entry] = {}
    for side, stories in (("mine", mine), ("theirs", theirs)):
        for story_id, entry in stories.items():
            if not isinstance(entry, dict):
                continue
            target = resolve_moved(story_id, moved)
            held = merged.get(target)
            if held is None:
                merged[target] = entry
            elif side == "theirs" or story_id != target:
                merged[target] = merge_story(held, entry)
            else:  # my entry under its own id meets one of mine moved there: prefer this one
                merged[target] = merge_story(entry, held)
    return merged
