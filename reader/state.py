"""Reading state: positions, bookmarks and history per story, kept in a YAML file.

The file may be shared by two readers at once (two terminals, or two machines syncing a
folder), so :meth:`State.save`

1. takes an exclusive lock on ``state.yaml.lock`` beside the file
   (:func:`~reader.state_merge.file_lock`; where locking is unsupported, or another
   reader keeps the lock past :data:`~reader.state_merge.LOCK_TIMEOUT`, the save goes on
   without it),
2. re-reads the file and merges it into memory (the rules are in :mod:`reader.state_merge`),
3. copies the file it read to ``state.yaml.bak``, then writes the merged state atomically
   (:func:`~reader.atomic_write.write_atomic`: a temp file in the same folder, fsync, ``os.replace``).

A failed write (a full or read-only disk) raises ``OSError`` and leaves the file as it was.
A file changed by someone else while the reader runs is found by
:meth:`State.changed_on_disk` and merged in with :meth:`State.read_disk` (safe in a
thread) and :meth:`State.absorb`.

A file that does not parse is moved aside (``state.yaml.corrupt-<time>``), never
overwritten or deleted; if ``state.yaml.bak`` parses, the state is restored from it. A
file written by a newer version is left untouched and nothing is saved. Entries for
stories whose files are missing are never purged. Nothing here imports Textual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from reader.atomic_write import write_atomic
from reader.model import Bookmark, Position
from reader.reading_stats import add_reading, day_key
from reader.reading_status import set_status, status_of_entry
from reader.state_merge import (
    VERSION,
    DiskCopy,
    Signature,
    bookmark_key,
    file_lock,
    merge_stories,
    now_stamp,
    raw_bookmark_key,
    read_copy,
    reading_seconds,
    signature,
    stamp_order,
)


def now_iso() -> str:
    """Now, as a timezone-aware ISO 8601 stamp to the millisecond (``last_read``).

    Milliseconds, not seconds: two readers saving the same story within one second would
    otherwise tie, and a tie keeps the saving reader's copy, stale or not.
    """
    return now_stamp("milliseconds")


def _mark_key(mark: Bookmark) -> str:
    return bookmark_key(mark.created, mark.position.chapter, mark.position.offset)


# The state -------------------------------------------------------------------------------


@dataclass
class State:
    """The state file in memory.

    ``warning`` says what went wrong while loading, if anything; ``notices`` collects what
    happened to the file later (set aside, refused), for :meth:`pop_notices`. ``moved``
    maps the ids of renamed or moved stories to their new ids; ``extra`` keeps top-level
    keys this version does not know.
    """

    path: Path
    stories: dict[str, dict[str, Any]] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    warning: str | None = None
    read_only: bool = False
    notices: list[str] = field(default_factory=list)
    #: The file's text as last read or written here: merging it again would change nothing.
    _seen_text: str | None = None
    _seen_signature: Signature | None = None

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # Loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> State:
        """Read the state file; a missing file is a fresh state, a corrupt one is set aside."""
        state = cls(path=path)
        copy = read_copy(path)
        if copy.problem is not None:
            with file_lock(state.lock_path):
                copy = read_copy(path)  # another reader may have dealt with it meanwhile
                if copy.problem is not None:
                    state._recover(copy.problem)
                    return state
        if copy.newer is not None:
            state.read_only = True
            state.warning = (
                f"{path} was written by a newer reader (version {copy.newer}); it is left untouched "
                "and nothing will be saved this session."
            )
            return state
        state._take(copy)
        return state

    def _recover(self, reason: str) -> None:
        """Set the unusable file aside and, if the backup parses, restore from it (locked)."""
        try:
            aside = self._set_aside()
        except OSError as error:
            self.read_only = True
            self.warning = (
                f"The state file {self.path} {reason}, and could not be moved aside ({error}); "
                "nothing will be saved."
            )
            return
        self.warning = f"The state file {reason}; it was moved to {aside} and a fresh state started."
        backup = read_copy(self.backup_path)
        if backup.data is None:
            return
        self._take(backup)
        self._seen_text = self._seen_signature = None  # the file itself is gone now
        saved = datetime.fromtimestamp(backup.signature[2] / 1e9) if backup.signature else None
        when = f" (saved {saved:%Y-%m-%d %H:%M})" if saved else ""
        self.warning = (
            f"The state file {reason}; it was moved to {aside}. "
            f"Your places and bookmarks were restored from the backup {self.backup_path}{when}."
        )
        try:  # written now, so that the restored state is the file even if nothing else is saved
            self._save_locked()
        except OSError:
            pass  # the next save tries again

    def _set_aside(self) -> Path:
        """Move the file to ``state.yaml.corrupt-<time>``, never over an earlier one."""
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
            number += 1
        os.replace(self.path, aside)
        return aside

    # Merging what is on disk -------------------------------------------------------------

    def _take(self, copy: DiskCopy) -> None:
        """Merge a good copy of the file into memory and remember it as seen."""
        if copy.data is not None:
            self.moved = {**copy.data["moved"], **self.moved}
            self.stories = merge_stories(self.stories, copy.data["stories"], self.moved)
            self.extra = {**copy.data["extra"], **self.extra}
        if copy.good:
            self._seen_text, self._seen_signature = copy.text, copy.signature

    def changed_on_disk(self) -> bool:
        """Whether the file differs from the one last read or written here (a cheap ``stat``)."""
        return signature(self.path) != self._seen_signature

    def read_disk(self) -> DiskCopy:
        """Read the file for :meth:`absorb`; changes nothing, so it may run in a thread."""
        return read_copy(self.path, known=self._seen_text)

    def absorb(self, copy: DiskCopy) -> bool:
        """Merge a copy read by :meth:`read_disk` into memory; True if memory changed.

        Changes not saved yet stay (the merge keeps the newer of each). A file from a newer
        reader stops all saving, with a notice; a corrupt file is left for the next save to
        set aside, and not read again until it changes.
        """
        if self.read_only:
            return False
        if copy.newer is not None:
            self._refuse(copy.newer)
            return False
        if not copy.good:
            self._seen_signature = copy.signature
            return False
        before = self.stories
        self._take(copy)
        return self.stories != before

    def _refuse(self, version: int) -> None:
        self.read_only = True
        self.notices.append(
            f"{self.path} was replaced by a newer reader's file (version {version}); it is left "
            "untouched and nothing more will be saved this session."
        )

    def pop_notices(self) -> list[str]:
        """What happened to the file since last asked (for the user to be told once)."""
        notices, self.notices = self.notices, []
        return notices

    # Saving ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": VERSION, "stories": self.stories}
        if self.moved:
            data["moved"] = self.moved
        return {**data, **{k: v for k, v in self.extra.items() if k not in data}}

    def dump(self) -> str:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(self.to_dict(), Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)

    def save(self) -> None:
        """Lock, merge what is on disk, keep the file read as ``.bak``, and write atomically.

        Raises ``OSError`` (a full or read-only disk); the file on disk is then unchanged.
        A file found corrupt is set aside first (with a notice); a file from a newer reader
        is left alone and saving stops (with a notice).
        """
        if self.read_only:
            return
        with file_lock(self.lock_path):
            self._save_locked()

    def _save_locked(self) -> None:
        copy = read_copy(self.path, known=self._seen_text)
        if copy.newer is not None:
            self._refuse(copy.newer)
            return
        if copy.problem is not None:
            aside = self._set_aside()  # raises OSError if it can't: never written over
            self.notices.append(
                f"The state file on disk {copy.problem}; it was moved to {aside} and your reading "
                "state written afresh."
            )
        self._take(copy)
        if copy.good and copy.text is not None:
            write_atomic(self.backup_path, copy.text)
        text = self.dump()
        write_atomic(self.path, text)
        self._seen_text, self._seen_signature = text, signature(self.path)

    # Stories -----------------------------------------------------------------------------

    def entry(self, story_id: str) -> dict[str, Any]:
        return self.stories.setdefault(story_id, {})

    def position(self, story_id: str) -> Position | None:
        data = self.stories.get(story_id, {}).get("position")
        return Position.from_dict(data) if data else None

    def progress(self, story_id: str) -> float:
        try:
            return float(self.stories.get(story_id, {}).get("progress", 0.0))
        except (TypeError, ValueError):
            return 0.0

    def last_read(self, story_id: str) -> str:
        return str(self.stories.get(story_id, {}).get("last_read", "") or "")

    def save_position(
        self,
        story_id: str,
        position: Position,
        *,
        progress: float,
        title: str,
        path: str,
        seconds: float = 0.0,
        author: str = "",
        chapters: int = 0,
    ) -> None:
        """Record where the story is being read, stamped now (``last_read``): the newer wins."""
        entry = self.entry(story_id)
        entry["title"] = title
        if author:
            entry["author"] = author
        entry["path"] = path
        if chapters:
            entry["chapters"] = chapters
        entry["position"] = position.to_dict()
        entry["progress"] = round(progress, 4)
        entry["last_read"] = now_iso()
        if seconds:
            entry["reading_time"] = round(reading_seconds(entry) + seconds, 1)  # tenths: no loss turn by turn
        entry.setdefault("status", "reading")

    def log_reading(self, story_id: str, seconds: float, words: int, day: str | None = None) -> None:
        """Add to the story's per-day log (``days``) what a page turn read; ``day`` defaults to today."""
        if seconds > 0 or words > 0:
            add_reading(self.entry(story_id), day or day_key(), seconds, words)

    # Reading status ----------------------------------------------------------------------

    def status(self, story_id: str) -> str:
        """The story's reading status (a key of ``reading_status.STATUSES``; "" if never opened)."""
        return status_of_entry(self.stories.get(story_id))

    def set_status(self, story_id: str, status: str) -> None:
        """Set the reading status by hand, stamped now (:func:`reader.reading_status.set_status`).

        Raises ``ValueError`` for an unknown status.
        """
        set_status(self.entry(story_id), status, now_iso())

    def finished(self, story_id: str) -> str:
        """When the story was last marked finished (an ISO stamp), or ""."""
        return str(self.stories.get(story_id, {}).get("finished", "") or "")

    # Bookmarks ---------------------------------------------------------------------------

    def bookmarks(self, story_id: str) -> list[Bookmark]:
        raw = self.stories.get(story_id, {}).get("bookmarks") or []
        marks = [Bookmark.from_dict(item) for item in raw] if isinstance(raw, list) else []
        return [mark for mark in marks if mark is not None]

    def add_bookmark(self, story_id: str, name: str, position: Position) -> Bookmark:
        """A new bookmark, stamped to the millisecond (its identity, with its position)."""
        mark = Bookmark(name=name, position=position, created=now_iso())
        entry = self.entry(story_id)
        entry["bookmarks"] = [*self._raw_marks(entry), mark.to_dict()]
        return mark

    def rename_bookmark(self, story_id: str, mark: Bookmark, name: str) -> bool:
        """Rename ``mark``, stamped ``renamed`` (the later rename wins a merge); False if gone."""
        for raw in self._raw_marks(self.stories.get(story_id, {})):
            if raw_bookmark_key(raw) == _mark_key(mark):
                raw["name"] = name
                raw["renamed"] = now_iso()
                return True
        return False

    def delete_bookmark(self, story_id: str, mark: Bookmark) -> None:
        """Delete ``mark`` and keep a tombstone, so that no other copy brings it back."""
        entry = self.entry(story_id)
        key = _mark_key(mark)
        entry["bookmarks"] = [raw for raw in self._raw_marks(entry) if raw_bookmark_key(raw) != key]
        tombstones = entry.get("deleted_bookmarks")
        tombstones = tombstones if isinstance(tombstones, list) else []
        if key not in tombstones:
            entry["deleted_bookmarks"] = [*tombstones, key]

    def set_bookmarks(self, story_id: str, bookmarks: list[Bookmark]) -> None:
        """Make the list ``bookmarks``, as renames, deletions and additions (prefer those)."""
        wanted = {_mark_key(mark): mark for mark in bookmarks}
        for mark in self.bookmarks(story_id):
            key = _mark_key(mark)
            if key not in wanted:
                self.delete_bookmark(story_id, mark)
            elif wanted[key].name != mark.name:
                self.rename_bookmark(story_id, mark, wanted[key].name)
        have = {_mark_key(mark) for mark in self.bookmarks(story_id)}
        entry = self.entry(story_id)
        added = [mark.to_dict() for key, mark in wanted.items() if key not in have]
        if added:
            entry["bookmarks"] = [*self._raw_marks(entry), *added]

    @staticmethod
    def _raw_marks(entry: dict[str, Any]) -> list[dict[str, Any]]:
        raw = entry.get("bookmarks")
        return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []

    # Library -----------------------------------------------------------------------------

    def chapters_seen(self, story_id: str) -> int:
        """How many chapters the story had when it was last read (0: never read)."""
        try:
            return int(self.stories.get(story_id, {}).get("chapters", 0) or 0)
        except (TypeError, ValueError):
            return 0

    def reconcile(self, found: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
        """Carry the state of renamed or moved stories over to their new ids.

        ``found`` lists (id, title, author) of the stories in the library now. An entry
        whose story is not among them and whose file is gone moves to the one new story
        with the same title and author, and ``moved`` records it so that merges file other
        copies of the old entry under the new id. Returns the (old id, new id) pairs moved.
        """
        ids = {story_id for story_id, _, _ in found}
        orphans = {
            story_id: entry
            for story_id, entry in self.stories.items()
            if story_id not in ids and entry.get("path") and not os.path.exists(str(entry["path"]))
        }
        moved = []
        for story_id, title, author in found:
            if story_id in self.stories or not orphans:
                continue
            key = (title.casefold(), author.casefold())
            matches = [
                old
                for old, entry in orphans.items()
                if (str(entry.get("title", "")).casefold(), str(entry.get("author", "")).casefold()) == key
            ]
            if len(matches) == 1:
                self.stories[story_id] = self.stories.pop(matches[0])
                self.moved.pop(story_id, None)  # the id is in use again: nothing moves away from it
                self.moved[matches[0]] = story_id
                del orphans[matches[0]]
                moved.append((matches[0], story_id))
        return moved

    def most_recent(self) -> str | None:
        """The id of the story read last, if any."""
        read = [(stamp_order(self.last_read(k)), k) for k in self.stories if self.last_read(k)]
        return max(read)[1] if read else None
