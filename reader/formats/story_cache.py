"""The last stories opened, kept parsed, so that opening one again does not parse it again.

A 4 MB book parses in 30–50 ms, a fifth of the reader's start-up; read back from here it
takes a quarter of that. An entry is used only while everything it came from is unchanged:
the file (and its sidecar) by size, mtime and inode, the library root it was read under, the
size limit, and the code of :mod:`reader.formats` itself (any change to a parser misses).
Entries are plain values (``marshal``: strings, numbers, lists; nothing that runs code when
read), checked as they are turned back into a story; any failure is a miss.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any, cast, overload

from reader import __version__, paths
from reader.atomic_write import write_bytes_atomic
from reader.formats import files
from reader.model import BLOCK_SEPARATOR, Block, Chapter, Span, Story

#: Entries kept; the oldest are removed past this.
KEEP = 8


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
        here = Path(__file__).parent  # the parsers, and the cleaning and model they use
        sources = [*here.rglob("*.py"), here.parent / "clean.py", here.parent / "model.py"]
        code = sorted((str(p.relative_to(here.parent)), p.stat().st_mtime_ns) for p in sources)
    except OSError:
        return None
    return (__version__, sys.version, str(path.resolve()), str(root), files.MAX_FILE_BYTES, stamps, code)


def _entry(path: Path) -> Path:
    import hashlib  # here: its import loads OpenSSL, not needed for most starts

    return folder() / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24] + ".story")


def pack(story: Story) -> tuple[Any, ...]:
    """The story as plain values: each chapter's text once, with its blocks' kinds, lengths
    and spans (the blocks are slices of it, as :class:`~reader.model.Chapter` joins them)."""
    chapters = [
        (
            chapter.title,
            chapter.text,
            [block.kind for block in chapter.blocks],
            [len(block.text) for block in chapter.blocks],
            {
                i: [(s.start, s.end, s.style) for s in block.spans]
                for i, block in enumerate(chapter.blocks)
                if block.spans
            },
        )
        for chapter in story.chapters
    ]
    return (story.id, story.title, story.author, story.metadata, story.path, story.encoding, chapters)


def unpack(packed: tuple[Any, ...]) -> Story:
    story_id, title, author, metadata, path, encoding, chapters = packed
    made = []
    for chapter_title, text, kinds, lengths, spans in chapters:
        starts = list(accumulate([length + len(BLOCK_SEPARATOR) for length in lengths[:-1]], initial=0))
        if (
            not isinstance(text, str)
            or len(kinds) != len(lengths)
            or (starts[-1] + lengths[-1] if lengths else 0) != len(text)
            or not set(map(type, kinds)) <= {str}
            or not all(0 <= i < len(kinds) for i in spans)
        ):
            raise ValueError("not a chapter")
        styled = {i: tuple(Span(*span) for span in each) for i, each in spans.items()}
        blocks = LazyBlocks(text, kinds, starts, lengths, styled)
        made.append(Chapter(chapter_title, cast("list[Block]", blocks), _starts=starts, _text=text))
    return Story(story_id, title, author, made, metadata, path, encoding)


class LazyBlocks(Sequence[Block]):
    """A chapter's blocks as kept here, each made a :class:`~reader.model.Block` when first
    wanted. A book's 8,000 blocks took 4-5 ms of every start to make, and the first page
    wants a dozen. It reads like the list it stands for (index, slice, iterate, compare);
    nothing changes an unpacked story's blocks."""

    __slots__ = ("_made", "_text", "_kinds", "_starts", "_lengths", "_spans")

    def __init__(
        self,
        text: str,
        kinds: list[str],
        starts: list[int],
        lengths: list[int],
        spans: dict[int, tuple[Span, ...]],
    ) -> None:
        self._made: list[Block | None] = [None] * len(kinds)
        self._text, self._kinds, self._starts, self._lengths, self._spans = (
            text,
            kinds,
            starts,
            lengths,
            spans,
        )

    def __len__(self) -> int:
        return len(self._kinds)

    def _block(self, index: int) -> Block:
        block = self._made[index]  # IndexError past the end, as a list's
        if block is None:
            at = self._starts[index]
            text = self._text[at : at + self._lengths[index]]
            block = self._made[index] = Block(self._kinds[index], text, self._spans.get(index, ()))
        return block

    @overload
    def __getitem__(self, index: int) -> Block: ...
    @overload
    def __getitem__(self, index: slice) -> list[Block]: ...
    def __getitem__(self, index: int | slice) -> Block | list[Block]:
        if isinstance(index, slice):
            return [self._block(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError("block index out of range")
        return self._block(index)

    def __iter__(self) -> Iterator[Block]:
        return map(self._block, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list | LazyBlocks):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # as a list's

    def __add__(self, other: Iterable[Block]) -> list[Block]:
        return [*self, *other]

    def __radd__(self, other: Iterable[Block]) -> list[Block]:
        return [*other, *self]

    def __repr__(self) -> str:
        return repr(list(self))


def load(path: Path, root: Path | None) -> tuple[Story | None, tuple[Any, ...] | None]:
    """(the story kept for ``path``, or None), and the key a new entry would need."""
    wanted = key(path, root)
    if wanted is None:
        return None, None
    try:
        made, packed = marshal.loads(_entry(path).read_bytes())
        if made != wanted:
            return None, wanted
        return unpack(packed), wanted
    except Exception:  # missing, damaged, of another version: parse instead
        return None, wanted


def save(story: Story, path: Path, made: tuple[Any, ...]) -> None:
    """Keep ``story`` (as :func:`~reader.formats.load_story` gave it) for ``path``; never raises."""
    try:
        entry = _entry(path)
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(entry, marshal.dumps((made, pack(story))), sync=False)
        kept = sorted(entry.parent.glob("*.story"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # a cache: a failure costs a parse next time, nothing else
        return
