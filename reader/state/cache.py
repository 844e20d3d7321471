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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.atomic_write import write_bytes_atomic
from reader.state.disk import FileSignature
from reader.state.stamps import remember_orders, stamp_order
from reader.state.status import status_of_entry

#: Bump when what is cached changes meaning (4: signatures and records in dicts of their own;
#: 5: the last-read stamps as seconds, and what the library sorts by).
CACHE_VERSION = 5

#: The keys of a record that the library's list never shows: cached apart, read after.
HEAVY = ("bookmarks", "deleted_bookmarks", "days")

Cached = dict[str, tuple[FileSignature, dict[str, Any]]]


@dataclass
class Light:
    """The light part of the cache: what a start reads before the library is shown."""

    signs: dict[str, FileSignature] = field(default_factory=dict)  # file name → signature
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # file name → light record
    heavy: set[str] = field(default_factory=set)  # files whose records have heavy parts apart
    #: Files that are not simply their story's own file (named for another id, or a second
    #: file of one story): taken one by one, with the checks of a file read afresh.
    odd: set[str] = field(default_factory=set)
    #: Last read (seconds) and reading status by story id, of all the records.
    reading: tuple[dict[str, float], dict[str, str]] | None = None


#: What the library sorts and filters by, as the records were when cached: last read (seconds)
#: and reading status, by story id. Given with the records themselves as loaded
#: (:attr:`State.start_reading`): good for as long as each is still the very record loaded.
StartReading = tuple[dict[str, dict[str, Any]], dict[str, float], dict[str, str]]


@dataclass
class Heavy:
    """The heavy parts of the cached records, by file name, with the signatures they had."""

    signs: dict[str, FileSignature] = field(default_factory=dict)
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)


def heavy_path(path: Path) -> Path:
    return path.with_name(path.name + ".heavy")


def _read(path: Path, folder: str, keys: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The values of ``keys`` in the cache file ``path`` of ``folder`` (each a dict or a
    list), or None for a file that is missing, damaged, or of another version or folder."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("folder") != folder:
        return None
    values = tuple(data.get(key) for key in keys)
    return values if all(isinstance(v, (dict, list)) for v in values) else None


def load_cache(path: Path, folder: str) -> Light:
    """The light records of the state folder ``folder`` (empty when unusable). Checked in
    bulk, not record by record: the file is only ever written by :func:`save_cache`."""
    found = _read(path, folder, ("signs", "records", "heavy", "odd", "orders", "stamps", "statuses"))
    if found is None:
        return Light()
    signs, records, heavy, odd, orders, stamps, statuses = found
    if not (isinstance(signs, dict) and isinstance(records, dict) and signs.keys() == records.keys()):
        return Light()
    if isinstance(orders, dict):
        remember_orders(orders)
    reading = (stamps, statuses) if isinstance(stamps, dict) and isinstance(statuses, dict) else None
    return Light(signs, records, set(heavy), set(odd), reading)


def load_heavy(path: Path, folder: str) -> Heavy:
    """The heavy parts of the records cached with :func:`load_cache` (empty when unusable)."""
    found = _read(heavy_path(path), folder, ("signs", "parts"))
    if found is None or not all(isinstance(v, dict) for v in found):
        return Heavy()
    return Heavy(*found)


def save_cache(path: Path, folder: str, records: Cached, odd: set[str]) -> None:
    """Write the cache (best effort: a cache that cannot be written is simply not there).
    ``odd``: the files of ``records`` that are not simply their story's own file."""
    light, heavy = Light(odd=odd & records.keys()), Heavy()
    for name, (sign, record) in records.items():
        light.signs[name] = sign
        light.records[name] = {k: v for k, v in record.items() if k not in HEAVY}
        parts = {k: record[k] for k in HEAVY if k in record}
        if parts:
            light.heavy.add(name)
            heavy.signs[name], heavy.parts[name] = sign, parts
    orders = {
        stamp: stamp_order(stamp) for r in light.records.values() if type(stamp := r.get("last_read")) is str
    }
    stamps = {r["id"]: stamp_order(stamp) for r in light.records.values() if (stamp := r.get("last_read"))}
    statuses = {r["id"]: status for r in light.records.values() if (status := status_of_entry(r))}
    light_data = {
        "signs": light.signs,
        "records": light.records,
        "heavy": sorted(light.heavy),
        "odd": sorted(light.odd),
        "orders": orders,  # each last_read read as seconds: the library sorts by it at once
        "stamps": stamps,
        "statuses": statuses,
    }
    try:
        for target, files in (
            (heavy_path(path), {"signs": heavy.signs, "parts": heavy.parts}),
            (path, light_data),
        ):
            data = {"version": CACHE_VERSION, "folder": folder, **files}
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
