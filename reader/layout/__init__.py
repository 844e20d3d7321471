"""Chapter × width → wrapped lines → pages of a given height. Pure and deterministic.

:mod:`~reader.layout.wrap` wraps blocks into lines; :mod:`~reader.layout.flow` fills pages
with them a chunk of blocks at a time; :mod:`~reader.layout.chapter` keeps a chapter's pages,
laid out from its start and, far into a long chapter, from the place it was opened at. So a
4 MB chapter opens and re-flows as fast as a short one, and no page but a chapter's last
(and the one just before the opening place) is short.
"""

from __future__ import annotations

from typing import NamedTuple

from reader.layout.chapter import ChapterLayout
from reader.layout.flow import CHUNK_CHARS, Page, paginate
from reader.layout.wrap import BLANK, MIN_WIDTH, Line, block_lines, wrap, wrap_indented
from reader.model import Story

__all__ = [
    "BLANK",
    "CHUNK_CHARS",
    "MIN_WIDTH",
    "ChapterLayout",
    "Line",
    "Page",
    "PageRef",
    "StoryLayout",
    "block_lines",
    "page_ref",
    "paginate",
    "wrap",
    "wrap_indented",
]


class PageRef(NamedTuple):
    """A page of a story: chapter, part of that chapter (see :class:`ChapterLayout`), page in the part."""

    chapter: int
    part: int
    page: int


class StoryLayout:
    """Pages of a whole story at one size; chapters laid out only when visited."""

    def __init__(
        self,
        story: Story,
        width: int,
        height: int,
        hide: frozenset[str] = frozenset(),
        indent: int = 0,
        chunk: int = CHUNK_CHARS,
    ) -> None:
        self.story = story
        self.width = width
        self.height = height
        self.hide = hide
        self.indent = indent
        self.chunk = chunk
        self._chapters: dict[int, ChapterLayout] = {}

    def chapter(self, index: int) -> ChapterLayout:
        layout = self._chapters.get(index)
        if layout is None:
            layout = ChapterLayout(
                self.story.chapters[index], self.width, self.height, self.hide, self.indent, self.chunk
            )
            self._chapters[index] = layout
        return layout

    def page(self, ref: PageRef) -> Page:
        return self.chapter(ref.chapter).page(ref.part, ref.page)

    def page_for(self, chapter: int, offset: int) -> PageRef:
        chapter = min(max(chapter, 0), len(self.story.chapters) - 1)
        return PageRef(chapter, *self.chapter(chapter).page_for(offset))

    def next(self, ref: PageRef) -> PageRef | None:
        after = self.chapter(ref.chapter).after(ref.part, ref.page)
        if after is not None:
            return PageRef(ref.chapter, *after)
        if ref.chapter + 1 < len(self.story.chapters):
            return PageRef(ref.chapter + 1, 0, 0)
        return None

    def previous(self, ref: PageRef) -> PageRef | None:
        before = self.chapter(ref.chapter).before(ref.part, ref.page)
        if before is not None:
            return PageRef(ref.chapter, *before)
        if ref.chapter > 0:
            return PageRef(ref.chapter - 1, *self.chapter(ref.chapter - 1).last)
        return None

    def first_of(self, chapter: int) -> PageRef:
        return PageRef(chapter, 0, 0)

    def last_of(self, chapter: int) -> PageRef:
        return PageRef(chapter, *self.chapter(chapter).last)


def page_ref(layout: ChapterLayout, number: int) -> tuple[int, int]:
    """(part, index) of page ``number`` (1-based, clamped) of a chapter, laying it all out."""
    return layout.page_ref(number)
