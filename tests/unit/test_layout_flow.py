"""Pages flow on across the chunks a long chapter is laid out in: no page is short but a
chapter's last, and, when a chapter is opened far in, the one page just before the opening
place. Random chapters, sizes, chunk sizes and opening places."""

from __future__ import annotations

import re
import threading

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.layout import Line, Page, PageRef, StoryLayout, paginate
from reader.model import Block, Chapter, Story

TEXT = st.text(alphabet=st.sampled_from(list("abcdefg hij  ") + ["漢", "😀", "é"]), min_size=1, max_size=400)
BLOCK = st.one_of(
    st.tuples(st.sampled_from(["paragraph"] * 6 + ["heading", "note"]), TEXT.filter(str.strip)),
    st.just(("scene_break", "")),
)
CHAPTER = st.lists(BLOCK, min_size=1, max_size=40).map(
    lambda blocks: Chapter("C", [Block(kind, text) for kind, text in blocks])
)


def _non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def walk(book: StoryLayout) -> list[tuple[PageRef, Page]]:
    """Every page of chapter 0, first to last, as the reader turns them."""
    pages = []
    ref: PageRef | None = book.first_of(0)
    while ref is not None:
        pages.append((ref, book.page(ref)))
        ref = book.next(ref)
    return pages


def shown_between(chapter: Chapter, hide: frozenset[str], start: int, end: int) -> str:
    """The text shown (blocks not hidden, white space left out) in ``[start, end)``."""
    parts = []
    for block, at in zip(chapter.blocks, chapter.block_starts, strict=True):
        if block.kind not in hide:
            parts.append(chapter.text[max(start, at) : min(end, at + len(block.text))])
    return _non_space("".join(parts))


def is_full(page: Page, following: Line, chapter: Chapter, height: int, indent: int) -> bool:
    """Nothing more fits: the next page's first line (after a blank row between blocks) would not."""
    last = page.lines[-1]
    gap = 0
    if following.block != last.block:
        kinds = chapter.blocks[last.block].kind, chapter.blocks[following.block].kind
        gap = 0 if indent and kinds == ("paragraph", "paragraph") else 1
    return len(page.lines) + gap + 1 > height


@settings(max_examples=300, deadline=None)
@given(
    chapter=CHAPTER,
    width=st.integers(min_value=2, max_value=40),
    height=st.integers(min_value=1, max_value=12),
    chunk=st.integers(min_value=1, max_value=3000),
    hide=st.sampled_from([frozenset(), frozenset({"note"})]),
    indent=st.sampled_from([0, 3]),
    opening=st.floats(min_value=0.0, max_value=1.0),
)
@example(  # opened past a hidden note that is all there is before: no empty page 0
    chapter=Chapter("C", [Block("note", "n " * 30), Block("paragraph", "word " * 30)]),
    width=10,
    height=3,
    chunk=1,
    hide=frozenset({"note"}),
    indent=0,
    opening=0.1,  # inside the note
)
@example(  # opened in a hidden note between two scene breaks: the opening page is the second's
    chapter=Chapter("C", [Block("scene_break", ""), Block("note", "a"), Block("scene_break", "")]),
    width=2,
    height=3,
    chunk=1,
    hide=frozenset({"note"}),
    indent=0,
    opening=0.5,
)
@example(  # opened on a paragraph's leading space, which is not shown: its page, not the one before
    chapter=Chapter("C", [Block("paragraph", "a"), Block("paragraph", " aa"), Block("paragraph", "aaaa")]),
    width=2,
    height=2,
    chunk=1,
    hide=frozenset(),
    indent=3,
    opening=0.25,
)
def test_no_page_is_short_but_the_last_and_the_one_before_the_opening_place(
    chapter: Chapter, width: int, height: int, chunk: int, hide: frozenset[str], indent: int, opening: float
) -> None:
    story = Story("s", "S", "", [chapter])
    offset = int(len(chapter.text) * opening)
    book = StoryLayout(story, width, height, hide, indent, chunk=chunk)
    opened = book.page_for(0, offset)
    pages = walk(book)
    refs = [ref for ref, _ in pages]
    assert opened in refs
    opened_at = refs.index(opened)
    for i, ((_, page), (_, following)) in enumerate(zip(pages, pages[1:], strict=False)):
        assert 1 <= len(page.lines) <= height
        assert page.lines[0].kind != "blank"
        if i != opened_at - 1:
            assert is_full(page, following.lines[0], chapter, height, indent), (i, opened_at, len(pages))
    # Every shown character once, in order; the opening page holds the opening place.
    shown = "".join(chapter.text[line.start : line.end] for _, page in pages for line in page.lines)
    visible = "".join(block.text for block in chapter.blocks if block.kind not in hide)
    assert _non_space(shown) == _non_space(visible)
    starts = [page.start for _, page in pages]
    assert starts == sorted(starts)
    assert opened_at == len(pages) - 1 or offset < starts[opened_at + 1]
    assert not shown_between(chapter, hide, offset, starts[opened_at])  # no text skipped
    # Page numbers, once counted, are exact and count the pages walked.
    layout = book.chapter(0)
    assert layout.page_number(*opened[1:]) == (opened_at + 1, len(pages), True)


@settings(max_examples=100, deadline=None)
@given(
    chapter=CHAPTER,
    width=st.integers(min_value=2, max_value=40),
    height=st.integers(min_value=1, max_value=12),
    chunk=st.integers(min_value=1, max_value=3000),
    indent=st.sampled_from([0, 3]),
)
def test_opened_at_the_start_the_pages_are_those_of_the_chapter_laid_out_at_once(
    chapter: Chapter, width: int, height: int, chunk: int, indent: int
) -> None:
    book = StoryLayout(Story("s", "S", "", [chapter]), width, height, indent=indent, chunk=chunk)
    book.page_for(0, 0)
    whole = paginate(chapter, 0, len(chapter.blocks), width, height, indent=indent)
    assert [page for _, page in walk(book)] == whole


def test_a_4mb_chapter_opened_half_way_lays_out_a_chunk_and_counts_the_rest_in_a_thread() -> None:
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod " * 8).strip()
    chapter = Chapter("Long", [Block("paragraph", f"{i} {words}") for i in range(8000)])
    book = StoryLayout(Story("s", "S", "", [chapter]), 70, 28)
    layout = book.chapter(0)
    middle = len(chapter.text) // 2
    opened = book.page_for(0, middle)
    laid = sum(len(flow.pages) for flow in layout.flows)
    assert opened.part == 1 and 0 < laid < 200  # a chunk, not the two megabytes before it
    counting = threading.Thread(target=layout.lay_out_all)
    counting.start()
    ref: PageRef | None = opened
    for _ in range(300):  # the reader turns pages while the worker counts them
        assert ref is not None
        ref = book.next(ref)
    counting.join()
    assert layout.complete
    walked = walk(book)
    assert [page for _, page in walked][:-1] and all(
        len(page.lines) >= 27 for i, (ref, page) in enumerate(walked[:-1]) if walked[i + 1][0] != opened
    )
