"""The last stories opened, kept parsed, so that opening one again does not parse it again.

A 4 MB book parses in 30–50 ms, a fifth of the reader's start-up; read back from here it
takes a quarter of that. An entry is used only while everything it came from is unchanged:
the file (and its sidecar) by size, mtime and inode, the library root it was read under, the
size limit, and the code of :mod:`reader.formats` itself (any change to a parser misses).
Only the reader's own model classes are unpickled; anything else, or any failure, is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any

from reader import __version__, paths
from reader.atomic_write import write_bytes_atomic
from reader.formats import files
from reader.model import Block, Chapter, Span, Story

#: Entries kept; the oldest are removed past this.
KEEP = 8
_ALLOWED = {("reader.model", cls.__name__): cls for cls in (Story, Chapter, Block, Span)}


def folder() -> Path:
    return paths.cache_dir() / "stories"


def key(path: Path, root: Path | None) -> tuple[Any, ...] | None:
    """What an entry for ``path`` must have been made from; None if the file cannot be seen."""
    try:
        sources = [path, path / "story.yaml"] if path.is_dir() else [path, path.with_suffix(".yaml")]
        stamps: list[Any] = []
        for source in sources:
            try:
                stat = source.stat()
                stamps.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
            except FileNotFoundError:
                stamps.append(None)
        if path.is_dir():  # a story folder: its files too
            stamps.extend(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(path)))
        code = sorted((p.name, p.stat().st_mtime_ns) for p in Path(__file__).parent.rglob("*.py"))
    except OSError:
        return None
    return (__version__, str(path.resolve()), str(root), files.MAX_FILE_BYTES, stamps, code)


def _entry(path: Path) -> Path:
    return folder() / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24] + ".pickle")


class _ModelOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        cls = _ALLOWED.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a story class")
        return cls


def load(path: Path, root: Path | None) -> tuple[Story | None, tuple[Any, ...] | None]:
    """(the story kept for ``path``, or None), and the key a new entry would need."""
    wanted = key(path, root)
    if wanted is None:
        return None, None
    try:
        data = _entry(path).read_bytes()
        made, story = _ModelOnly(io.BytesIO(data)).load()
    except Exception:  # missing, damaged, of another version: parse instead
        return None, wanted
    if made != wanted or not isinstance(story, Story):
        return None, wanted
    return story, wanted


def save(story: Story, path: Path, made: tuple[Any, ...]) -> None:
    """Keep ``story`` (as :func:`~reader.formats.load_story` gave it) for ``path``; never raises."""
    try:
        chapters = [
            dataclasses.replace(c, _starts=None, _text=None, _chars_per_word=None) for c in story.chapters
        ]
        story = dataclasses.replace(story, chapters=chapters)  # without what is worked out again
        entry = _entry(path)
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(entry, pickle.dumps((made, story), protocol=pickle.HIGHEST_PROTOCOL), sync=False)
        kept = sorted(entry.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # a cache: a failure costs a parse next time, nothing else
        return
