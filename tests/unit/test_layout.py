from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.layout import StoryLayout, paginate, wrap
from reader.layout.wrap import _python_wrap
from reader.model import Block, Chapter, Story

WORDS = st.text(
    alphabet=st.sampled_from(
        list("abcdefghij ") + ["漢", "字", "😀", "é", "—", "“", "”", "…", "\u3000", "\u0301"]
    ),
    min_size=0,
    max_size=300,
)


def _non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


@given(text=WORDS, width=st.integers(min_value=2, max_value=80))
def test_wrap_keeps_every_character_once_in_order_and_fits(text: str, width: int) -> None:
    lines = wrap(text, width)
    previous_end = 0
    for start, end in lines:
        assert previous_end <= start < end <= len(text)
        assert cell_len(text[start:end]) <= width
        assert text[previous_end:start].strip() == ""  # only white space is dropped
        previous_end = end
    assert text[previous_end:].strip() == ""
    assert _non_space("".join(text[s:e] for s, e in lines)) == _non_space(text)


def _chapter(texts: list[str]) -> Chapter:
    kinds = ["heading"] + ["paragraph"] * (len(texts) - 1)
    return Chapter(
        "T",
        [
            Block("scene_break" if t == "*" else k, "" if t == "*" else t)
            for k, t in zip(kinds, texts, strict=True)
        ],
    )


PARAGRAPHS = st.lists(st.one_of(WORDS.filter(lambda t: t.strip()), st.just("*")), min_size=1, max_size=25)


@settings(max_examples=150)
@given(
    texts=PARAGRAPHS,
    width=st.integers(min_value=2, max_value=60),
    height=st.integers(min_value=1, max_value=30),
)
def test_pages_cover_the_chapter_once_and_fit(texts: list[str], width: int, height: int) -> None:
    chapter = _chapter(texts)
    pages = paginate(chapter, 0, len(chapter.blocks), width, height)
    seen = []
    for page in pages:
        assert 1 <= len(page.lines) <= height
        assert page.lines[0].kind != "blank"
        for line in page.lines:
            assert cell_len(chapter.text[line.start : line.end]) <= width
            seen.append(chapter.text[line.start : line.end])
    assert _non_space("".join(seen)) == _non_space(chapter.text)
    starts = [page.start for page in pages]
    assert starts == sorted(starts)


@settings(max_examples=100)
@given(
    texts=PARAGRAPHS,
    width=st.integers(min_value=2, max_value=60),
    height=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_page_for_an_offset_contains_it(
    texts: list[str], width: int, height: int, data: st.DataObject
) -> None:
    chapter = _chapter(texts)
    story = Story("s", "S", "", [chapter])
    book = StoryLayout(story, width, height)
    text = chapter.text
    visible = [i for i, c in enumerate(text) if not c.isspace()]
    if not visible:
        return
    offset = data.draw(st.sampled_from(visible))
    page = book.page(book.page_for(0, offset))
    assert any(line.start <= offset < line.end for line in page.lines if line.kind != "blank")


def test_long_chapter_laid_out_in_small_chunks_walks_through_every_page() -> None:
    paragraph = "word " * 40
    chapter = Chapter("Long", [Block("paragraph", f"{i} {paragraph}".strip()) for i in range(60)])
    book = StoryLayout(Story("s", "S", "", [chapter]), 30, 8, chunk=500)
    ref = book.page_for(0, 0)
    seen = []
    while ref is not None:
        seen.extend(chapter.text[line.start : line.end] for line in book.page(ref).lines)
        ref = book.next(ref)
    assert _non_space("".join(seen)) == _non_space(chapter.text)
    n, m, exact = book.chapter(0).page_number(*book.chapter(0).page_for(len(chapter.text) - 1))
    assert (n, exact) == (m, True)


def test_page_numbers_are_estimated_until_every_page_is_laid_out() -> None:
    chapter = Chapter("Long", [Block("paragraph", "word " * 3000) for _ in range(60)])
    chapter_layout = StoryLayout(Story("s", "S", "", [chapter]), 40, 10).chapter(0)
    section, index = chapter_layout.page_for(len(chapter.text) // 2)
    n, m, exact = chapter_layout.page_number(section, index)
    assert not exact and 1 < n < m
    chapter_layout.lay_out_all()
    n2, m2, exact2 = chapter_layout.page_number(section, index)
    assert exact2 and abs(n2 - n) <= m2 // 10 and abs(m2 - m) <= m2 // 10


def test_previous_from_a_chapter_start_goes_to_the_last_page_of_the_chapter_before() -> None:
    first = Chapter("One", [Block("paragraph", "alpha " * 200)])
    second = Chapter("Two", [Block("paragraph", "beta " * 10)])
    book = StoryLayout(Story("s", "S", "", [first, second]), 30, 5)
    back = book.previous(book.first_of(1))
    assert back == book.last_of(0)
    assert book.next(back) == book.first_of(1)
    assert book.previous(book.first_of(0)) is None
    assert book.next(book.last_of(1)) is None


@given(text=st.text(alphabet=st.sampled_from(list("abcde .,;-")), max_size=400), width=st.integers(2, 50))
def test_the_fast_ascii_wrap_matches_the_general_one(text: str, width: int) -> None:
    assert wrap(text, width) == _python_wrap(text, width)


def test_hidden_notes_take_no_rows_and_keep_their_text_out() -> None:
    chapter = Chapter(
        "C",
        [Block("heading", "C"), Block("note", "A/N: hello readers"), Block("paragraph", "Story text.")],
    )
    shown = paginate(chapter, 0, 3, 40, 10)
    hidden = paginate(chapter, 0, 3, 40, 10, frozenset({"note"}))
    assert [line.kind for line in shown[0].lines] == ["heading", "blank", "note", "blank", "paragraph"]
    assert [line.kind for line in hidden[0].lines] == ["heading", "blank", "paragraph"]


@settings(max_examples=100)
@given(
    texts=PARAGRAPHS,
    width=st.integers(min_value=6, max_value=60),
    height=st.integers(min_value=1, max_value=30),
)
def test_indented_paragraphs_cover_the_chapter_and_leave_room_for_the_indent(
    texts: list[str], width: int, height: int
) -> None:
    chapter = _chapter(texts)
    pages = paginate(chapter, 0, len(chapter.blocks), width, height, indent=3)
    seen = []
    for page in pages:
        for line in page.lines:
            used = cell_len(chapter.text[line.start : line.end])
            first = line.kind == "paragraph" and line.start == chapter.block_starts[line.block]
            assert used + (3 if first else 0) <= width
            seen.append(chapter.text[line.start : line.end])
    assert _non_space("".join(seen)) == _non_space(chapter.text)


def test_indented_paragraphs_have_no_blank_line_between_them() -> None:
    chapter = Chapter(
        "C",
        [
            Block("heading", "C"),
            Block("paragraph", "One."),
            Block("paragraph", "Two."),
            Block("scene_break", ""),
        ],
    )
    (page,) = paginate(chapter, 0, 4, 40, 20, indent=3)
    assert [line.kind for line in page.lines] == [
        "heading",
        "blank",
        "paragraph",
        "paragraph",
        "blank",
        "scene_break",
    ]
