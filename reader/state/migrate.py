"""Moving a ``state.yaml`` of the first release (version 1: every story in one file) into a
state folder of one file per story, once; the old file is kept beside as ``state.yaml.v1``.

Every story, bookmark, tombstone, day of the log and move is carried over:

- a story key written twice in the old file (YAML would keep only the last) is merged;
- the old ``moved`` map (old id → new id) merges the old entry into the new one, and the
  old id goes into the record's ``also`` list, so that a copy still filed under it finds it;
- a story whose file is still where the old state says gets its content fingerprint as its
  id (``md5:…``, what the library now knows it by), the old id going into ``also``.

Migrating again (a crash half-way, the old file synced back) merges into what is there:
merging is idempotent, so nothing doubles. Nothing here imports Textual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reader.formats.fingerprint import fingerprint
from reader.state.disk import dump_story, file_name, read_story, read_text, set_aside
from reader.state.folder import StateFolderError
from reader.state.merge import merge_story
from reader.state.records import clean_entry
from reader.state.safe_yaml import load_yaml

#: The largest old state file read (the first release's files reached ~10 MB at 5,000 stories).
MAX_V1_BYTES = 512 * 2**20


class MigrationError(Exception):
    """The old file could not be read; it is left exactly as it was."""


class NotAStateFile(MigrationError):
    """The file is somebody's YAML, not a reading state: it is not ours to rename or move."""


def read_v1(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The stories of an old state file (duplicates and moves merged), and notices."""
    text, _, problem = read_text(path, MAX_V1_BYTES)
    if text is None:
        raise MigrationError(f"{path} {problem or 'is missing'}")
    try:
        data, duplicates = load_yaml(text, collect_duplicates=True)
    except (yaml.YAMLError, RecursionError) as error:
        raise MigrationError(f"{path} does not parse ({str(error).splitlines()[0][:120]})") from error
    if not isinstance(data, dict):
        raise MigrationError(f"{path} does not hold a mapping")
    if data and not {"version", "stories"} & data.keys():
        raise NotAStateFile(f"{path} is not a reading state (it has neither 'version' nor 'stories')")
    stories = data.get("stories") or {}
    if not isinstance(stories, dict):
        raise MigrationError(f"{path} has a 'stories' entry that is not a mapping")
    notices: list[str] = []
    found: dict[str, dict[str, Any]] = {}
    pairs = [(key, value) for key, value in stories.items()]
    pairs += [(key, value) for keys, key, value in duplicates if keys == ("stories",)]
    for key, value in pairs:
        entry, notes = clean_entry(value, f"{path.name}: {str(key)[:60]}")
        notices += notes
        story_id = str(key)
        found[story_id] = merge_story(found[story_id], entry) if story_id in found else entry
    moved = data.get("moved")
    for old, new in moved.items() if isinstance(moved, dict) else ():
        old, new = str(old), str(new)
        if old in found and old != new:
            entry = found.pop(old)
            target = found.get(new, {})
            found[new] = merge_story(target, entry)
            found[new]["also"] = [*dict.fromkeys([*found[new].get("also", []), old])]
    return found, notices


def _natural_id(story_id: str, entry: dict[str, Any]) -> str:
    """The id the library knows the story by now: a source URL stays, a path becomes the
    file's fingerprint when the file is still there."""
    if "://" in story_id or ":" in story_id.split("/")[0]:
        return story_id  # a source URL or a named id (gutenberg:NNNN)
    path = entry.get("path")
    if isinstance(path, str) and path and os.path.exists(path):
        found = fingerprint(path)
        if found:
            return f"md5:{found}"
    return story_id


def migrate(v1: Path, folder: Path) -> tuple[int, list[str]]:
    """Write every story of the old file ``v1`` into ``folder``, then rename ``v1`` to
    ``*.v1``. Returns (stories written, notices). Raises :class:`MigrationError` (the old
    file is then untouched) or ``OSError`` (a full disk: the old file stays, and the next
    start migrates again, merging into what was written)."""
    stories, notices = read_v1(v1)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for story_id, entry in stories.items():
        new_id = _natural_id(story_id, entry)
        record = {"id": new_id, **{k: v for k, v in entry.items() if k != "id"}}
        if new_id != story_id:
            record["also"] = [*dict.fromkeys([story_id, *record.get("also", [])])]
        path = folder / file_name(str(record.get("title") or new_id), new_id)
        existing = read_story(path)
        if existing.record is not None and existing.record.get("id") == new_id:
            record = merge_story(record, existing.record)
        _write_unsynced(path, dump_story(record))
        written += 1
    os.sync()  # one flush for the thousands of small files, not an fsync each
    kept = v1.with_name(v1.name + ".v1")
    number = 1
    while kept.exists():
        kept = v1.with_name(f"{v1.name}.v1-{number}")
        number += 1
    os.replace(v1, kept)
    return written, notices


def _write_unsynced(path: Path, text: str) -> None:
    from reader.atomic_write import write_atomic

    write_atomic(path, text, sync=False)


@dataclass
class MovedIn:
    """What moving an old state file into the folder came to, for the user and the state."""

    warning: str | None = None
    notices: list[str] = field(default_factory=list)
    read_only: bool = False  # the old file could not be moved: nothing is saved this session


def move_in(old: Path, folder: Path) -> MovedIn:
    """Migrate ``old`` into ``folder`` once (see :func:`migrate`), saying what happened.

    Raises :class:`StateFolderError` for a file named by ``--state`` that is not a state file.
    """
    try:
        count, notices = migrate(old, folder)
    except NotAStateFile as error:
        if old.parent != folder:  # named by --state: somebody's file, not ours to move
            raise StateFolderError(f"{error}; name a folder for the reading state") from error
        return _move_backup(old, folder, str(error))
    except MigrationError as error:
        return _move_backup(old, folder, str(error))
    except OSError as error:
        return MovedIn(
            f"Could not move the reading state into {folder} ({error.strerror or error}); "
            f"{old} is left as it was, and nothing will be saved this session.",
            read_only=True,
        )
    return MovedIn(
        f"Your reading state ({count:,} stor{'y' if count == 1 else 'ies'}) now lives in "
        f"{folder}, one small file per story; the old file is kept as {old.name}.v1.",
        notices,
    )


def _move_backup(old: Path, folder: Path, problem: str) -> MovedIn:
    """An old state file that does not parse: moved aside; its ``.bak``, if good, migrated."""
    try:
        aside = set_aside(old, old.parent)
    except OSError as error:
        return MovedIn(
            f"{problem}, and it could not be moved aside ({error}); nothing will be saved.", read_only=True
        )
    moved = MovedIn(f"{problem}; it was moved to {aside}.")
    backup = old.with_name(old.name + ".bak")
    if backup.is_file():
        try:
            count, moved.notices = migrate(backup, folder)
        except (MigrationError, OSError):
            return moved
        moved.warning = f"{moved.warning} {count:,} stories were restored from the backup {backup.name}."
    return moved
