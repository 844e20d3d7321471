"""Chapter × width → wrapped lines → pages of a given height. Pure and deterministic.

A chapter is cut, at block boundaries and independently of the terminal's size, into
*sections* of about :data:`SECTION_CHARS` characters, and each section is paginated on its
own. Finding the page for an offset therefore lays out one section, never the whole book,
so a 4 MB chapter opens and re-flows as fast as a short one. Most chapters are one section.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len, get_character_cell_size

from reader.model import Chapter, Story

SECTION_CHARS = 60_000
MIN_WIDTH = 2
_WORD = re.compile(r"\S+")


class Line(NamedTuple):
    """One row of a page: ``[start, end)`` of the chapter text, from block ``block``."""

    block: int
    start: int
    end: int
    kind: str  # a block kind, or "blank"


BLANK = Line(-1, 0, 0, "blank")


@dataclass(frozen=True)
class Page:
    lines: tuple[Line, ...]

    @property
    def start(self) -> int:
        return self.lines[0].start if self.lines else 0

    @property
    def end(self) -> int:
        return max((line.end for line in self.lines if line.kind != "blank"), default=self.start)


class PageRef(NamedTuple):
    """A page of a story: chapter, section of that chapter, page within the section."""

    chapter: int
    section: int
    page: int


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text`` to ``width`` cells, as ``[start, end)`` ranges.

    White space at a break is dropped; a word wider than the line is cut to fit.
    """
    width = max(width, MIN_WIDTH)
    ascii_only = text.isascii()
    if ascii_only:
        return [m.span() for m in _ascii_wrapper(width).finditer(text)]
    return _python_wrap(text, width)


@lru_cache(maxsize=64)
def _ascii_wrapper(width: int) -> re.Pattern[str]:
    """Greedy wrap for text where one character is one cell, done by the regex engine.

    A line is the longest run of at most ``width`` characters that starts and ends with a
    non-space and is followed by white space or the end; a longer word is cut at ``width``.
    """
    return re.compile(rf"\S(?:[^\n]{{0,{width - 2}}}\S)?(?=\s|$)|\S{{{width}}}")


def _python_wrap(text: str, width: int) -> list[tuple[int, int]]:
    """The same greedy wrap for any text, measuring cells (CJK, emoji, combining marks)."""
    width = max(width, MIN_WIDTH)
    lines: list[tuple[int, int]] = []
    ascii_only = text.isascii()
    start = end = -1
    used = 0
    for match in _WORD.finditer(text):
        s, e = match.span()
        word_width = e - s if ascii_only else cell_len(text[s:e])
        if start >= 0:
            gap = text[end:s]
            if "\n" not in gap:  # a line break in the text (<br>) ends the line, as in wrap()
                grown = used + (s - end if ascii_only else cell_len(gap)) + word_width
                if grown <= width:
                    end, used = e, grown
                    continue
            lines.append((start, end))
        if word_width <= width:
            start, end, used = s, e, word_width
            continue
        pieces = _cut(text, s, e, width, ascii_only)
        lines.extend(pieces[:-1])
        start, end = pieces[-1]
        used = cell_len(text[start:end])
    if start >= 0:
        lines.append((start, end))
    return lines


def _cut(text: str, s: int, e: int, width: int, ascii_only: bool) -> list[tuple[int, int]]:
    if ascii_only:
        return [(i, min(i + width, e)) for i in range(s, e, width)]
    pieces: list[tuple[int, int]] = []
    start, used = s, 0
    for i in range(s, e):
        size = get_character_cell_size(text[i])
        if used + size > width and i > start:
            pieces.append((start, i))
            start, used = i, 0
        used += size
    pieces.append((start, e))
    return pieces


def wrap_indented(text: str, width: int, indent: int) -> list[tuple[int, int]]:
    """:func:`wrap`, with the first line ``indent`` cells shorter (a first-line indent)."""
    if indent <= 0 or width - indent < MIN_WIDTH:
        return wrap(text, width)
    lines = wrap(text, width - indent)
    if len(lines) <= 1:
        return lines
    rest = lines[0][1]
    return [lines[0], *((rest + s, rest + e) for s, e in wrap(text[rest:], width))]


def block_lines(chapter: Chapter, index: int, width: int, indent: int = 0) -> list[Line]:
    block = chapter.blocks[index]
    base = chapter.block_starts[index]
    if block.kind == "scene_break":
        return [Line(index, base, base, "scene_break")]
    ranges = (
        wrap_indented(block.text, width, indent) if block.kind == "paragraph" else wrap(block.text, width)
    )
    return [Line(index, base + s, base + e, block.kind) for s, e in ranges]


def sections(chapter: Chapter, size: int = SECTION_CHARS) -> list[tuple[int, int]]:
    """Block ranges ``[lo, hi)`` of about ``size`` characters each (width independent)."""
    result: list[tuple[int, int]] = []
    lo, chars = 0, 0
    for i, block in enumerate(chapter.blocks):
        chars += len(block.text) + 2
        if chars >= size:
            result.append((lo, i + 1))
            lo, chars = i + 1, 0
    if lo < len(chapter.blocks) or not result:
        result.append((lo, len(chapter.blocks)))
    return result


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
    height = max(height, 1)
    pages: list[Page] = []
    rows: list[Line] = []
    blocks = chapter.blocks
    previous = ""
    for index in range(lo, hi):
        kind = blocks[index].kind
        if kind in hide:
            continue
        book_style = indent and kind == previous == "paragraph"
        previous = kind
        if rows and len(rows) < height and not book_style:
            rows.append(BLANK)
        for line in block_lines(chapter, index, width, indent):
            if len(rows) == height:
                pages.append(Page(tuple(_trim(rows))))
                rows = []
            rows.append(line)
    if rows:
        pages.append(Page(tuple(_trim(rows))))
    if not pages:
        start = chapter.block_starts[lo] if lo < len(chapter.blocks) else 0
        pages.append(Page((Line(-1, start, start, "blank"),)))
    return pages


def _trim(rows: list[Line]) -> list[Line]:
    while rows and rows[-1].kind == "blank":
        rows.pop()
    return rows


class ChapterLayout:
    """Pages of one chapter at one size, laid out a section at a time when first needed."""

    def __init__(
        self, chapter: Chapter, width: int, height: int, hide: frozenset[str] = frozenset(), indent: int = 0
    ) -> None:
        self.chapter = chapter
        self.hide = hide
        self.indent = indent
        self.width = max(width, MIN_WIDTH)
        self.height = max(height, 1)
        self.sections = sections(chapter)
        self._section_starts = [
            chapter.block_starts[lo] if lo < len(chapter.blocks) else 0 for lo, _ in self.sections
        ]
        self._pages: dict[int, list[Page]] = {}
        self._page_starts: dict[int, list[int]] = {}

    def pages(self, section: int) -> list[Page]:
        pages = self._pages.get(section)
        if pages is None:
            lo, hi = self.sections[section]
            pages = paginate(self.chapter, lo, hi, self.width, self.height, self.hide, self.indent)
            self._page_starts[section] = [page.start for page in pages]
            self._pages[section] = pages
        return pages

    def page(self, section: int, index: int) -> Page:
        return self.pages(section)[index]

    def page_for(self, offset: int) -> tuple[int, int]:
        """(section, page index) of the page that holds ``offset``."""
        section = max(0, bisect_right(self._section_starts, offset) - 1)
        self.pages(section)
        index = max(0, bisect_right(self._page_starts[section], offset) - 1)
        return section, index

    @property
    def complete(self) -> bool:
        return len(self._pages) == len(self.sections)

    def lay_out_all(self, stop: Callable[[], bool] = lambda: False) -> bool:
        """Lay out every section (for exact page numbers); False if ``stop()`` said to stop."""
        for section in range(len(self.sections)):
            if stop():
                return False
            self.pages(section)
        return True

    def page_number(self, section: int, index: int) -> tuple[int, int, bool]:
        """(n, m, exact): page n of m in the chapter; estimated while sections are pending."""
        if self.complete:
            before = sum(len(self._pages[s]) for s in range(section))
            total = sum(len(p) for p in self._pages.values())
            return before + index + 1, total, True
        done = {s: len(p) for s, p in self._pages.items()}
        chars_done = sum(self._section_chars(s) for s in done)
        per_char = sum(done.values()) / max(chars_done, 1)
        before = sum(done.get(s) or round(self._section_chars(s) * per_char) for s in range(section))
        total = sum(
            done.get(s) or round(self._section_chars(s) * per_char) for s in range(len(self.sections))
        )
        return before + index + 1, max(total, before + index + 1), False

    def _section_chars(self, section: int) -> int:
        end = self._section_starts[section + 1] if section + 1 < len(self.sections) else len(self.chapter)
        return max(end - self._section_starts[section], 1)

    @property
    def last(self) -> tuple[int, int]:
        section = len(self.sections) - 1
        return section, len(self.pages(section)) - 1


class StoryLayout:
    """Pages of a whole story at one size; chapters laid out only when visited."""

    def __init__(
        self, story: Story, width: int, height: int, hide: frozenset[str] = frozenset(), indent: int = 0
    ) -> None:
        self.story = story
        self.width = width
        self.height = height
        self.hide = hide
        self.indent = indent
        self._chapters: dict[int, ChapterLayout] = {}

    def chapter(self, index: int) -> ChapterLayout:
        layout = self._chapters.get(index)
        if layout is None:
            layout = ChapterLayout(
                self.story.chapters[index], self.width, self.height, self.hide, self.indent
            )
            self._chapters[index] = layout
        return layout

    def page(self, ref: PageRef) -> Page:
        return self.chapter(ref.chapter).page(ref.section, ref.page)

    def page_for(self, chapter: int, offset: int) -> PageRef:
        chapter = min(max(chapter, 0), len(self.story.chapters) - 1)
        return PageRef(chapter, *self.chapter(chapter).page_for(offset))

    def next(self, ref: PageRef) -> PageRef | None:
        layout = self.chapter(ref.chapter)
        if ref.page + 1 < len(layout.pages(ref.section)):
            return PageRef(ref.chapter, ref.section, ref.page + 1)
        if ref.section + 1 < len(layout.sections):
            return PageRef(ref.chapter, ref.section + 1, 0)
        if ref.chapter + 1 < len(self.story.chapters):
            return PageRef(ref.chapter + 1, 0, 0)
        return None

    def previous(self, ref: PageRef) -> PageRef | None:
        if ref.page > 0:
            return PageRef(ref.chapter, ref.section, ref.page - 1)
        layout = self.chapter(ref.chapter)
        if ref.section > 0:
            return PageRef(ref.chapter, ref.section - 1, len(layout.pages(ref.section - 1)) - 1)
        if ref.chapter > 0:
            return PageRef(ref.chapter - 1, *self.chapter(ref.chapter - 1).last)
        return None

    def first_of(self, chapter: int) -> PageRef:
        return PageRef(chapter, 0, 0)

    def last_of(self, chapter: int) -> PageRef:
        return PageRef(chapter, *self.chapter(chapter).last)


def page_ref(layout: ChapterLayout, number: int) -> tuple[int, int]:
    """(section, index) of page ``number`` (1-based, clamped) of a chapter, laying it all out."""
    layout.lay_out_all()
    remaining = max(1, number) - 1
    for section in range(len(layout.sections)):
        count = len(layout.pages(section))
        if remaining < count:
            return section, remaining
        remaining -= count
    return layout.last
