"""The library's full-text index: SQLite FTS5 over the stories' passages, kept up to date.

A passage is a paragraph, or a piece of at most ~2,000 characters of a longer one, indexed
with its chapter and its offset in ``Chapter.text``; its rowid is ``sid << 24 | n``, so a
story's passages are one rowid range. The index keeps no copy of the text: a hit's snippet is
cut from the story's file (:mod:`reader.search.texts`). Story metadata has an FTS table of
its own, for ``field:`` filters. FTS5's ``unicode61 remove_diacritics 2`` tokenizer folds
case and Latin accents (café finds cafe); Cyrillic is indexed like Latin; a run of CJK
characters with no spaces is one token, so a word inside such a run is found only by typing
the run from its start (``東京*``).

The file, its schema, its connections and rebuilding it are :mod:`reader.search.database`'s,
updating it :mod:`reader.search.building`'s: ``search()`` may run on any thread while
``update()`` writes on another.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from reader.clean import from_text_key
from reader.library.cache import default_cache_path, is_damage
from reader.search.building import run_update
from reader.search.database import SPAN, Database, IndexUnavailable, story_range
from reader.search.query import Query, QueryError, parse_query, snippet
from reader.search.regex_mode import batched_rows, has_vocabulary, regex_rowids, scans_everything
from reader.search.texts import PassageTexts, rows_in

__all__ = ["Hit", "IndexUnavailable", "SearchIndex", "QueryError", "UpdateReport", "scans_everything"]

PER_STORY = 5  # hits from one story in one result list
#: Ranking costs ~2 µs a matching passage, and a phrase more (bm25 first counts its rows
#: in the whole index, checking word positions in every passage holding its words): when
#: more passages than this hold all the words ("the", "th*", "the door"), hits are not
#: ranked but come in library order.
RANK_BUDGET = 20_000
_FEW_STORIES = 50  # filters matching at most this many stories: rank each story on its own
#: A prefix beginning more words than this is left to FTS5 (see ``_ranked_rowids``): the OR
#: costs about 0.25 ms a word to set up at a gigabyte.
MAX_EXPANSION = 2_000


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
        done, counting the bytes of their files (``total`` may be 0). When ``should_stop()``
        is true the update stops between stories, leaving a consistent index that a later update completes.

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
                    counts = run_update(self.db, self.root, progress, should_stop)
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
        texts = PassageTexts(conn, self.root, whole_files=query.regex is not None)
        dead = {row[0] for row in conn.execute("SELECT sid FROM dead")}
        if query.regex is not None:
            rowids = _capped(regex_rowids(conn, query, sids, texts), None, dead, limit)
        elif not query.terms:
            sql = "SELECT rowid FROM places WHERE rowid >= ? AND rowid < ? LIMIT 1"
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
            rowids = _capped(_ranked_rowids(conn, query), set(sids) if sids else None, dead, limit)
        places = texts.places(rowids)
        sids = sorted({rowid // SPAN for rowid in rowids})
        sql = "SELECT sid, story_id, title, path, chapters FROM stories WHERE sid IN "
        stories = {row[0]: row[1:] for row in rows_in(conn, sql, sids)}
        return [self._hit(query, places[rowid], stories[rowid // SPAN]) for rowid in rowids]

    def _hit(self, query: Query, place: tuple[int, int, str], story: tuple[str, str, str, str]) -> Hit:
        chapter, start, body = place
        story_id, title, rel, chapters = story
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
    hold all the words (then bm25 alone would take more than the query's time). A prefix is
    counted, and followed in library order, as the OR of the words it begins: there is no
    prefix index (it would double the index's size), and FTS5 would otherwise gather every
    passage of every such word first (``th*``: seconds)."""

    complete = has_vocabulary(conn)

    def expand(prefix: str) -> list[str] | None:
        if not complete:
            return None
        sql = "SELECT term FROM words WHERE term >= ? AND term < ? LIMIT ?"
        found = [row[0] for row in conn.execute(sql, (prefix, prefix + "\U0010ffff", MAX_EXPANSION + 1))]
        return found if len(found) <= MAX_EXPANSION else None

    sql = "SELECT rowid FROM passages WHERE passages MATCH ? LIMIT 1 OFFSET ?"
    common = conn.execute(sql, (query.loose_match(expand), RANK_BUDGET - 1)).fetchone() is not None
    match = query.match(expand) if common else query.match()
    sql = "SELECT rowid FROM passages WHERE passages MATCH ?" + ("" if common else " ORDER BY rank")
    for (rowid,) in batched_rows(conn.execute(sql, (match,))):
        yield rowid


def _capped(
    rowids: Generator[int, None, None], sids: set[int] | None, dead: set[int], limit: int
) -> list[int]:
    """The first ``limit`` rowids, at most PER_STORY from one story, only from ``sids`` and
    never from a ``dead`` one (a story changed or removed since it was indexed)."""
    taken: list[int] = []
    per_story: Counter[int] = Counter()
    for rowid in rowids:
        sid = rowid // SPAN
        if (sids is None or sid in sids) and sid not in dead and per_story[sid] < PER_STORY:
            per_story[sid] += 1
            taken.append(rowid)
            if len(taken) >= limit:
                break
    rowids.close()  # and with it the statement, which holds a read snapshot
    return taken
