"""The search index's SQLite file: its schema, a small pool of connections, and rebuilding it.

The file is derived data in the cache folder: a missing one is built; one that is not a
database, fails ``PRAGMA quick_check`` or has another schema version is deleted and rebuilt.
Connections come from a small pool and serve one thread at a time, and the file is in WAL
mode, so a search may run on any thread while an update writes on another. The library's
metadata cache (:mod:`reader.library.cache`) shares the file, and its tables are left alone.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from reader.library.cache import CACHE_TABLES, is_damage

SCHEMA_VERSION = 4  # 4: contentless FTS5 + places (no copy of the text); text cleaned of control
#: bytes, names not UTF-8 as text keys (3 was either, on two branches)
SPAN = 1 << 24  # the passages of story ``sid`` have rowids [sid * SPAN, (sid + 1) * SPAN)
META = ("title", "author", "fandom", "tags", "relationships", "characters")
_OPTIONS = "tokenize='unicode61 remove_diacritics 2'"
#: ``passages`` is contentless: FTS5 keeps the words, their places and each passage's length
#: (all that bm25 and phrases need), not the text. ``places`` says where each passage's text
#: is: bytes of the story file, or packed (see :mod:`reader.search.extract`). SQLite before
#: 3.43 cannot delete from a contentless table, so a story changed or removed leaves its old
#: rows there, under a sid that is never used again (``dead``); they are skipped, and the
#: whole index is rebuilt when they grow to a quarter of it. FTS5 keeps 8 MB of new words in
#: memory (not 1 MB) and merges its segments 8 at a time (not 4): a build writes its words
#: about 1.5x as fast, for an index about 5 % bigger.
SCHEMA_SQL = f"""
CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE stories(
    sid INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,      -- under the root, with / separators
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    story_id TEXT NOT NULL,
    title TEXT NOT NULL,
    chapters TEXT NOT NULL,         -- JSON list of chapter titles
    error TEXT                      -- why the file could not be read; NULL when indexed
);
CREATE TABLE places(
    rowid INTEGER PRIMARY KEY,      -- the passage's rowid in ``passages``
    chapter INTEGER NOT NULL,
    start INTEGER NOT NULL,         -- offset in ``Chapter.text``
    at INTEGER,                     -- bytes [at, at + length) of the story file, or NULL
    length INTEGER NOT NULL,
    packed BLOB                     -- the text, zlib-compressed, when ``at`` is NULL
);
CREATE TABLE dead(sid INTEGER PRIMARY KEY, passages INTEGER NOT NULL);
CREATE TABLE words(term TEXT PRIMARY KEY) WITHOUT ROWID;  -- the vocabulary, for regex mode
CREATE VIRTUAL TABLE meta USING fts5({", ".join(META)}, {_OPTIONS});
CREATE VIRTUAL TABLE passages USING fts5(body, {_OPTIONS}, content='');
INSERT INTO passages(passages, rank) VALUES ('hashsize', {8 << 20}), ('automerge', 8);
PRAGMA user_version = {SCHEMA_VERSION};
"""
#: Checked by the first update; the big tables are checked in full only after a search met
#: damage in them.
CHECKED_TABLES = (
    *("sqlite_master", "info", "stories", "dead", "meta_data", "meta_idx", "meta_content"),
    *("meta_docsize", "meta_config", "passages_idx", "passages_config"),
)
TABLES = {"info", "stories", "places", "dead", "words", "meta", "passages"}


class IndexUnavailable(OSError):
    """The index file cannot be created, opened or written (a read-only or full cache folder),
    or a search met damage in it (the next ``update()`` rebuilds it); ``str()`` says why."""


class Database:
    """The index file at ``path`` and its connections; nothing is created until first used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # the pool, the generation, (re)creating the file
        self._idle: list[tuple[sqlite3.Connection, int]] = []
        self._generation = 0  # bumped when the file is replaced: older connections are dropped
        self._ready = False  # the file's schema was checked (or made) by this object
        self._checked = False  # ``PRAGMA quick_check`` passed (the first update does it)
        self._suspect = False  # a search met damage: check the whole file

    def check(self, conn: sqlite3.Connection) -> None:
        """``PRAGMA quick_check``, once: the whole file after a search met damage, else every
        table but the two biggest (~0.5 s a GB), whose damage shows when they are read."""
        if self._checked and not self._suspect:
            return
        for table in (None,) if self._suspect else CHECKED_TABLES:
            pragma = "PRAGMA quick_check" if table is None else f"PRAGMA quick_check({table})"
            if conn.execute(pragma).fetchone()[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({table or 'quick_check'})")
        self._checked, self._suspect = True, False

    def suspect(self) -> None:
        """A search met damage: the next update checks the whole file (and rebuilds it)."""
        self._ready, self._suspect = False, True

    def close(self) -> None:
        """Close the idle connections; one in use is closed when its call returns."""
        with self._lock:
            self._drop_connections()

    def _drop_connections(self) -> None:
        """Close the idle connections and retire the ones in use (lock held)."""
        self._generation += 1
        for conn, _ in self._idle:
            conn.close()
        self._idle.clear()

    @contextmanager
    def connection(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection for this thread alone until the block ends; None when there is no
        index file and ``create`` is false."""
        with self._lock:
            if not self._ready and not create and not self.path.exists():
                conn = None
            else:
                if not self._ready:
                    self._prepare()
                conn, generation = self._idle.pop() if self._idle else (self._open(), self._generation)
        if conn is None:
            yield None
            return
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.rollback()  # a search's read snapshot, or a write that failed
            with self._lock:
                if generation == self._generation and len(self._idle) < 4:
                    self._idle.append((conn, generation))
                else:
                    conn.close()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as error:
            raise self.unavailable(error) from error
        try:
            conn.execute("PRAGMA synchronous = NORMAL")  # a damaged file raises here (DatabaseError)
            conn.execute("PRAGMA mmap_size = 268435456")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _prepare(self, retry: bool = False) -> None:
        """Make sure the file is an index of this schema, or make it one (lock held)."""
        try:
            with closing(self._open()) as conn:
                if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                    raise sqlite3.OperationalError("the index cannot use WAL mode")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                tables = {
                    row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                if version == 0 and not tables - CACHE_TABLES:  # the library's cache may be there first
                    conn.executescript(SCHEMA_SQL)
                    self._checked, self._suspect = True, False
                elif version != SCHEMA_VERSION or not TABLES <= tables:
                    raise sqlite3.DatabaseError("file is not a database of this index version")
        except sqlite3.DatabaseError as error:
            if retry or not is_damage(error):
                raise self.unavailable(error) from error
            self._delete_files()
            return self._prepare(retry=True)
        self._ready = True

    def reset(self) -> None:
        """Delete the index file and start a new one; connections to the old one are dropped."""
        with self._lock:
            self._delete_files()
            self._prepare()

    def _delete_files(self) -> None:
        """Delete the index file, after dropping every connection to it (lock held)."""
        self._drop_connections()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as error:
                raise self.unavailable(error) from error

    def unavailable(self, error: BaseException) -> IndexUnavailable:
        reason = getattr(error, "strerror", None) or str(error)
        return IndexUnavailable(f"The search index {self.path} cannot be used: {reason}")


def story_range(sid: int) -> tuple[int, int]:
    return sid * SPAN, (sid + 1) * SPAN


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")


def delete_story(conn: sqlite3.Connection, sid: int) -> None:
    """Forget a story: its passages' words stay in ``passages`` (see SCHEMA_SQL), counted dead."""
    lo, hi = story_range(sid)
    count = conn.execute("SELECT count(*) FROM places WHERE rowid >= ? AND rowid < ?", (lo, hi)).fetchone()[0]
    conn.execute("INSERT OR REPLACE INTO dead VALUES (?, ?)", (sid, count))
    conn.execute("DELETE FROM places WHERE rowid >= ? AND rowid < ?", (lo, hi))
    conn.execute("DELETE FROM meta WHERE rowid = ?", (sid,))
    conn.execute("DELETE FROM stories WHERE sid = ?", (sid,))
