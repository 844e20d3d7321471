"""Bringing the index up to date: what changed, parsed on both cores, written in big batches.

New and changed stories are parsed by the library scan's worker processes
(:func:`reader.library.scanning.parsed`) with :func:`reader.search.extract.extract_chunk`,
which gives from one parse both the library list's entry (written to the metadata cache, so
the library does not parse the story again) and the index's passages. This thread only
writes: a transaction about every COMMIT_SECONDS, each holding whole stories, so a stopped
update leaves a consistent index. SQLite lets go of the GIL while it tokenizes, so the UI
stays responsive. Progress counts the bytes of the stories' files, not stories: a 4 MB story
moves the bar as much as a thousand 4 KB ones.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from reader.clean import from_text_key
from reader.formats import files as format_files
from reader.formats.files import natural_key
from reader.library.cache import CachedRow, MetadataCache
from reader.library.listing import signatures
from reader.library.scanning import parsed, row_of
from reader.search.database import META, SPAN, Database, delete_story, transaction
from reader.search.extract import Extract, extract_chunk, failed, words_of

Progress = Callable[[int, int], None]
StopCheck = Callable[[], bool]
#: Seconds of writing in one transaction (searches see the stories written so far).
COMMIT_SECONDS = 2.0
#: Passages left behind by changed and removed stories (see ``database.SCHEMA_SQL``) that
#: make the next update rebuild the whole index: this share of all, once there are MIN_DEAD.
DEAD_SHARE, MIN_DEAD = 0.25, 10_000
#: Bytes of stories to read that make a big update: the vocabulary (``words``, for regex mode
#: and prefixes) is read from the index once at the end rather than taken story by story, the
#: library's metadata cache gets the stories' entries, and the log is truncated at the end.
VOCABULARY_PASS_FROM = 32 << 20
#: The limits a story that could not be read met (``max_story_mb``, ``parse_seconds``).
_LIMITS = "{} bytes, {} s"


def run_update(
    db: Database, root: Path, progress: Progress | None, should_stop: StopCheck | None
) -> Counter[str]:
    """Bring the index in ``db`` up to date with the stories under ``root``; counts of added,
    changed, removed and failed stories."""
    counts: Counter[str] = Counter()
    stop = should_stop or (lambda: False)
    with db.connection(create=True) as conn:
        assert conn is not None
        db.check(conn)
        if _too_many_dead(conn):
            _clear(conn)
        found = signatures(root)
        rows = conn.execute("SELECT path, mtime_ns, size, sid, error FROM stories").fetchall()
        # stories that could not be read are tried again when the limits they met change
        retry = _limits(conn) != _LIMITS.format(format_files.MAX_FILE_BYTES, format_files.PARSE_SECONDS)
        indexed = {row[0]: row[1:3] for row in rows if not (retry and row[4] is not None)}
        # (path, signature) pairs compared as sets: a library of 5,000 in a few milliseconds
        todo = sorted({rel for rel, _ in found.items() - indexed.items()}, key=natural_key)
        gone_paths = indexed.keys() - found.keys()
        known = (
            {row[0]: row[3] for row in rows if row[0] in gone_paths or row[0] in found}
            if todo or gone_paths
            else {}
        )
        gone = [known[rel] for rel in gone_paths]
        total = sum(found[rel][1] for rel in todo) + len(gone)
        done = 0
        if progress:
            progress(0, total)
        if gone:
            with transaction(conn):
                for sid in gone:
                    delete_story(conn, sid)
            counts["removed"] += len(gone)
            done += len(gone)
        writer = _Writer(conn, db.path, known)
        writer.big = total >= VOCABULARY_PASS_FROM
        if writer.big:
            conn.execute("DELETE FROM info WHERE key = 'vocabulary'")
            conn.execute("PRAGMA wal_autocheckpoint = 8192")  # fewer, bigger checkpoints
        by_path = {root / from_text_key(rel): rel for rel in todo}
        # sids in library order, whatever order the workers finish in: rowids order ties
        # in ranking, and unranked hits come in rowid order
        first = _next_sid(conn)
        sids = {rel: first + n for n, rel in enumerate(todo)}
        try:
            for extract in _extracts(root, list(by_path), stop):
                rel = by_path[extract.path]
                counts[writer.write(rel, found[rel], extract, sids[rel])] += 1
                done += found[rel][1]
                writer.commit_now_and_then()
                if progress:
                    progress(done, total)
        finally:
            writer.close()
            conn.execute("PRAGMA wal_autocheckpoint = 1000")
        if progress and not todo:
            progress(total, total)
        if not stop():
            _finish(conn, bool(counts))
        if writer.big:  # give back the write-ahead log's space after a big update
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


def _extracts(root: Path, paths: list[Path], stop: StopCheck) -> Iterator[Extract]:
    """The stories' extracts as they are parsed, until ``stop()``."""
    batches = parsed(root, paths, stop, read=extract_chunk, failed=failed)
    try:
        for batch in batches:
            for extract in batch:
                if stop():
                    return
                yield extract
    finally:
        batches.close()  # stops the worker processes


class _Writer:
    """Writes extracts into the index, whole stories to a transaction, and their entries into
    the library's metadata cache after each commit."""

    def __init__(self, conn: sqlite3.Connection, db_path: Path, known: dict[str, int]) -> None:
        self.conn, self.known = conn, known
        self.cache = MetadataCache(db_path, format_files.MAX_FILE_BYTES, format_files.PARSE_SECONDS)
        self.cache_open = False
        self.began = 0.0
        self.entries: list[CachedRow] = []
        self.words: set[str] | None = None  # the vocabulary, read when a story brings words
        self.big = False  # then the vocabulary is read from the index at the end, not story by story

    def write(self, rel: str, sig: tuple[int, int], extract: Extract, sid: int) -> str:
        """Index one story (its old rows, if any, are dropped); what happened to it."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.began = time.monotonic()
        old = self.known.get(rel)
        write_story(self.conn, sid, rel, sig, extract, old)
        if not self.big and extract.places:
            if self.words is None:
                self.words = {row[0] for row in self.conn.execute("SELECT term FROM words")}
            new = words_of(extract.places) - self.words
            self.conn.executemany("INSERT OR IGNORE INTO words VALUES (?)", ((word,) for word in new))
            self.words |= new
        if self.big:  # a big update: the library need not parse these again
            self.entries.append(row_of(rel, sig, extract.entry))
        return "failed" if extract.entry.error else "added" if old is None else "changed"

    def commit_now_and_then(self, now: bool = False) -> None:
        if not self.conn.in_transaction or (not now and time.monotonic() - self.began < COMMIT_SECONDS):
            return
        self.conn.execute("COMMIT")
        if not self.entries:
            return
        if not self.cache_open:
            self.cache_open = self.cache.open()
        self.cache.store(self.entries)
        self.entries = []

    def close(self) -> None:
        try:
            self.commit_now_and_then(now=True)
        finally:
            self.cache.close()


def write_story(
    conn: sqlite3.Connection, sid: int, rel: str, sig: tuple[int, int], extract: Extract, old: int | None
) -> None:
    """Write one story's rows as ``sid`` (in the caller's transaction), dropping its ``old`` ones."""
    if old is not None:
        delete_story(conn, old)
    row = (sid, rel, *sig, extract.story_id, extract.title, json.dumps(extract.chapters), extract.entry.error)
    sql = "INSERT INTO stories(sid, path, mtime_ns, size, story_id, title, chapters, error) VALUES "
    conn.execute(sql + "(?, ?, ?, ?, ?, ?, ?, ?)", row)
    if extract.entry.error is not None:
        return
    sql = f"INSERT INTO meta(rowid, {', '.join(META)}) VALUES (?, ?, ?, ?, ?, ?, ?)"
    conn.execute(sql, (sid, *(extract.meta.get(key, "") for key in META)))
    base = sid * SPAN
    rows = list(enumerate(extract.places))
    sql = "INSERT INTO places(rowid, chapter, start, at, length, packed) VALUES (?, ?, ?, ?, ?, ?)"
    conn.executemany(
        sql,
        (
            (base + n, chapter, start, at, length, packed)
            for n, (chapter, start, _, at, length, packed) in rows
        ),
    )
    sql = "INSERT INTO passages(rowid, body) VALUES (?, ?)"
    conn.executemany(sql, ((base + n, text) for n, (_, _, text, _, _, _) in rows))


def _finish(conn: sqlite3.Connection, changed: bool) -> None:
    """Mark the index complete, its vocabulary too (reading it from the index if a big
    update left it out: a few seconds a GB, against half a minute tokenizing in Python)."""
    info = dict(conn.execute("SELECT key, value FROM info").fetchall())
    limits = _LIMITS.format(format_files.MAX_FILE_BYTES, format_files.PARSE_SECONDS)
    if info.get("limits") != limits:
        with transaction(conn):
            conn.execute("INSERT OR REPLACE INTO info VALUES ('limits', ?)", (limits,))
    if "vocabulary" not in info:
        with transaction(conn):
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocabulary USING fts5vocab(main, passages, row)"
            )
            conn.execute("INSERT OR IGNORE INTO words SELECT term FROM temp.vocabulary")
            conn.execute("INSERT INTO info VALUES ('vocabulary', 'complete')")
    if changed or "complete" not in info:
        with transaction(conn):
            conn.execute("INSERT OR REPLACE INTO info VALUES ('complete', ?)", (str(time.time()),))


def _limits(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM info WHERE key = 'limits'").fetchone()
    return None if row is None else str(row[0])


def _next_sid(conn: sqlite3.Connection) -> int:
    """A sid above every one ever used (``dead`` ones too: their words are still indexed)."""
    sql = "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'stories'), 0), "
    sql += "coalesce((SELECT max(sid) FROM stories), 0), coalesce((SELECT max(sid) FROM dead), 0))"
    return int(conn.execute(sql).fetchone()[0]) + 1


def _too_many_dead(conn: sqlite3.Connection) -> bool:
    dead = conn.execute("SELECT coalesce(sum(passages), 0) FROM dead").fetchone()[0]
    if dead < MIN_DEAD:
        return False
    live = conn.execute("SELECT count(*) FROM places").fetchone()[0]
    return dead > DEAD_SHARE * (dead + live)


def _clear(conn: sqlite3.Connection) -> None:
    """Empty the index (every story is indexed again): the way to drop dead passages."""
    with transaction(conn):
        for table in ("stories", "places", "dead", "words", "meta"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("INSERT INTO passages(passages) VALUES ('delete-all')")
        conn.execute("DELETE FROM info WHERE key = 'complete'")
