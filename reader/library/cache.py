"""The library's metadata cache: what the list shows of each story, kept in SQLite.

A row per story, keyed by its path under the library root, with the (newest mtime_ns, total
size) of its files (a sidecar YAML and a story folder's files count): a story whose files have
not changed is not parsed again. The table lives in the same SQLite file as the library's
full-text index (``default_cache_path``), in WAL mode, beside the index's own tables; the index
ignores it and a rebuilt index takes it along. It is derived data: a file that cannot be
opened, is damaged or is locked never stops the library, which then parses the stories; a
damaged file is deleted and rebuilt, a cache of another ``CACHE_VERSION`` is dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

from reader import paths

__all__ = [
    "CACHE_TABLES",
    "CACHE_VERSION",
    "CachedRow",
    "MetadataCache",
    "FilesSignature",
    "default_cache_path",
    "files_signature",
]

#: Bump when the stored fields or their meaning change: an older table is dropped and rebuilt.
CACHE_VERSION = 3  # 3: text cleaned of control bytes; names not UTF-8 as text keys
#: The tables this module owns in the shared file (the search index leaves them alone).
CACHE_TABLES = frozenset({"library_entries", "library_info"})
_LOG = logging.getLogger(__name__)
#: Milliseconds a write waits for another writer (the search index): a batch in the scan,
#: whose rows otherwise wait for the next one, and the last write of a scan.
BUSY_MS, WAIT_MS = 100, 5000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS library_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS library_entries(
    path TEXT PRIMARY KEY,          -- under the root, with / separators
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    story_id TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    words INTEGER NOT NULL,
    chapters INTEGER NOT NULL,
    metadata TEXT NOT NULL,         -- JSON object
    error TEXT                      -- why the story could not be read, or NULL
) WITHOUT ROWID;
"""
_COLUMNS = "path, mtime_ns, size, story_id, title, author, words, chapters, metadata, error"
_INSERT = f"INSERT OR REPLACE INTO library_entries({_COLUMNS}) VALUES ({', '.join('?' * 10)})"
_SET_INFO = "INSERT OR REPLACE INTO library_info VALUES (?, ?)"

#: (path under the root, mtime_ns, size, story_id, title, author, words, chapters, metadata JSON, error)
CachedRow = tuple[str, int, int, str, str, str, int, int, str, "str | None"]


def cache_version() -> str:
    """The cache's format and the reader's version: a new reader may read stories otherwise."""
    from reader import __version__

    return f"{CACHE_VERSION}/{__version__}"


def default_cache_path(root: Path) -> Path:
    """The SQLite file of the library at ``root``: its metadata cache and its search index."""
    digest = hashlib.sha1(str(Path(root).resolve()).encode("utf-8")).hexdigest()
    return paths.cache_dir() / "index" / f"{digest}.sqlite3"


#: (newest mtime_ns, total size) of a story's files, its sidecar or story folder included.
FilesSignature = tuple[int, int]


def files_signature(path: Path) -> FilesSignature | None:
    """(newest mtime_ns, total size) of a story's files; None when it cannot be looked at."""
    try:
        if path.is_dir():
            stats = [path.stat(), *(entry.stat() for entry in os.scandir(path) if entry.is_file())]
        else:
            stats = [path.stat()]
            try:
                stats.append(os.stat(path.with_suffix(".yaml")))
            except OSError:
                pass
    except OSError:
        return None
    return max(s.st_mtime_ns for s in stats), sum(s.st_size for s in stats)


def metadata_json(metadata: dict[str, Any]) -> str:
    return json.dumps(metadata, ensure_ascii=False, default=str, separators=(",", ":"))


class MetadataCache:
    """One connection to the cache file, for the thread that made it; every method swallows
    SQLite and OS errors (logged) and behaves as an empty or read-only cache then."""

    def __init__(self, db_path: Path, size_limit: int = 0, parse_seconds: int = 0) -> None:
        self.db_path = Path(db_path)
        # errors such as "too large" or "took longer than 20 s" depend on these: when they
        # change, the stories that could not be read are tried again
        self.limits = f"{size_limit} bytes, {parse_seconds} s"
        self._conn: sqlite3.Connection | None = None
        self._pending: list[CachedRow] = []  # rows not written yet (the file was busy)
        self.broken = False  # set when the cache could not be used (the scan parses everything)

    def open(self) -> bool:
        """Open (create, migrate, or rebuild a damaged) cache; False when it cannot be used."""
        for attempt in (1, 2):
            try:
                self._conn = self._connect()
                return True
            except sqlite3.DatabaseError as error:
                self.close()
                if attempt == 1 and is_damage(error):
                    _LOG.warning("metadata cache %s is damaged (%s): rebuilding it", self.db_path, error)
                    _delete_files(self.db_path)
                    continue
                _LOG.warning("metadata cache %s cannot be used: %s", self.db_path, error)
            except OSError as error:
                self.close()
                _LOG.warning("metadata cache %s cannot be used: %s", self.db_path, error)
                break
        self.broken = True
        return False

    def _connect(self) -> sqlite3.Connection:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.db_path, timeout=5, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous = NORMAL")
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not CACHE_TABLES <= tables:
                conn.executescript(_SCHEMA)
            if conn.execute("PRAGMA quick_check(library_entries)").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed (library_entries)")
            info = dict(conn.execute("SELECT key, value FROM library_info").fetchall())
            if info.get("version") != cache_version():
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DROP TABLE IF EXISTS library_entries")
                conn.execute("DELETE FROM library_info")
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                conn.execute(_SET_INFO, ("version", cache_version()))
                conn.execute("COMMIT")
                info = {"version": cache_version()}
            if info.get("limits") != self.limits:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM library_entries WHERE error IS NOT NULL")
                conn.execute(_SET_INFO, ("limits", self.limits))
                conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        return conn

    def rows(self) -> dict[str, CachedRow]:
        """Every cached row, by path under the root (one read)."""
        if self._conn is None:
            return {}
        try:
            return {row[0]: row for row in self._conn.execute(f"SELECT {_COLUMNS} FROM library_entries")}
        except sqlite3.Error as error:
            self._fail(error)
            return {}

    def store(self, rows: Iterable[CachedRow], wait: bool = False) -> None:
        """Insert or replace rows, in one short transaction. While another connection (the
        search index's update) holds the write lock, the rows wait for the next call rather
        than hold up the scan; ``wait`` (the last call) waits up to the connection's timeout."""
        self._pending.extend(rows)
        if self._conn is None or not self._pending:
            return
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {WAIT_MS if wait else BUSY_MS}")
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(_INSERT, self._pending)
            self._conn.execute("COMMIT")
            self._pending.clear()
        except sqlite3.OperationalError as error:
            if wait or getattr(error, "sqlite_errorname", "") not in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                self._fail(error)
        except sqlite3.Error as error:
            self._fail(error)

    def forget(self, rels: Iterable[str]) -> None:
        """Drop the rows of stories that are gone."""
        gone = [(rel,) for rel in rels]
        if self._conn is None or not gone:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany("DELETE FROM library_entries WHERE path = ?", gone)
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._fail(error)

    def _fail(self, error: sqlite3.Error) -> None:
        """A failed read or write: stop using the cache for this scan (a locked file, a full disk)."""
        _LOG.warning("metadata cache %s: %s", self.db_path, error)
        self._pending.clear()
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.rollback()
            except sqlite3.Error:
                pass
        self.close()
        self.broken = True

    def close(self) -> None:
        if self._conn is not None and self._pending:
            self.store((), wait=True)
        self._pending.clear()
        if self._conn is not None:
            with closing(self._conn):
                self._conn = None


def is_damage(error: BaseException) -> bool:
    """A file that is not (or no longer) a sound cache or index, as opposed to a full or
    read-only disk. The metadata cache and the search index share the file, and this test."""
    name = getattr(error, "sqlite_errorname", "")
    text = str(error).lower()
    damage = ("malformed", "not a database", "no such table")
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or any(words in text for words in damage)


def _delete_files(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{db_path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as error:
            _LOG.warning("cannot delete %s%s: %s", db_path, suffix, error)
