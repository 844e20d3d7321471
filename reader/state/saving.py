"""Writing one story's file: lock, re-read, merge, replace — safe to run in any thread.

A :class:`Job` is a copy of one story's record taken on the thread that owns the
:class:`~reader.state.store.State`; :func:`write` touches no shared memory, so a page turn's
save runs off the UI thread. Each write

1. takes the story's lock (outside the state folder); when another reader keeps it past the
   timeout, :class:`~reader.state.disk.LockBusy` is raised and the save is tried again later
   — never written unmerged;
2. re-reads the story's file (always: it is small, and the merge then never depends on
   memory holding all of a record) and merges it in (:func:`reader.state.merge.merge_story`);
3. replaces the file atomically, only if it did not change meanwhile (where locks do not
   reach — NFS, sshfs, another machine on a synced folder — this is what keeps a write
   from erasing another), else reads and merges again;
4. keeps the text written as the story's last good copy, on this machine, and moves the
   sync tool's copies that were merged into ``merged-conflicts/``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from reader import paths
from reader.atomic_write import write_atomic
from reader.state.disk import (
    DAMAGED,
    MERGED_CONFLICTS,
    FileSignature,
    LockBusy,
    dump_story,
    encodable,
    file_signature,
    id_hash,
    name_hash,
    read_story,
    set_aside,
    story_lock,
)
from reader.state.merge import merge_story

__all__ = ["LOCK_TIMEOUT", "Job", "LockBusy", "Written", "emergency_copy", "write"]

#: How long a save waits for another reader's lock on a story before trying again later.
LOCK_TIMEOUT = 2.0

#: How many times a write re-reads a file that keeps changing under it before giving up.
ATTEMPTS = 8


class Job(NamedTuple):
    """One story to write: a copy of its record, and the sync-tool copies merged into it."""

    story_id: str
    name: str
    record: dict[str, Any]
    extras: Sequence[str] = ()  # merged sync-tool copies to move aside


class Written(NamedTuple):
    """A job done: the record as written (mine merged with the file) and the file's signature."""

    job: Job
    record: dict[str, Any]
    signature: FileSignature | None
    notices: Sequence[str] = ()


def write(job: Job, folder: Path, locks: Path, previous: Path, timeout: float = LOCK_TIMEOUT) -> Written:
    """Write ``job`` into ``folder`` (see the module docstring). Raises ``LockBusy`` or ``OSError``."""
    path = folder / job.name
    with story_lock(locks / f"{id_hash(job.story_id)}.lock", timeout) as held:
        if held is False:
            raise LockBusy(f"another reader is writing {job.name}")
        notices: list[str] = []
        for _ in range(ATTEMPTS):
            record, seen, notes = _merged_with_disk(job, path)
            record = encodable(record)  # as written (and cached), no surrogates of odd file names
            notices += notes
            text = dump_story(record)
            if file_signature(path) != seen:
                continue  # it changed while we merged: read it again
            write_atomic(path, text)
            signature = file_signature(path)
            keep_previous(previous / job.name, text)
            _move_extras(folder, job.extras, notices)
            return Written(job, record, signature, notices)
    raise LockBusy(f"{job.name} kept changing while it was written")


def _merged_with_disk(job: Job, path: Path) -> tuple[dict[str, Any], FileSignature | None, list[str]]:
    """(my record merged with the file, the file's signature as read, notices)."""
    current = file_signature(path)
    if current is None:
        return job.record, current, []
    # Read again even when it looks unchanged since this reader last saw it: a small file,
    # and the merge then never depends on memory holding every part of the record.
    found = read_story(path)
    if found.newer is not None:
        raise OSError(
            f"{job.name} was written by a newer reader (version {found.newer}); it is left as it is"
        )
    if found.record is not None and found.record.get("id") == job.story_id:
        return merge_story(job.record, found.record), found.signature, found.notices
    if (
        found.text is None
        and found.problem
        and "UTF-8" not in found.problem
        and "larger" not in found.problem
    ):
        raise OSError(f"{job.name} {found.problem}")
    why = found.problem or f"holds another story ({found.record.get('id') if found.record else '?'})"
    aside = set_aside(path, path.parent / DAMAGED, copy=True)
    return job.record, found.signature, [f"{job.name} {why}; it is kept as {aside} and written afresh."]


def keep_previous(path: Path, text: str | None) -> None:
    """Keep ``text`` as a story's last good copy on this machine (best effort, not synced)."""
    if text is None:
        return
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    try:
        write_atomic(path, text, sync=False)
    except OSError:
        pass


def _move_extras(folder: Path, extras: Sequence[str], notices: list[str]) -> None:
    for name in extras:
        source = folder / name
        if os.path.lexists(source):
            try:
                set_aside(source, folder / MERGED_CONFLICTS)
            except OSError as error:
                notices.append(f"{name} was merged but could not be moved aside ({error.strerror or error}).")


def existing_name(folder: Path, story_id: str) -> str | None:
    """The file another reader may already have written for ``story_id`` (found by its hash)."""
    wanted = id_hash(story_id)
    try:
        with os.scandir(folder) as entries:
            return next((e.name for e in entries if name_hash(e.name) == wanted), None)
    except OSError:
        return None


def emergency_copy(job: Job) -> Path:
    """Write ``job`` where no other reader writes: the data folder's ``emergency/``."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = paths.data_dir() / "emergency" / f"{Path(job.name).stem}.{stamp}.yaml"
    write_atomic(target, dump_story(job.record))
    return target
