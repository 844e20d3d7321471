"""The records of a state folder as last read, keyed by each file's inode, size and mtime.

A warm start looks at the folder (one ``stat`` a file) and parses only the files that
changed since; the rest come from this cache, one file in the cache folder. It is derived
data: a cache that is missing, damaged or of another version is ignored and written afresh,
and a record is taken from it only when its file's signature is the same.

It is written with :mod:`marshal`, which reads 5,000 records several times faster than JSON
(the state is plain data: str, int, float, bool, None, lists and dicts). marshal is not
meant for files an attacker wrote; this one lives in the user's own cache folder, is written
only by the reader, and anything that does not read back as expected is ignored.
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

from reader.atomic_write import write_bytes_atomic
from reader.state.disk import FileSignature

#: Bump when what is cached changes meaning.
CACHE_VERSION = 2

Cached = dict[str, tuple[FileSignature, dict[str, Any]]]


def load_cache(path: Path, folder: str) -> Cached:
    """The cached records of the state folder ``folder`` (empty when unusable)."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("folder") != folder:
        return {}
    files = data.get("files")
    if not isinstance(files, dict):
        return {}
    found: Cached = {}
    for name, item in files.items():
        try:
            ino, size, mtime, record = item
        except (TypeError, ValueError):
            continue
        if isinstance(record, dict) and all(isinstance(n, int) for n in (ino, size, mtime)):
            found[name] = ((ino, size, mtime), record)
    return found


def save_cache(path: Path, folder: str, records: Cached) -> None:
    """Write the cache (best effort: a cache that cannot be written is simply not there)."""
    data = {
        "version": CACHE_VERSION,
        "folder": folder,
        "files": {name: (*sign, record) for name, (sign, record) in records.items()},
    }
    try:
        write_bytes_atomic(path, marshal.dumps(data), sync=False)
    except (OSError, ValueError):
        pass
