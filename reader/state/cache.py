"""The records of a state folder as last read, keyed by each file's inode, size and mtime.

A warm start looks at the folder (one ``stat`` a file) and parses only the files that
changed since; the rest come from this cache. It is derived data: a cache that is missing,
damaged or of another version is ignored and written afresh, and a record is taken from it
only when its file's signature is the same.

It is two files, so that a start reads only what the library shows: the *light* part of
each record (title, position, progress, last read, status…) and, apart, the *heavy* part
(:data:`HEAVY`: bookmarks, deletion records, the day log), read on a thread just after and
merged in before anything needs it (:meth:`reader.state.store.State.ensure_full`). Both are
written with :mod:`marshal`, which reads 5,000 records several times faster than JSON (the
state is plain data). marshal is not meant for files an attacker wrote; these live in the
user's own cache folder, are written only by the reader, and anything that does not read
back as expected is ignored.
"""

from __future__ import annotations

import marshal
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from reader.atomic_write import write_bytes_atomic
from reader.state.disk import FileSignature

#: Bump when what is cached changes meaning.
CACHE_VERSION = 3

#: The keys of a record that the library's list never shows: cached apart, read after.
HEAVY = ("bookmarks", "deleted_bookmarks", "days")

Cached = dict[str, tuple[FileSignature, dict[str, Any]]]
#: File name → (signature, the heavy keys of its record).
Heavy = dict[str, tuple[FileSignature, dict[str, Any]]]


def heavy_path(path: Path) -> Path:
    return path.with_name(path.name + ".heavy")


def _read(path: Path, folder: str) -> dict[str, Any]:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("folder") != folder:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _records(files: dict[str, Any]) -> Cached:
    found: Cached = {}
    for name, item in files.items():
        try:
            ino, size, mtime, record = item[:4]
        except (TypeError, ValueError):
            continue
        if isinstance(record, dict) and all(isinstance(n, int) for n in (ino, size, mtime)):
            found[name] = ((ino, size, mtime), record)
    return found


def load_cache(path: Path, folder: str) -> tuple[Cached, set[str]]:
    """The light records of the state folder ``folder`` (empty when unusable), and the names
    of the files whose heavy parts wait in :func:`load_heavy`."""
    files = _read(path, folder)
    heavy = {name for name, item in files.items() if isinstance(item, tuple) and item[4:5] == (True,)}
    return _records(files), heavy


def load_heavy(path: Path, folder: str) -> Heavy:
    """The heavy parts of the records cached with :func:`load_cache` (empty when unusable)."""
    return _records(_read(heavy_path(path), folder))


def save_cache(path: Path, folder: str, records: Cached) -> None:
    """Write the cache (best effort: a cache that cannot be written is simply not there)."""
    light: dict[str, Any] = {}
    heavy: dict[str, Any] = {}
    for name, (sign, record) in records.items():
        parts = {k: record[k] for k in HEAVY if k in record}
        light[name] = (*sign, {k: v for k, v in record.items() if k not in HEAVY}, bool(parts))
        if parts:
            heavy[name] = (*sign, parts)
    try:
        for target, files in ((heavy_path(path), heavy), (path, light)):
            data = {"version": CACHE_VERSION, "folder": folder, "files": files}
            write_bytes_atomic(target, marshal.dumps(data), sync=False)
    except (OSError, ValueError):
        pass


def load_heavy_later(path: Path, folder: str) -> Future[Heavy]:
    """:func:`load_heavy` on a thread (marshal's read is quick; this keeps it off the start)."""
    future: Future[Heavy] = Future()

    def run() -> None:
        try:
            future.set_result(load_heavy(path, folder))
        except BaseException as error:  # given back by result()
            future.set_exception(error)

    threading.Thread(target=run, name="reader-state-cache", daemon=True).start()
    return future
