"""Regex mode over the library: Python's ``re`` on the passages, narrowed by the index.

When the pattern holds a run of three letters or more that every match must contain
(:mod:`reader.search.literals`), only the passages holding a word with that run in it are
read: the words come from the index's vocabulary, the passages from a MATCH on them. Else
every passage is read, story file after story file: the slow path, which the search screen
announces (``scans_everything``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from reader.search.database import SPAN, story_range
from reader.search.literals import Needs, required
from reader.search.query import Query, QueryError, Term, parse_query
from reader.search.texts import PassageTexts

#: A run found in more words than this does not narrow: an OR of words costs about 0.25 ms a
#: word to set up at a gigabyte (2,000: half a second), and so common a run narrows little.
MAX_WORDS = 2_000
_PLACE = "rowid, chapter, start, at, length, packed"


def scans_everything(text: str) -> bool:
    """True when regex mode must read every passage for ``text`` (no run of three letters or
    more that every match holds); False for a pattern that does not compile."""
    try:
        query = parse_query(text, regex=True)
    except QueryError:
        return False
    return query.regex is not None and not required(query.regex)


def regex_rowids(
    conn: sqlite3.Connection, query: Query, sids: list[int] | None, texts: PassageTexts
) -> Generator[int, None, None]:
    """Passages the regex matches (not only with empty matches), in rowid order."""
    assert query.regex is not None
    search = query.regex.search
    match = _narrowing_match(conn, required(query.regex))
    if match == "":
        return  # a run no word of the library holds: nothing can match
    rows: Iterable[Any]
    if match is not None:
        sql = "SELECT p.rowid, chapter, start, at, length, packed FROM passages JOIN places AS p "
        sql += "ON p.rowid = passages.rowid WHERE passages MATCH ? ORDER BY passages.rowid"
        rows = batched_rows(conn.execute(sql, (match,)))
        if sids is not None:
            wanted = set(sids)
            rows = (row for row in rows if row[0] // SPAN in wanted)
    elif sids is None:
        rows = batched_rows(
            conn.execute("SELECT rowid, chapter, start, at, length, packed FROM places ORDER BY rowid")
        )
    else:
        sql = "SELECT rowid, chapter, start, at, length, packed FROM places WHERE rowid >= ? AND rowid < ?"
        rows = (row for sid in sorted(sids) for row in batched_rows(conn.execute(sql, story_range(sid))))
    for row in rows:
        body = texts.from_row(*row)[2]
        found = search(body)
        if found and (found.end() > found.start() or query.spans(body)):
            yield row[0]


def _narrowing_match(conn: sqlite3.Connection, needs: Needs) -> str | None:
    """The MATCH expression of the passages that may match: None when no run narrows (scan
    everything), "" when a run is in no word at all (nothing matches)."""
    if not needs:
        return None
    words = vocabulary(conn)
    if words is None:
        return None
    clauses: list[str] = []
    for need in needs:
        holding = [word for word in words if any(run in word for run in need)]
        if not holding:
            return ""
        if len(holding) <= MAX_WORDS:
            clauses.append("(" + " OR ".join(Term((word,)).fts() for word in holding) + ")")
    return " AND ".join(clauses) or None


def vocabulary(conn: sqlite3.Connection) -> list[str] | None:
    """Every word in the index (those of stories removed since the last rebuild too); None
    while a build has not read it yet (see ``building._finish``)."""
    if not has_vocabulary(conn):
        return None
    return [row[0] for row in conn.execute("SELECT term FROM words")]


def has_vocabulary(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM info WHERE key = 'vocabulary'").fetchone() is not None


def batched_rows(cursor: sqlite3.Cursor) -> Iterator[Any]:
    """The cursor's rows; the statement is closed when the caller stops early."""
    try:
        while batch := cursor.fetchmany(256):
            yield from batch
    finally:
        cursor.close()
