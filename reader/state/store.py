"""The reading state: a folder of one small YAML file per story, in memory as :class:`State`.

- **Loading** lists the folder (one ``stat`` a file) and parses only the files that changed
  since the last start (:mod:`reader.state.cache`). A file that does not parse, or that holds
  less than the last good copy this machine kept of it (:func:`reader.state.merge.losses`),
  is merged with that copy, moved aside into ``damaged/``, and the user told; the other
  stories are untouched. Conflict copies left by a sync tool are merged into their story,
  then moved into ``merged-conflicts/`` (:mod:`reader.state.sync`).
- **Saving** writes only the stories that changed, one small file each
  (:mod:`reader.state.saving`: lock, re-read, merge, replace), so it can run off the UI thread.
- **Identity**: a story is known by its id (its source URL, or its file's fingerprint); other
  ids it was known by (an old path id, the fingerprint before it was re-downloaded) are kept in
  its ``also`` list and lead to it (:mod:`reader.state.identity`).

Nothing here imports Textual.
"""

from __future__ import annotations

import copy
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader import paths
from reader.model import Bookmark, Position
from reader.state import saving
from reader.state.cache import Cached, load_cache, save_cache
from reader.state.disk import (
    DAMAGED,
    MERGED_CONFLICTS,
    FileSignature,
    StoryFile,
    file_name,
    file_signature,
    id_hash,
    name_hash,
    read_story,
    set_aside,
)
from reader.state.identity import Identity
from reader.state.merge import bookmark_key, losses, merge_story, raw_bookmark_key, reading_seconds
from reader.state.migrate import MigrationError, NotAStateFile, migrate
from reader.state.stamps import now_iso, stamp_order
from reader.state.stats import add_reading, day_key
from reader.state.status import set_status, status_of_entry
from reader.state.sync import conflict_original, is_own_temp_file, is_sync_tool_file

#: The first release's single state file, migrated when found in the folder.
V1_NAME = "state.yaml"
#: Names of the reader's own that may stand in a state folder (besides story files).
_OWN_NAMES = {V1_NAME, DAMAGED, MERGED_CONFLICTS}
_OWN_PREFIXES = (f"{V1_NAME}.",)


class StateFolderError(Exception):
    """The place named for the state cannot be used (a device, a file, somebody's folder)."""


def _unusable_content(problem: str | None) -> bool:
    """Whether a file that was not read is damaged content (set aside), not an odd file."""
    return bool(problem) and ("UTF-8" in str(problem) or "larger than" in str(problem))


def _mark_key(mark: Bookmark) -> str:
    return bookmark_key(mark.created, mark.position.chapter, mark.position.offset)


def locate(path: Path) -> tuple[Path, Path | None]:
    """(the state folder, an old ``state.yaml`` to migrate into it) for the place ``path``.

    A folder is used as it is. A ``*.yaml`` path names the first release's state file: its
    folder is beside it, named without the ending (``reading.yaml`` → ``reading/``), and the
    file, if there, is migrated. A device, a FIFO, any other file, or a folder holding files
    that are not the reader's, raises :class:`StateFolderError` — nothing is renamed or replaced.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise StateFolderError(f"{path} cannot be used for the reading state ({error.strerror})") from error
    if info is not None and stat.S_ISREG(info.st_mode) and path.suffix.lower() in (".yaml", ".yml"):
        folder, _ = locate(path.with_suffix(""))
        return folder, path
    if info is not None and not stat.S_ISDIR(info.st_mode):
        kind = "a file" if stat.S_ISREG(info.st_mode) else "a device or a pipe"
        raise StateFolderError(f"{path} is {kind}, not a folder; the reading state needs a folder")
    if info is None:
        if path.suffix.lower() in (".yaml", ".yml"):
            return locate(path.with_suffix(""))
        return path, None
    _refuse_foreign(path)
    old = path / V1_NAME
    return path, old if old.is_file() else None


def _ours(name: str) -> bool:
    if name_hash(name) is not None:  # the common case first: thousands of story files
        return True
    if (
        name in _OWN_NAMES
        or name.startswith(_OWN_PREFIXES)
        or is_sync_tool_file(name)
        or is_own_temp_file(name)
    ):
        return True
    original = conflict_original(name)
    return name_hash(original or name) is not None


def _refuse_foreign(folder: Path) -> None:
    try:
        names = os.listdir(folder)
    except OSError as error:
        raise StateFolderError(f"{folder} cannot be read ({error.strerror})") from error
    foreign = sorted(name for name in names if not _ours(name))
    if foreign:
        shown = ", ".join(repr(name) for name in foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise StateFolderError(
            f"{folder} holds files that are not the reader's ({shown}); name an empty folder, or "
            "one the reader made, for the reading state"
        )


@dataclass
class Listing:
    """What a look at the state folder found (safe to make in a thread)."""

    stories: dict[str, FileSignature] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


def list_folder(folder: Path) -> Listing:
    """The story files (with their signatures) and sync-tool conflict copies in ``folder``."""
    found = Listing()
    try:
        with os.scandir(folder) as entries:
            items = list(entries)
    except OSError:
        return found
    for item in items:
        name = item.name
        if name_hash(name) is not None:  # a story's file: the common case, tested first
            try:
                info = item.stat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.stories[name] = (info.st_ino, info.st_size, info.st_mtime_ns)
        elif not name.endswith(".yaml") or is_sync_tool_file(name) or is_own_temp_file(name):
            continue
        elif (original := conflict_original(name)) is not None and name_hash(original) is not None:
            found.conflicts.append(name)
    found.conflicts.sort()
    return found


@dataclass
class Changes:
    """Story files and conflict copies found changed on disk (see :meth:`State.changes`)."""

    files: list[StoryFile]
    conflicts: list[StoryFile]


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

    # Loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> State:
        """The state at ``path`` (a folder; see :func:`locate`), migrating an old file once.

        Raises :class:`StateFolderError` for a place that cannot be used.
        """
        folder, old = locate(path)
        state = cls(folder)
        if old is not None:
            state._migrate(old)
        state._load_folder()
        return state

    def _migrate(self, old: Path) -> None:
        try:
            count, notices = migrate(old, self.folder)
        except NotAStateFile as error:
            if old.parent != self.folder:  # named by --state: somebody's file, not ours to move
                raise StateFolderError(f"{error}; name a folder for the reading state") from error
            self._migrate_backup(old, str(error))
            return
        except MigrationError as error:
            self._migrate_backup(old, str(error))
            return
        except OSError as error:
            self.read_only = True
            self.warning = (
                f"Could not move the reading state into {self.folder} ({error.strerror or error}); "
                f"{old} is left as it was, and nothing will be saved this session."
            )
            return
        self.notices += notices
        self.warning = (
            f"Your reading state ({count:,} stor{'y' if count == 1 else 'ies'}) now lives in "
            f"{self.folder}, one small file per story; the old file is kept as {old.name}.v1."
        )

    def _migrate_backup(self, old: Path, problem: str) -> None:
        """An old state file that does not parse: moved aside; its ``.bak``, if good, migrated."""
        try:
            aside = set_aside(old, old.parent)
        except OSError as error:
            self.read_only = True
            self.warning = f"{problem}, and it could not be moved aside ({error}); nothing will be saved."
            return
        self.warning = f"{problem}; it was moved to {aside}."
        backup = old.with_name(old.name + ".bak")
        if backup.is_file():
            try:
                count, self.notices = migrate(backup, self.folder)
            except (MigrationError, OSError):
                return
            self.warning += f" {count:,} stories were restored from the backup {backup.name}."

    def _load_folder(self) -> None:
        listing = list_folder(self.folder)
        folder_key = os.path.realpath(self.folder)
        cached = load_cache(self.cache_path, folder_key)
        parsed = False
        for name, sign in listing.stories.items():
            hit = cached.get(name)
            if hit is not None and hit[0] == sign:
                self._take(name, sign, hit[1])
            else:
                self.take_file(read_story(self.folder / name))
                parsed = True
        for name in listing.conflicts:
            self.take_conflict(read_story(self.folder / name))
        if parsed or len(cached) != len(self.disk):
            self.save_cache()

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

    def take_file(self, found: StoryFile) -> None:
        """A story file read from disk (at start, or changed while running), checked first."""
        name = found.path.name
        self.notices += found.notices
        if found.newer is not None:
            self._seen_other[name] = found.signature  # told once, until it changes
            self.notices.append(
                f"{name} was written by a newer reader (version {found.newer}); it is left as it is."
            )
            return
        previous = read_story(self.previous / name)
        if found.record is None:
            if found.text is None and not _unusable_content(found.problem):
                if found.problem:  # not a regular file, or unreadable: not ours to move
                    self._seen_other[name] = found.signature
                    self.notices.append(f"{name} {found.problem}; it is left as it is.")
                return
            self._damaged(found, previous.record)
            return
        held = self.stories.get(found.record["id"])
        if previous.record is not None and previous.record.get("id") != found.record["id"]:
            previous.record = None  # the file held another story before: nothing to compare
        lost = losses(previous.record, found.record) if previous.record else []
        if lost and previous.record is not None:
            self._set_aside(
                found.path, copy_only=True, why=f"held less than its last good copy ({', '.join(lost)})"
            )
            merged = merge_story(found.record, previous.record)
            self._take(name, found.signature, found.record)
            self.stories[merged["id"]] = merge_story(self.stories[merged["id"]], merged)
            self.dirty.add(merged["id"])
            self._write_now(merged["id"])
            return
        self._take(name, found.signature, found.record)
        if held is not None and self.stories[found.record["id"]] != found.record:
            self.dirty.add(found.record["id"])  # memory held more: the file is written again
        saving.keep_previous(self.previous / name, found.text)

    def _damaged(self, found: StoryFile, previous: dict[str, Any] | None) -> None:
        """A story file that does not parse: moved aside; its last good copy, if any, restored."""
        name = found.path.name
        where = self._set_aside(found.path, copy_only=False, why=str(found.problem))
        if previous is not None:
            story_id = previous["id"]
            held = self.stories.get(story_id)
            self.stories[story_id] = previous if held is None else merge_story(held, previous)
            self.names.setdefault(story_id, name)
            self.dirty.add(story_id)
            self._index_aliases(story_id)
            if where:
                self.notices.append(
                    f"“{previous.get('title') or story_id}” was restored from its last good copy."
                )
                self._write_now(story_id)

    def _write_now(self, story_id: str) -> None:
        """Write a story restored from its last good copy at once: the file must hold it again
        even if this session never saves (``reader list``, a kill)."""
        if self.read_only or story_id not in self.names:  # no file of its own yet: the next save
            return
        job = saving.Job(story_id, self.names[story_id], copy.deepcopy(self.stories[story_id]))
        try:
            self.took(self.write(job))
        except (OSError, saving.LockBusy):
            return  # still dirty: written with the next save
        self.dirty.discard(story_id)

    def _set_aside(self, path: Path, *, copy_only: bool, why: str) -> Path | None:
        try:
            aside = set_aside(path, self.folder / DAMAGED, copy=copy_only)
        except OSError as error:
            self.notices.append(f"{path.name} {why}, and could not be set aside ({error.strerror or error}).")
            return None
        self.notices.append(f"{path.name} {why}; it is kept as {aside}.")
        return aside

    def take_conflict(self, found: StoryFile) -> None:
        """A sync tool's conflict copy: merged into its story, moved aside once written."""
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
        listing = list_folder(self.folder)
        changed = [read_story(self.folder / n) for n, sign in listing.stories.items() if seen.get(n) != sign]
        conflicts = [
            read_story(self.folder / name)
            for name in listing.conflicts
            if seen.get(name) != file_signature(self.folder / name)
        ]
        return Changes(changed, conflicts)

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
        found = []
        for story_id in sorted(self.dirty):
            record = self.stories.get(story_id)
            if record is None:
                continue
            name = self.names.get(story_id) or saving.existing_name(self.folder, story_id)
            if name is None:
                name = file_name(str(record.get("title") or story_id), story_id)
            self.names[story_id] = name
            known = self.disk.get(name)
            found.append(
                saving.Job(
                    story_id=story_id,
                    name=name,
                    record=copy.deepcopy(record),
                    # a file last seen holding another story is read again (and kept aside)
                    known=known[0] if known and known[1].get("id") == story_id else None,
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
        """Cache the records of the files, but not of a story still to be written: its file
        (cut short, or holding less than memory) is read and checked again at the next start."""
        kept = {name: item for name, item in self.disk.items() if item[1].get("id") not in self.dirty}
        save_cache(self.cache_path, os.path.realpath(self.folder), kept)

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
        data = self.record(story_id).get("position")
        return Position.from_dict(data) if data else None

    def progress(self, story_id: str) -> float:
        value = self.record(story_id).get("progress", 0.0)
        return float(value) if isinstance(value, int | float) else 0.0

    def last_read(self, story_id: str) -> str:
        return str(self.record(story_id).get("last_read", "") or "")

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
        entry["path"] = os.path.abspath(path) if path else path
        if chapters:
            entry["chapters"] = chapters
        entry["position"] = position.to_dict()
        entry["progress"] = round(min(1.0, max(0.0, progress)), 4)
        entry["last_read"] = now_iso()
        if seconds:
            entry["reading_time"] = round(reading_seconds(entry) + seconds, 1)  # tenths: no loss turn by turn
        entry.setdefault("status", "reading")

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
        return str(self.record(story_id).get("finished", "") or "")

    def chapters_seen(self, story_id: str) -> int:
        """How many chapters the story had when it was last read (0: never read)."""
        value = self.record(story_id).get("chapters", 0)
        return value if isinstance(value, int) else 0

    def most_recent(self) -> str | None:
        """The id of the story read last, if any."""
        read = [(stamp_order(self.last_read(k)), k) for k in self.stories if self.last_read(k)]
        return max(read)[1] if read else None

    # Bookmarks -----------------------------------------------------------------------------

    def bookmarks(self, story_id: str) -> list[Bookmark]:
        raw = self.record(story_id).get("bookmarks") or []
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
        for raw in self._raw_marks(self.entry(story_id)):
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
