"""The reading state: a folder of one small YAML file per story, in memory as :class:`State`.

- **Loading** lists the folder (:mod:`reader.state.folder`: one ``stat`` a file) and parses
  only the files that changed since the last start (:mod:`reader.state.cache`), each checked
  against its last good copy first (:mod:`reader.state.recovery`). Conflict copies left by a
  sync tool are merged into their story, then moved into ``merged-conflicts/``.
- **Saving** writes only the stories that changed, one small file each
  (:mod:`reader.state.saving`: lock, re-read, merge, replace), so it can run off the UI thread.
- **Identity**: a story is known by its id; the other ids it was known by lead to it
  (:mod:`reader.state.identity`). One record is read and changed by :mod:`reader.state.story`.

Nothing here imports Textual.
"""

from __future__ import annotations

import copy
import hashlib
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from reader import paths
from reader.model import Bookmark, Position
from reader.state import loading, saving, story
from reader.state.cache import Cached, Heavy, StartReading, save_cache
from reader.state.disk import (
    DAMAGED,
    MERGED_CONFLICTS,
    FileSignature,
    StoryFile,
    file_name,
    id_hash,
    name_hash,
)
from reader.state.folder import Changes, StateFolderError, changes, locate
from reader.state.identity import Identity
from reader.state.merge import merge_story
from reader.state.stamps import now_iso, stamp_order
from reader.state.stats import add_reading, day_key
from reader.state.status import set_status, status_of_entry
from reader.state.sync import conflict_original

__all__ = ["Changes", "State", "StateFolderError"]


class State(Identity):
    """Every story's record in memory, read from and written to the state folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stories: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}  # story id → its file's name
        self.aliases: dict[str, str] = {}  # another id of a story → its id
        self.dirty: set[str] = set()
        self.disk: Cached = {}  # file name → (signature, record) as last read or written
        self.after_write: dict[str, set[str]] = {}  # story id → copies to move once it is written
        self._private: set[str] = set()  # stories whose record shares nothing with ``disk``
        self._seen_other: dict[str, FileSignature | None] = {}  # conflict copies, files left alone
        self.light_names: set[str] = set()  # files whose records still lack their heavy parts
        self.heavy_waiting = False  # light records wait for their heavy parts from the cache
        self.start_reading: StartReading | None = None  # see reader.state.cache.StartReading
        self.unlooked = False  # records taken from the cache on trust, not looked at since
        self.heavy_parts: Future[Heavy] | None = None  # read on a thread (loading.prefetch)
        self.warning: str | None = None
        self.notices: list[str] = []
        self.read_only = False
        key = hashlib.sha256(os.path.realpath(folder).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.cache_path = paths.cache_dir() / "state" / f"{key}.json"
        self.locks = paths.cache_dir() / "state" / key
        self.previous = paths.data_dir() / "previous" / key

    @property
    def path(self) -> Path:
        """The state folder (what the user named with ``--state``)."""
        return self.folder

    @classmethod
    def load(cls, path: Path, look_soon: bool = False, parsed: loading.Parsed | None = None) -> State:
        """The state at ``path`` (a folder; see :func:`locate`), migrating an old file once.
        ``look_soon``: what the cache knows is taken on trust, without a ``stat`` a file, for a caller
        that looks soon (:meth:`changes`) and first at a story it opens (:meth:`freshen`); ``parsed``:
        see :func:`reader.state.loading.load_folder`. Raises :class:`StateFolderError` for a place
        that cannot be used."""
        folder, old = locate(path)
        state = cls(folder)
        if old is not None:
            state._migrate(old)
        loading.load_folder(state, trust=look_soon and old is None, parsed=parsed)
        return state

    def _migrate(self, old: Path) -> None:
        from reader.state.migrate import move_in  # once in a reader's life: not on every start

        moved = move_in(old, self.folder)
        self.warning, self.read_only = moved.warning, moved.read_only
        self.notices += moved.notices

    def prefetch(self) -> None:
        """Start reading what the cache keeps apart (:func:`reader.state.loading.prefetch`)."""
        loading.prefetch(self)

    def freshen(self, story_id: str | None = None) -> None:
        """Look now at what a start took on trust (:func:`reader.state.loading.freshen`)."""
        loading.freshen(self, story_id)

    def ensure_full(self) -> None:
        """Merge in the heavy parts of the cached records (:func:`loading.ensure_full`)."""
        loading.ensure_full(self)

    def full_stories(self) -> dict[str, dict[str, Any]]:
        """Every record whole (the statistics and the reading speed read the day logs)."""
        self.ensure_full()
        return self.stories

    def _take(self, name: str, sign: FileSignature | None, record: dict[str, Any]) -> None:
        """A good record read from the file ``name``: into memory, merged with what is there."""
        story_id = record["id"]
        if sign is not None:
            self.disk[name] = (sign, record)
        held = self.stories.get(story_id)
        self.stories[story_id] = record if held is None else merge_story(held, record)
        self._private.discard(story_id)
        if name_hash(name) != id_hash(story_id):
            # A file named for another id (copied by hand): never written as this story's, which
            # gets a file of its own (the other story's save may write over this one).
            if saving.existing_name(self.folder, story_id) is None:
                self.dirty.add(story_id)
        elif (known := self.names.setdefault(story_id, name)) != name:
            # Two files hold one story (written by two devices): keep one.
            keep, extra = sorted((known, name))
            self.names[story_id] = keep
            self.after_write.setdefault(story_id, set()).add(extra)
            self.dirty.add(story_id)
        if held is not None and self.stories[story_id] != held:
            self.dirty.add(story_id)
        self._index_aliases(story_id)

    def take_file(self, found: StoryFile, previous: StoryFile | None = None) -> None:
        """A story file read from disk (at start, or changed while running), checked first."""
        from reader.state.recovery import check  # imported here: not needed at start-up

        self.ensure_full()
        name = found.path.name
        self.notices += found.notices
        verdict = check(found, self.previous / name, self.folder / DAMAGED, previous)
        self.notices += verdict.notices
        if verdict.left_alone:
            self._seen_other[name] = found.signature  # told once, until it changes
        if not verdict.take or found.record is None:
            if verdict.restore is not None:  # a damaged file: its last good copy instead
                self._restore(name, verdict.restore, verdict.write_now)
            return
        story_id = found.record["id"]
        held = self.stories.get(story_id)
        if held is not None and held is self.disk.get(name, (0, None))[1] and story_id not in self.dirty:
            held = self.stories.pop(story_id)  # unchanged since read from this file: the file wins
        self._take(name, found.signature, found.record)
        if verdict.restore is not None:  # it held less than its last good copy: the two merged
            self.stories[story_id] = merge_story(self.stories[story_id], verdict.restore)
            self.dirty.add(story_id)
            self._write_now(story_id)
            return
        if held is not None and self.stories[story_id] != found.record:
            self.dirty.add(story_id)  # memory held more: the file is written again
        saving.keep_previous(self.previous / name, found.text)

    def _restore(self, name: str, previous: dict[str, Any], write_now: bool) -> None:
        """A damaged file's last good copy: into memory, and written at once if ``write_now``."""
        story_id = previous["id"]
        held = self.stories.get(story_id)
        self.stories[story_id] = previous if held is None else merge_story(held, previous)
        self.names.setdefault(story_id, name)
        self.dirty.add(story_id)
        self._index_aliases(story_id)
        if write_now:
            self._write_now(story_id)

    def _write_now(self, story_id: str) -> None:
        """Write a restored story at once (even if this session never saves: ``list``, a kill)."""
        if self.read_only or story_id not in self.names:  # no file of its own yet: the next save
            return
        job = saving.Job(story_id, self.names[story_id], copy.deepcopy(self.stories[story_id]))
        try:
            self.took(self.write(job))
        except (OSError, saving.LockBusy):
            return  # still dirty: written with the next save
        self.dirty.discard(story_id)

    def take_conflict(self, found: StoryFile) -> None:
        """A sync tool's conflict copy: merged into its story, moved aside once written."""
        self.ensure_full()
        self._seen_other[found.path.name] = found.signature  # not read (or told) again unchanged
        self.notices += found.notices
        if found.record is None:
            if found.problem:
                self.notices.append(
                    f"{found.path.name} (a sync tool's copy) {found.problem}; it is left as it is."
                )
            return
        record = found.record
        story_id = record["id"]
        original = conflict_original(found.path.name)
        if original is None or name_hash(original) != id_hash(story_id):  # a copy of another's file
            original = file_name(str(record.get("title") or story_id), story_id)
        held = self.stories.get(story_id)
        self.stories[story_id] = record if held is None else merge_story(held, record)
        self._private.discard(story_id)
        self.names.setdefault(story_id, original)
        self.after_write.setdefault(story_id, set()).add(found.path.name)
        self.dirty.add(story_id)
        self._index_aliases(story_id)
        self.notices.append(
            f"Merged {found.path.name}, a copy a sync tool made of “{record.get('title') or story_id}”; "
            f"it will be kept in {MERGED_CONFLICTS}/."
        )

    # Files other readers changed ---------------------------------------------------------

    def look(self) -> dict[str, FileSignature | None]:
        """What this reader last saw of each file, for :meth:`changes` (a copy: thread-safe)."""
        return {**self._seen_other, **{name: sign for name, (sign, _) in self.disk.items()}}

    def changes(self, seen: dict[str, FileSignature | None]) -> Changes:
        """The files changed since ``seen``, read and parsed (touches nothing: any thread)."""
        return changes(self.folder, seen)

    def absorb(self, changes: Changes) -> bool:
        """Merge what :meth:`changes` read into memory; True if a story changed. Stories that
        memory holds more of (or conflict copies) are marked to be written."""
        before = {f.record["id"]: self.stories.get(f.record["id"]) for f in changes.files if f.record}
        for found in changes.files:
            if found.signature is not None and self.disk.get(found.path.name, (None,))[0] == found.signature:
                continue  # this reader wrote it meanwhile
            self.take_file(found)
        for found in changes.conflicts:
            self.take_conflict(found)
        return bool(changes.conflicts) or any(self.stories.get(k) != v for k, v in before.items())

    # Saving --------------------------------------------------------------------------------

    def jobs(self) -> list[saving.Job]:
        """What must be written now, as copies a thread may use; the stories are clean after."""
        self.ensure_full()
        found = []
        for story_id in sorted(self.dirty):
            record = self.stories.get(story_id)
            if record is None:
                continue
            name = self.names.get(story_id) or saving.existing_name(self.folder, story_id)
            if name is None:
                name = file_name(str(record.get("title") or story_id), story_id)
            self.names[story_id] = name
            found.append(
                saving.Job(
                    story_id=story_id,
                    name=name,
                    record=copy.deepcopy(record),
                    extras=sorted(self.after_write.get(story_id, ())),
                )
            )
        self.dirty.clear()
        return found

    def write(self, job: saving.Job, timeout: float = saving.LOCK_TIMEOUT) -> saving.Written:
        """Write one job (any thread): see :func:`reader.state.saving.write`."""
        return saving.write(job, self.folder, self.locks, self.previous, timeout)

    def took(self, done: saving.Written) -> None:
        """A job written (on the thread that owns this state): memory takes what the merge found."""
        story_id = done.job.story_id
        held = self.stories.get(story_id, {})
        self.stories[story_id] = merge_story(held, done.record)
        self._private.discard(story_id)
        if done.signature is not None:
            self.disk[done.job.name] = (done.signature, done.record)
        extras = self.after_write.get(story_id)
        if extras is not None:
            extras.difference_update(done.job.extras)
            if not extras:
                del self.after_write[story_id]
        self.notices += done.notices
        self._index_aliases(story_id)

    def failed(self, job: saving.Job) -> None:
        """A job not written (busy lock, full disk): it is written with the next save."""
        self.dirty.add(job.story_id)

    def save(self, timeout: float = saving.LOCK_TIMEOUT) -> None:
        """Write every story that changed, here and now (the CLI, tests, the exit).

        Raises ``OSError`` (a full disk) or :class:`~reader.state.disk.LockBusy` after trying
        every story; what was not written stays to be written.
        """
        if self.read_only:
            return
        problem: Exception | None = None
        for job in self.jobs():
            try:
                self.took(self.write(job, timeout))
            except (OSError, saving.LockBusy) as error:
                self.failed(job)
                problem = problem or error
        self.save_cache()
        if problem is not None:
            raise problem

    def save_cache(self) -> None:
        """Cache the records of the files, but not of a story still to be written (read again)."""
        self.ensure_full()
        kept = {name: item for name, item in self.disk.items() if item[1].get("id") not in self.dirty}
        odd = {name for name, (_, record) in kept.items() if self.names.get(record["id"]) != name}
        save_cache(self.cache_path, os.path.realpath(self.folder), kept, odd)

    def emergency_copies(self) -> list[Path]:
        """Write what could not be saved where nothing else writes (the last resort at exit)."""
        return [saving.emergency_copy(job) for job in self.jobs()]

    def pop_notices(self) -> list[str]:
        """What happened to the files since last asked (for the user to be told once)."""
        notices, self.notices = self.notices, []
        return notices

    # Stories -------------------------------------------------------------------------------

    def entry(self, story_id: str) -> dict[str, Any]:
        """The story's record, to change (it will be saved); created when new."""
        self.ensure_full()
        key = self.key(story_id)
        self.dirty.add(key)
        if key not in self._private:  # it may share parts with the copy of its file: copy first
            self.stories[key] = copy.deepcopy(self.stories.get(key, {"id": key}))
            self._private.add(key)
        return self.stories[key]

    def record(self, story_id: str) -> dict[str, Any]:
        """The story's record to read ({} when unknown)."""
        return self.stories.get(self.key(story_id), {})

    def position(self, story_id: str) -> Position | None:
        return story.position(self.record(story_id))

    def progress(self, story_id: str) -> float:
        return story.progress(self.record(story_id))

    def last_read(self, story_id: str) -> str:
        return story.text(self.record(story_id), "last_read")

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
        story.record_place(
            self.entry(story_id),
            position,
            progress=progress,
            title=title,
            path=path,
            seconds=seconds,
            author=author,
            chapters=chapters,
        )

    def log_reading(self, story_id: str, seconds: float, words: int, day: str | None = None) -> None:
        """Add to the story's per-day log (``days``) what a page turn read; ``day`` defaults to today."""
        if seconds > 0 or words > 0:
            add_reading(self.entry(story_id), day or day_key(), seconds, words)

    def status(self, story_id: str) -> str:
        """The story's reading status (a key of ``status.STATUSES``; "" if never opened)."""
        return status_of_entry(self.stories.get(self.key(story_id)))

    def set_status(self, story_id: str, status: str) -> None:
        """Set the reading status by hand, stamped now. Raises ``ValueError`` for an unknown one."""
        set_status(self.entry(story_id), status, now_iso())

    def finished(self, story_id: str) -> str:
        return story.text(self.record(story_id), "finished")

    def chapters_seen(self, story_id: str) -> int:
        """How many chapters the story had when it was last read (0: never read)."""
        return story.chapters_seen(self.record(story_id))

    def most_recent(self) -> str | None:
        """The id of the story read last, if any."""
        read = [(stamp_order(self.last_read(k)), k) for k in self.stories if self.last_read(k)]
        return max(read)[1] if read else None

    # Bookmarks -----------------------------------------------------------------------------

    def bookmarks(self, story_id: str) -> list[Bookmark]:
        self.ensure_full()
        return story.bookmarks(self.record(story_id))

    def add_bookmark(self, story_id: str, name: str, position: Position) -> Bookmark:
        """A new bookmark, stamped to the millisecond (its identity, with its position)."""
        return story.add_bookmark(self.entry(story_id), name, position)

    def rename_bookmark(self, story_id: str, mark: Bookmark, name: str) -> bool:
        """Rename ``mark``, stamped ``renamed`` (the later rename wins a merge); False if gone."""
        return story.rename_bookmark(self.entry(story_id), mark, name)

    def delete_bookmark(self, story_id: str, mark: Bookmark) -> None:
        """Delete ``mark`` and keep a tombstone, so that no other copy brings it back."""
        story.delete_bookmark(self.entry(story_id), mark)

    def set_bookmarks(self, story_id: str, bookmarks: list[Bookmark]) -> None:
        """Make the list ``bookmarks``, as renames, deletions and additions (prefer those)."""
        story.set_bookmarks(self.entry(story_id), bookmarks)
