"""The text of indexed passages, for snippets and regex mode: cut from the story's file where
the index found it there, else unpacked (see :mod:`reader.search.extract`).

A story whose files changed since it was indexed (the update has not run yet) is parsed
again and its passages taken by number; what a hit then shows is the story as it is now.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reader.clean import from_text_key
from reader.formats import load_story
from reader.library.cache import files_signature
from reader.search.database import SPAN
from reader.search.extract import from_file, from_packed
from reader.search.query import passages

Place = tuple[int, int, str]  # chapter, offset in ``Chapter.text``, text


class PassageTexts:
    """Reads passages for one search; ``whole_files`` keeps the last story file read in
    memory (regex mode reads passage after passage of the same story)."""

    def __init__(self, conn: sqlite3.Connection, root: Path, whole_files: bool = False) -> None:
        self.conn, self.root, self.whole_files = conn, root, whole_files
        self._stories: dict[int, tuple[Path, bool]] = {}  # sid → (path, unchanged since indexed)
        self._reparsed: dict[int, list[Place]] = {}
        self._file: tuple[int, bytes] | None = None

    def places(self, rowids: list[int]) -> dict[int, Place]:
        """The passages ``rowids``, reading their rows a few hundred at a time."""
        sql = "SELECT rowid, chapter, start, at, length, packed FROM places WHERE rowid IN "
        found = {row[0]: self.from_row(*row) for row in rows_in(self.conn, sql, rowids)}
        return {rowid: found.get(rowid, (0, 0, "")) for rowid in rowids}

    def from_row(
        self, rowid: int, chapter: int, start: int, at: int | None, length: int, packed: bytes | None
    ) -> Place:
        if packed is not None:
            return chapter, start, from_packed(packed)
        sid = rowid // SPAN
        path, unchanged = self._story(sid)
        if unchanged:
            data = self._read(sid, path, at or 0, length)
            if data is not None:
                try:
                    return chapter, start, from_file(data)
                except UnicodeDecodeError:
                    pass
        return self._from_story(sid, rowid - sid * SPAN)

    def _story(self, sid: int) -> tuple[Path, bool]:
        known = self._stories.get(sid)
        if known is None:
            row = self.conn.execute(
                "SELECT path, mtime_ns, size FROM stories WHERE sid = ?", (sid,)
            ).fetchone()
            if row is None:
                known = (self.root, False)
            else:
                path = self.root / from_text_key(row[0])
                known = (path, files_signature(path) == (row[1], row[2]))
            self._stories[sid] = known
        return known

    def _read(self, sid: int, path: Path, at: int, length: int) -> bytes | None:
        try:
            if not self.whole_files:
                with open(path, "rb") as file:
                    file.seek(at)
                    return file.read(length)
            if self._file is None or self._file[0] != sid:
                self._file = (sid, path.read_bytes())
            return self._file[1][at : at + length]
        except OSError:
            return None

    def _from_story(self, sid: int, number: int) -> Place:
        """Passage ``number`` of the story as it is now (its file changed, or cannot be read)."""
        found = self._reparsed.get(sid)
        if found is None:
            path = self._story(sid)[0]
            try:
                found = list(passages(load_story(path, self.root)))
            except Exception:  # noqa: BLE001 - gone, damaged: the hit shows no text
                found = []
            self._reparsed[sid] = found
        return found[number] if 0 <= number < len(found) else (0, 0, "")


def rows_in(conn: sqlite3.Connection, sql: str, keys: list[int]) -> Iterator[Any]:
    """The rows of ``sql`` (ending in ``IN``) for ``keys``, 500 keys a statement."""
    for at in range(0, len(keys), 500):
        chunk = keys[at : at + 500]
        yield from conn.execute(sql + f"({', '.join('?' * len(chunk))})", chunk)
