"""Files that folder-sync tools (Syncthing, Nextcloud/ownCloud, Dropbox) write beside ours.

The reading state is a folder of small YAML files that users keep in step across machines
with a sync tool. These tools add files of their own there: conflict copies of our files,
databases, logs and temp files. The state code needs to know which is which, so that it
merges a conflict copy back into its original and never parses or moves the tools' own files.
"""

from __future__ import annotations

import re

from reader.lazy import pattern

__all__ = ["conflict_original", "is_own_temp_file", "is_sync_tool_file"]

#: Syncthing: ``NAME.sync-conflict-20261130-101112-ABCDEFG.yaml``. The marker goes before the
#: extension (Go's ``filepath.Ext``: from the last dot), or at the end of a name without one.
#: The device id (7 characters) is missing from copies made by old versions.
_SYNCTHING = pattern(
    r"^(?P<stem>.+?)\.sync-conflict-\d+-\d+(?:-[a-z0-9]+)?(?P<ext>\.[^.]*)?$",
    re.IGNORECASE,
)

#: ownCloud clients before 2.5: ``NAME_conflict-20261130-101112.yaml``.
_OWNCLOUD_OLD = pattern(r"^(?P<stem>.+?)_conflict-\d+-\d+(?P<ext>\.[^.]*)?$", re.IGNORECASE)

#: A tag in parentheses before the extension (one level of nested parentheses allowed in it,
#: as in Dropbox's ``(Alice's conflicted copy 2026-11-30 (1))``), maybe followed by `` (1)``.
_PAREN_TAG = pattern(
    r"^(?P<stem>.*?\S)\s*\((?P<tag>(?:[^()]|\([^()]*\))*)\)(?:\s*\(\d+\))?\s*(?P<ext>\.[^()]*)?$"
)

#: Nextcloud/ownCloud ``(conflicted copy [USER ]2026-11-30 101112)`` and Dropbox
#: ``(Alice's MacBook's conflicted copy 2026-11-30)``: the words are in the tag.
_CONFLICTED_COPY = pattern(r"\bconflicted\s+copy\b", re.IGNORECASE)

#: A bare ``(conflict ...)`` tag counts only with a date-like number in it, so that a title
#: such as "Notes (conflict)" is not taken for a copy.
_CONFLICT_TAG = pattern(r"^\s*conflict(?:ed)?\b.*\d{4}", re.IGNORECASE)


def conflict_original(name: str) -> str | None:
    """The name of the file that ``name`` is a sync tool's conflict copy of, else None.

    Recognises Syncthing's ``.sync-conflict-…``, Nextcloud/ownCloud's ``(conflicted copy …)``
    and ``_conflict-…``, and Dropbox's ``(… conflicted copy …)``, matching loosely: any case,
    user or computer name, date and time digits, extra spaces. The original keeps the copy's
    extension (``a (conflicted copy 2026-11-30 101112).yaml`` -> ``a.yaml``). A copy of a copy
    gives the first original.
    """
    original = _strip_conflict(name)
    if original is None:
        return None
    while (older := _strip_conflict(original)) is not None:  # each step shortens the name
        original = older
    return original


def _strip_conflict(name: str) -> str | None:
    for conflict in (_SYNCTHING, _OWNCLOUD_OLD):
        match = conflict.match(name)
        if match:
            return match["stem"] + (match["ext"] or "")
    match = _PAREN_TAG.match(name)
    if match and (_CONFLICTED_COPY.search(match["tag"]) or _CONFLICT_TAG.match(match["tag"])):
        return match["stem"] + (match["ext"] or "").strip()
    return None


#: The tools' own files, by exact name (compared case-insensitively: Windows varies the case).
_TOOL_NAMES = frozenset(
    name.casefold()
    for name in (
        ".stfolder",  # Syncthing
        ".stignore",
        ".stversions",
        ".dropbox",  # Dropbox
        ".dropbox.attr",
        ".dropbox.cache",
        ".owncloudsync.log",  # Nextcloud / ownCloud
        ".nextcloudsync.log",
        ".sync_journal.db",
        "desktop.ini",  # Windows and macOS, often written by the clients
        "thumbs.db",
        ".ds_store",
    )
)

#: The tools' own files, by pattern.
_TOOL_PATTERNS = pattern(
    r"""^(?:
        \.syncthing\..*\.tmp            # Syncthing temp file while downloading
      | ~syncthing~.*\.tmp              # the same on Windows
      | \.sync_.*                       # Nextcloud / ownCloud .sync_XXXX.db, -wal, -shm
      | \._sync_.*\.db.*                # ownCloud ._sync_XXXX.db
      | .*\.~tmp                        # temp files of several clients
      | Icon\r                          # macOS folder icon (Dropbox syncs it)
    )$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)

#: Our own temp files: ``tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp")`` in
#: :func:`reader.atomic_write.write_atomic` (mkstemp adds 8 characters from ``[a-z0-9_]``).
_OWN_TEMP = pattern(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$", re.DOTALL)


def is_sync_tool_file(name: str) -> bool:
    """Whether ``name`` is a sync tool's (or the OS's) own file or folder: never parse or move it.

    Besides the known names (``.stfolder``, ``.sync_*.db``, ``.dropbox.cache``, ``desktop.ini``,
    ``Icon\\r``, ``*.~tmp``, …) this is any hidden name, starting with a dot: the reader never
    writes hidden files in the state folder except its own temp files (``.NAME.yaml.XXXXXXXX.tmp``),
    which are left to :func:`is_own_temp_file` and are not counted here.
    """
    if name.casefold() in _TOOL_NAMES or _TOOL_PATTERNS.match(name):
        return True
    return name.startswith(".") and not is_own_temp_file(name)


def is_own_temp_file(name: str) -> bool:
    """Whether ``name`` is a temp file of our atomic writes (``.NAME.XXXXXXXX.tmp``).

    One is left behind only by a crash between creating it and renaming it into place.
    """
    match = _OWN_TEMP.match(name)
    return match is not None and not _TOOL_PATTERNS.match(name) and name.casefold() not in _TOOL_NAMES
