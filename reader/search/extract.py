"""What the index keeps of one story, worked out in a worker process: its passages, and where
each one's text can be found again without a second copy of it.

Most passages of a plain-text or HTML story are in its file as they are, or with line breaks
for spaces (a hard-wrapped paragraph): then the index keeps only where (bytes ``[at, at +
length)`` of the file) and cuts the snippet from the file when a hit is shown. Any other
passage (an EPUB's, one with emphasis marks taken out, one of a file not in UTF-8) is kept
compressed. Either way the text a hit shows is the text that was indexed: a file that changed
since is read again (see :mod:`reader.search.texts`).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from reader.formats import StoryError, files
from reader.library.listing import StoryEntry, failed_entry, load_entry
from reader.model import Story
from reader.search.query import fold, passages

#: How far past the end of the last passage found the next one is looked for in the file
#: (an HTML file's head, a chapter's markup); one not found there is kept compressed.
WINDOW = 1 << 16
#: Passages not found one after another that stop the looking (a file whose paragraphs are
#: all marked up): the rest are packed, and a big story costs no WINDOW-long search each.
MISSES = 64
#: How much lower than the reader a build's worker processes run (the UI thread gets a core
#: when it needs one; more would hand the cores to any other program first).
NICE = 5
_BACKGROUND = False
_WORD = re.compile(r"[^\W_]+")


#: One passage: its chapter and offset in ``Chapter.text``, its text, and how to find it again:
#: bytes ``[at, at + length)`` of the story's file, or ``packed`` (zlib) text. A plain tuple:
#: a million of them cross from the worker processes in a build, and unpickling a named
#: tuple runs Python code for each, holding the lock the reader's UI thread needs.
Place = tuple[int, int, str, "int | None", int, "bytes | None"]


@dataclass
class Extract:
    """One story as the index takes it (and the library's metadata cache, from ``entry``)."""

    path: Path
    entry: StoryEntry
    story_id: str
    title: str
    chapters: list[str]
    meta: dict[str, str]
    places: list[Place]


def extract_chunk(paths: list[Path], root: Path) -> list[Extract]:
    """The extracts of ``paths`` (run in a worker process, or on the updating thread)."""
    if multiprocessing.parent_process() is not None:
        background()  # a worker process: the reader's own thread comes first
    return [extract(path, root) for path in paths]


def background() -> None:
    """Lower the priority of this worker process, once: a build takes the cores only while
    the reader does not need them."""
    global _BACKGROUND
    if not _BACKGROUND:
        _BACKGROUND = True
        try:
            os.nice(NICE)
        except (AttributeError, OSError):
            pass  # not on this system


def extract(path: Path, root: Path) -> Extract:
    entry, story = load_entry(path, root)
    if story is None:
        return _unread(entry)
    places = locate(story, _raw_text(path))
    lists = ("\n".join(map(str, v)) if isinstance(v, list) else str(v or "") for v in story.metadata.values())
    meta = dict(zip(story.metadata, lists, strict=True), title=story.title, author=story.author)
    chapters = [chapter.title for chapter in story.chapters]
    return Extract(path, entry, story.id, story.title, chapters, meta, places)


def failed(path: Path, root: Path, reason: str) -> Extract:
    """The extract of a story that could not be read (abandoned: it took too long)."""
    return _unread(failed_entry(path, root, reason))


def _unread(entry: StoryEntry) -> Extract:
    return Extract(entry.path, entry, entry.id, entry.title, [], {}, [])


def words_of(places: list[Place]) -> set[str]:
    """The words of the passages, folded: cut at spaces first, then each distinct piece into
    runs of letters and digits as the index's tokenizer does (about 30 MB/s: for a few
    stories; a big update reads the index's own vocabulary instead)."""
    pieces: set[str] = set()
    for _, _, text, _, _, _ in places:
        pieces.update(text.split())
    words: set[str] = set()
    for piece in pieces:
        words.update(_WORD.findall(fold(piece)))
    return words


def _raw_text(path: Path) -> str | None:
    """The story file as UTF-8 text, when it is a file that reads so with no ``\\r``."""
    try:
        data = files.read_regular(path)  # a regular file only, never more than the limit + 1
    except (OSError, StoryError):
        return None
    if len(data) > files.MAX_FILE_BYTES:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\r" in text else text


def locate(story: Story, raw: str | None) -> list[Place]:
    """The story's passages, each found in ``raw`` (in order) or packed."""
    places: list[Place] = []
    flat = raw.replace("\n", " ") if raw is not None else None
    ascii_only = raw is not None and raw.isascii()
    pos = byte_pos = 0  # in ``raw``: the end of the last passage found, in characters and bytes
    misses = 0
    for chapter, start, text in passages(story):
        found = -1 if flat is None or misses > MISSES else flat.find(text, pos, pos + len(text) + WINDOW)
        if found < 0 or raw is None:
            misses += 1
            places.append((chapter, start, text, None, 0, zlib.compress(text.encode("utf-8"), 6)))
            continue
        misses = 0
        end = found + len(text)
        if ascii_only:
            at, length = found, len(text)
        else:
            at = byte_pos + len(raw[pos:found].encode("utf-8"))
            length = len(raw[found:end].encode("utf-8"))
        places.append((chapter, start, text, at, length, None))
        pos, byte_pos = end, at + length
    return places


def from_file(data: bytes) -> str:
    """A passage's text from its bytes in the story file (the inverse of ``locate``)."""
    return data.decode("utf-8").replace("\n", " ")


def from_packed(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")
