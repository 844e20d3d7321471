"""The library's full-text index: SQLite FTS5 over the stories' passages, kept up to date.

A passage is a paragraph, or a piece of at most ~2,000 characters of a longer one, stored with
its chapter and its offset in ``Chapter.text``; its rowid is ``sid << 24 | n``, so a story's
passages are one rowid range. Story metadata has an FTS table of its own, for ``field:``
filters. FTS5's ``unicode61 remove_diacritics 2`` tokenizer folds case and Latin accents
(café finds cafe); Cyrillic is indexed like Latin; a run of CJK characters with no spaces is
one token, so a word inside such a run is found only by typing the run from its start
(``東京*``). Prefix indexes of 2 and 3 characters keep short prefixes fast.

The file, its schema, its connections and rebuilding it are :mod:`reader.search.database`'s:
``search()`` may run on any thread while ``update()`` writes on another.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from reader.clean import PLACEHOLDER, clean, display_name, from_text_key
from reader.formats import StoryError, load_story
from reader.library.cache import default_cache_path, is_damage
from reader.library.listing import story_listing
from reader.search.database import (
    META,
    SPAN,
    Database,
    IndexUnavailable,
    delete_story,
    story_range,
    transaction,
)
from reader.search.query import Query, QueryError, parse_query, passages, snippet

__all__ = ["Hit", "IndexUnavailable", "SearchIndex", "QueryError", "UpdateReport"]

PER_STORY = 5  # hits from one story in one result list
#: Ranking costs ~2 µs a matching passage, and a phrase more (bm25 first counts its rows
#: in the whole index, checking word positions in every passage holding its words): when
#: more passages than this hold all the words ("the", "th*", "the door"), hits are not
#: ranked but come in library order.
RANK_BUDGET = 20_000
_FEW_STORIES = 50  # filters matching at most this many stories: rank each story on its own


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    path: str
    chapter: int
    chapter_title: str
    offset: int  # of the match in ``story.chapters[chapter].text``
    length: int
    snippet: str
    marks: tuple[tuple[int, int], ...]  # [start, end) of the matched words in ``snippet``


@dataclass(frozen=True)
class UpdateReport:
    added: int
    changed: int
    removed: int
    failed: int
    seconds: float


def default_db_path(root: Path) -> Path:
    """The index's file: shared with the library's metadata cache (``reader.library.cache``)."""
    return default_cache_path(root)


class SearchIndex:
    """The full-text index of the stories under ``root``; nothing is created until first used."""

    def __init__(self, root: Path, db_path: Path | None = None) -> None:
        self.root = Path(root)
        self.db_path = Path(db_path) if db_path is not None else default_db_path(self.root)
        self.db = Database(self.db_path)
        self._update_lock = threading.Lock()

    # Updating ------------------------------------------------------------------------

    def update(
        self,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> UpdateReport:
        """Bring the index up to date with the files under ``root``.

        Files are compared by (path, mtime_ns, size), counting a sidecar YAML and a story
        folder's files: only new and changed stories are read, each (re)indexed in one
        transaction; removed ones are deleted. An unreadable story counts as ``failed`` and is
        not retried until its file changes. ``progress(done, total)`` is called as stories are
        done (``total`` may be 0). When ``should_stop()`` is true the update stops between
        stories, leaving a consistent index that a later update completes.

        Raises :class:`IndexUnavailable` (an ``OSError``) when the cache folder is read-only
        or full, ``FileNotFoundError`` when ``root`` is not a folder (the index is kept). A
        damaged index file is deleted and rebuilt.
        """
        started = time.perf_counter()
        if not self.root.is_dir():
            raise FileNotFoundError(errno.ENOENT, "The library folder does not exist", str(self.root))
        with self._update_lock:
            for attempt in (1, 2):
                try:
                    counts = self._update(progress, should_stop)
                    break
                except sqlite3.DatabaseError as error:
                    if attempt == 2 or not is_damage(error):
                        raise self.db.unavailable(error) from error
                    self.db.reset()
                except IndexUnavailable:
                    raise
                except OSError as error:
                    raise self.db.unavailable(error) from error
        seconds = time.perf_counter() - started
        return UpdateReport(counts["added"], counts["changed"], counts["removed"], counts["failed"], seconds)

    def _update(
        self, progress: Callable[[int, int], None] | None, should_stop: Callable[[], bool] | None
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        with self.db.connection(create=True) as conn:
            assert conn is not None
            self.db.check(conn)
            found = self._signatures()
            known = {row[0]: row[1:] for row in conn.execute("SELECT path, sid, mtime_ns, size FROM stories")}
            gone = [sid for path, (sid, _, _) in known.items() if path not in found]
            todo = [path for path, sig in found.items() if path not in known or known[path][1:] != sig]
            total = len(gone) + len(todo)
            if progress:
                progress(0, total)
            for sid in gone:
                with transaction(conn):
                    delete_story(conn, sid)
                counts["removed"] += 1
            for done, path in enumerate(todo, len(gone) + 1):
                if should_stop is not None and should_stop():
                    return counts
                sid = known[path][0] if path in known else None
                ok = self._index_story(conn, path, found[path], sid)
                counts["failed" if not ok else "added" if sid is None else "changed"] += 1
                if progress:
                    progress(done, total)
            if progress and not todo:
                progress(total, total)
            with transaction(conn):
                conn.execute("INSERT OR REPLACE INTO info VALUES ('complete', ?)", (str(time.time()),))
        return counts

    def _signatures(self) -> dict[str, tuple[int, int]]:
        """(newest mtime_ns, total size) of each story's files, by its path under the root
        (the library scan's walk: the same signatures as its metadata cache)."""
        return {rel: sig for _, rel, sig in story_listing(self.root) if sig is not None}

    def _index_story(self, conn: sqlite3.Connection, rel: str, sig: tuple[int, int], old: int | None) -> bool:
        """(Re)index one story in one transaction; False when it cannot be read."""
        path, story, error = self.root / from_text_key(rel), None, None
        try:
            story = load_story(path, self.root)
        except StoryError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in a format reader must not stop the update
            error = clean(f"{path.name}: could not be read ({type(exc).__name__}: {exc})", PLACEHOLDER)
        titles = json.dumps([chapter.title for chapter in story.chapters] if story else [])
        title = story.title if story else display_name(path.name)
        row = (rel, *sig, story.id if story else rel, title, titles, error)
        with transaction(conn):
            if old is not None:
                delete_story(conn, old)
            sql = "INSERT INTO stories(path, mtime_ns, size, story_id, title, chapters, error) VALUES "
            sid = conn.execute(sql + "(?, ?, ?, ?, ?, ?, ?)", row).lastrowid
            if story is not None and sid is not None:
                lists = (
                    "\n".join(map(str, v)) if isinstance(v, list) else str(v or "")
                    for v in story.metadata.values()
                )
                meta = dict(zip(story.metadata, lists, strict=True), title=story.title, author=story.author)
                sql = f"INSERT INTO meta(rowid, {', '.join(META)}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                conn.execute(sql, (sid, *(meta.get(key, "") for key in META)))
                sql = "INSERT INTO passages(rowid, chapter, start, body) VALUES (?, ?, ?, ?)"
                conn.executemany(sql, ((sid * SPAN + n, *part) for n, part in enumerate(passages(story))))
        return story is not None

    # Searching -----------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50, regex: bool = False) -> list[Hit]:
        """Hits for ``text``, best first (bm25; see RANK_BUDGET), at most PER_STORY a story.

        Words must all be in one passage, in any order; "a phrase" in order; ``pre*`` is a
        prefix; ``author:``, ``fandom:``, ``tag:``, ``title:`` (also ``character:``, ``ship:``)
        keep the stories whose metadata matches, and alone give each story's first passage.
        With ``regex``, a Python regex (ignoring case) is run over the passages in library
        order: the slow path. ``[]`` when nothing matches or there is no index yet. Raises
        :class:`QueryError` for a query that cannot run, :class:`IndexUnavailable` when the
        index cannot be read.
        """
        query = parse_query(text, regex=regex)
        if query.empty or limit <= 0:
            return []
        try:
            with self.db.connection(create=False) as conn:
                if conn is None:
                    return []
                conn.execute("BEGIN")  # one snapshot for the whole search, whatever update() does
                return self._search(conn, query, limit)
        except sqlite3.DatabaseError as error:
            if is_damage(error):
                self.db.suspect()  # the next update checks and rebuilds
            raise self.db.unavailable(error) from error

    def _search(self, conn: sqlite3.Connection, query: Query, limit: int) -> list[Hit]:
        sids: list[int] | None = None
        if query.filters:
            sql = "SELECT rowid FROM meta WHERE meta MATCH ? ORDER BY rank"
            sids = [row[0] for row in conn.execute(sql, (query.meta_match(),))]
            if not sids:
                return []
        if query.regex is not None:
            rowids = _capped(_regex_rowids(conn, query, sids), None, limit)
        elif not query.terms:
            sql = "SELECT rowid FROM passages WHERE rowid >= ? AND rowid < ? LIMIT 1"
            firsts = (row[0] for sid in sids or () for row in conn.execute(sql, story_range(sid)))
            rowids = list(islice(firsts, limit))
        elif sids is not None and len(sids) <= _FEW_STORIES:
            sql = "SELECT rank, rowid FROM passages WHERE passages MATCH ? AND rowid >= ? AND rowid < ? "
            sql += f"ORDER BY rank LIMIT {PER_STORY}"
            ranked = sorted(
                row for sid in sids for row in conn.execute(sql, (query.match(), *story_range(sid)))
            )
            rowids = [rowid for _, rowid in ranked[:limit]]
        else:
            rowids = _capped(_ranked_rowids(conn, query), set(sids) if sids else None, limit)
        return [self._hit(conn, query, rowid) for rowid in rowids]

    def _hit(self, conn: sqlite3.Connection, query: Query, rowid: int) -> Hit:
        sql = "SELECT chapter, start, body FROM passages WHERE rowid = ?"
        chapter, start, body = conn.execute(sql, (rowid,)).fetchone()
        sql = "SELECT story_id, title, path, chapters FROM stories WHERE sid = ?"
        story_id, title, rel, chapters = conn.execute(sql, (rowid // SPAN,)).fetchone()
        titles = json.loads(chapters)
        spans = query.spans(body)
        first, end = spans[0] if spans else (0, 0)
        line, marks = snippet(body, first, end, spans)
        chapter_title = titles[chapter] if 0 <= chapter < len(titles) else ""
        path = str(self.root / from_text_key(rel))
        return Hit(story_id, title, path, chapter, chapter_title, start + first, end - first, line, marks)

    def is_empty(self) -> bool:
        """True until an ``update()`` has run to its end (the UI shows a progress bar then)."""
        try:
            with self.db.connection(create=False) as conn:
                return (
                    conn is None or not conn.execute("SELECT 1 FROM info WHERE key = 'complete'").fetchone()
                )
        except (sqlite3.Error, OSError):
            return True

    def close(self) -> None:
        """Close the idle connections; one in use is closed when its call returns."""
        self.db.close()


def _ranked_rowids(conn: sqlite3.Connection, query: Query) -> Generator[int, None, None]:
    """Passages matching, best first; in library order when more than RANK_BUDGET passages
    hold all the words (then bm25 alone would take more than the query's time)."""
    sql = "SELECT rowid FROM passages WHERE passages MATCH ? LIMIT 1 OFFSET ?"
    common = conn.execute(sql, (query.loose_match(), RANK_BUDGET - 1)).fetchone() is not None
    sql = "SELECT rowid FROM passages WHERE passages MATCH ?" + ("" if common else " ORDER BY rank")
    for (rowid,) in _rows(conn.execute(sql, (query.match(),))):
        yield rowid


def _regex_rowids(
    conn: sqlite3.Connection, query: Query, sids: list[int] | None
) -> Generator[int, None, None]:
    """Passages the regex matches (not only with empty matches), in library order."""
    if sids is None:
        cursors: Iterable[sqlite3.Cursor] = [conn.execute("SELECT rowid, body FROM passages")]
    else:
        sql = "SELECT rowid, body FROM passages WHERE rowid >= ? AND rowid < ?"
        cursors = (conn.execute(sql, story_range(sid)) for sid in sorted(sids))
    assert query.regex is not None
    search = query.regex.search
    for cursor in cursors:
        for rowid, body in _rows(cursor):
            found = search(body)
            if found and (found.end() > found.start() or query.spans(body)):
                yield rowid


def _rows(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """The cursor's rows; the statement is closed when the caller stops early."""
    try:
        while batch := cursor.fetchmany(256):
            yield from batch
    finally:
        cursor.close()


def _capped(rowids: Generator[int, None, None], sids: set[int] | None, limit: int) -> list[int]:
    """The first ``limit`` rowids, at most PER_STORY from one story, only from ``sids``."""
    taken: list[int] = []
    per_story: Counter[int] = Counter()
    for rowid in rowids:
        sid = rowid // SPAN
        if (sids is None or sid in sids) and per_story[sid] < PER_STORY:
            per_story[sid] += 1
            taken.append(rowid)
            if len(taken) >= limit:
                break
    rowids.close()  # and with it the statement, which holds a read snapshot
    return taken
