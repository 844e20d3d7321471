"""Wrapped lines → pages of a given height, laid out a chunk of blocks at a time.

A :class:`Flow` lays pages out from one line of a chapter onwards, about :data:`CHUNK_CHARS`
characters of blocks at each step, so finding a page never waits for the whole chapter. The
rows of a page that is not full yet wait for the next step: no page is cut short where a
step ends, only where the flow ends (the chapter's end, or where another flow begins).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from reader.layout.wrap import BLANK, Line, block_lines
from reader.model import Chapter

#: Characters of blocks laid out at one step of a flow (independent of the terminal's size).
CHUNK_CHARS = 60_000


@dataclass(frozen=True)
class Page:
    lines: tuple[Line, ...]

    @property
    def start(self) -> int:
        return self.lines[0].start if self.lines else 0

    @property
    def end(self) -> int:
        return max((line.end for line in self.lines if line.kind != "blank"), default=self.start)


class Flow:
    """Pages of a chapter from line ``start`` = (block, line of that block) onwards, up to
    the line ``stop`` (the start of another flow) or the chapter's end."""

    def __init__(
        self,
        chapter: Chapter,
        width: int,
        height: int,
        hide: frozenset[str] = frozenset(),
        indent: int = 0,
        start: tuple[int, int] = (0, 0),
        end_block: int | None = None,
        first_lines: list[Line] | None = None,
    ) -> None:
        self.chapter, self.width, self.height, self.hide, self.indent = chapter, width, height, hide, indent
        self.pages: list[Page] = []
        self.starts: list[int] = []  # each page's first offset, for bisecting
        self.block, self._skip = start  # the next block to lay out, and its lines to leave out
        self.end_block = len(chapter.blocks) if end_block is None else end_block
        self.stop: tuple[int, int] | None = None  # (block, line): the flow ends before it
        self._rows: list[Line] = []  # the page being filled
        self.first = self.frontier  # where the flow starts (an offset), for estimates
        self.last = len(chapter.text)  # where it ends
        self._previous = ""  # the kind of the last block laid out
        self._first_lines = first_lines  # the start block's lines, when the caller has them
        self.done = False

    @property
    def frontier(self) -> int:
        """Pages are final up to this offset: where the page being filled (or the next block) starts."""
        if self._rows:
            return self._rows[0].start
        if self.block < len(self.chapter.blocks):
            return self.chapter.block_starts[self.block]
        return len(self.chapter.text)

    def end_at(self, block: int, line: int, offset: int) -> None:
        """Stop before line ``line`` of block ``block`` (at ``offset``): another flow goes on from there."""
        self.stop, self.last = (block, line), offset

    def extend(self, chunk: int = CHUNK_CHARS) -> None:
        """Lay out about ``chunk`` characters of blocks more; at the end, the last page too."""
        if self.done:
            return
        blocks, height = self.chapter.blocks, self.height
        end = self.end_block if self.stop is None else min(self.end_block, self.stop[0] + 1)
        chars = 0
        rows = self._rows
        while self.block < end and chars < chunk:
            index = self.block
            self.block += 1
            kind = blocks[index].kind
            chars += len(blocks[index].text) + 2
            if kind in self.hide:
                continue
            lines, self._first_lines = (
                self._first_lines or block_lines(self.chapter, index, self.width, self.indent),
                None,
            )
            if self.stop is not None and index == self.stop[0]:
                lines = lines[: self.stop[1]]
            if self._skip:
                lines, self._skip = lines[self._skip :], 0
            if not lines:
                continue
            book_style = self.indent and kind == self._previous == "paragraph"
            self._previous = kind
            if rows and len(rows) < height and not book_style:
                rows.append(BLANK)
            for line in lines:
                if len(rows) == height:
                    self._emit(rows)
                    rows = self._rows = []
                rows.append(line)
        if self.block >= end:
            self._finish()

    def _emit(self, rows: list[Line]) -> None:
        while rows and rows[-1].kind == "blank":
            rows.pop()
        page = Page(tuple(rows))
        self.pages.append(page)
        self.starts.append(page.start)

    def _finish(self) -> None:
        if self._rows:
            self._emit(self._rows)
            self._rows = []
        if not self.pages:  # nothing to show (an empty chapter, or only hidden notes)
            self._emit([Line(-1, self.first, self.first, "blank")])
        self.done = True

    def lay_out_all(self, chunk: int = CHUNK_CHARS) -> list[Page]:
        while not self.done:
            self.extend(chunk)
        return self.pages

    def ensure(self, index: int, chunk: int = CHUNK_CHARS) -> None:
        """Lay out until page ``index`` exists, or the flow ends."""
        while not self.done and len(self.pages) <= index:
            self.extend(chunk)

    def index_for(self, offset: int, chunk: int = CHUNK_CHARS) -> int:
        """The index of the page holding ``offset`` (laying out as far as it needs)."""
        while not self.done and (not self.pages or self.frontier <= offset):
            self.extend(chunk)
        return max(0, bisect_right(self.starts, offset) - 1)

    def estimate(self, per_char: float) -> int:
        """Pages in the whole flow: exact once done, else from ``per_char``."""
        if self.done:
            return len(self.pages)
        return len(self.pages) + round(max(0, self.last - self.frontier) * per_char)


def paginate(
    chapter: Chapter,
    lo: int,
    hi: int,
    width: int,
    height: int,
    hide: frozenset[str] = frozenset(),
    indent: int = 0,
) -> list[Page]:
    """Pages for blocks ``[lo, hi)``: a blank row between blocks, never one at a page top.

    Blocks whose kind is in ``hide`` (author's notes, when the reader hides them) are left out.
    With ``indent``, paragraphs follow each other with no blank row and their first line is
    indented by that many cells, as in a printed book.
    """
    flow = Flow(chapter, max(width, 2), max(height, 1), hide, indent, (lo, 0), hi)
    return flow.lay_out_all()
