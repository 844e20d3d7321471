"""The state folder: where it is (:func:`locate`), that it is the reader's to use (a device,
a file, or a folder holding somebody else's files is refused), and what is in it
(:func:`list_folder`, :func:`changes`). Touches no memory: safe in any thread.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reader.state.disk import (
    DAMAGED,
    MERGED_CONFLICTS,
    FileSignature,
    StoryFile,
    file_signature,
    name_hash,
    other_than_story_files,
    read_story,
)
from reader.state.sync import conflict_original, is_own_temp_file, is_sync_tool_file

#: The first release's single state file, migrated when found in the folder.
V1_NAME = "state.yaml"
#: Names of the reader's own that may stand in a state folder (besides story files).
_OWN_NAMES = {V1_NAME, DAMAGED, MERGED_CONFLICTS}
_OWN_PREFIXES = (f"{V1_NAME}.",)


class StateFolderError(Exception):
    """The place named for the state cannot be used (a device, a file, somebody's folder)."""


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
    foreign = sorted(name for name in other_than_story_files(names) if not _ours(name))
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


def list_folder(
    folder: Path, known: Mapping[str, FileSignature] | None = None, trust: bool = False
) -> Listing:
    """The story files (with their signatures) and sync-tool conflict copies in ``folder``.

    ``known``: the signatures last seen (the cache's); those names are not matched again.
    ``trust``: give a known file its known signature without a ``stat`` (one system call a
    file, thousands at a start): for a caller that looks again soon (:meth:`State.load`).
    """
    found = Listing()
    known = known or {}
    try:
        with os.scandir(folder) as entries:
            items = list(entries)
    except OSError:
        return found
    for item in items:
        name = item.name
        if trust and name in known:
            try:
                if item.is_file():  # the directory's own word, but for a link
                    found.stories[name] = known[name]
            except OSError:
                pass
        elif name in known or name_hash(name) is not None:  # a story's file: the common case
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


def changes(folder: Path, seen: dict[str, FileSignature | None]) -> Changes:
    """The files in ``folder`` changed since ``seen``, read and parsed (touches nothing)."""
    listing = list_folder(folder)
    changed = [read_story(folder / n) for n, sign in listing.stories.items() if seen.get(n) != sign]
    conflicts = [
        read_story(folder / name)
        for name in listing.conflicts
        if seen.get(name) != file_signature(folder / name)
    ]
    return Changes(changed, conflicts)
