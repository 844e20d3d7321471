from __future__ import annotations

import pytest

from reader.formats.structure import Para, build_chapters, heading_title, is_scene_break, looks_like_note


@pytest.mark.parametrize(
    "line",
    [
        "Chapter 12",
        "Chapter Twelve: The Long Night",
        "CHAPTER XII",
        "Ch. 3 - Title",
        "Prologue",
        "Epilogue",
        "Part Two",
        "Chapter 1: Undeliverable",
        "CHAPTER IV. THE RETURN",
        "Interlude: What the Ink Remembers",
        "Глава 1. Письмо, которое вернулось",
        "Chapter 5.",
    ],
)
def test_chapter_headings(line: str) -> None:
    assert heading_title(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "Chapter and verse, she could quote the whole rulebook.",
        "Chapter 4 is about half written and should be up next week.",
        "Prologue aside, the book was dull.",
        "Part of me wanted to stay.",
        "Chapter 3. She ran out of the house and did not stop until she reached the river, breathless.",
        "chapters",
    ],
)
def test_sentences_that_start_like_headings_are_prose(line: str) -> None:
    assert heading_title(line) is None


@pytest.mark.parametrize(
    "line", ["* * *", "~~~", "xXx", "oOo", "---", "+++", "***", "-oOo-", "XxXxX", "line break", "~*~*~"]
)
def test_scene_breaks(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["ooo", "Oh.", "...", "xxx", "No.", "— Yes —", "Xo"])
def test_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line) or line == "..."


@pytest.mark.parametrize(
    "text",
    [
        "A/N: Thanks for reading!",
        "AN: Hello again",
        "Author's Note: Sorry for the wait.",
        "Author’s Note: Sorry.",
        "Disclaimer: I own nothing.",
        "End A/N",
        "(A/N: quick note)",
        "DISCLAIMER - not mine",
    ],
)
def test_notes(text: str) -> None:
    assert looks_like_note(text)


@pytest.mark.parametrize(
    "text",
    [
        "An hour later, she left.",
        "The disclaimer on the box said nothing useful.",
        "Disclaimers are for cowards, he said.",
        "Annotations covered the page.",
        "Anne laughed.",
    ],
)
def test_prose_that_mentions_notes_stays_prose(text: str) -> None:
    assert not looks_like_note(text)


def _paras(*texts: str, gaps: dict[int, int] | None = None) -> list[Para]:
    gaps = gaps or {}
    return [Para(t, gaps.get(i, 1)) for i, t in enumerate(texts)]


def test_chapters_notes_and_breaks_from_plain_paragraphs() -> None:
    paras = _paras(
        "Disclaimer: the show belongs to its creators.",
        "Chapter 1: Arrival",
        "A/N: First chapter!",
        "She came in.",
        "* * *",
        "He left.",
        "Later, after a long gap.",
        "A/N: See you next week.",
        "Chapter 2: Departure",
        "They met again.",
        gaps={6: 3},
    )
    chapters = build_chapters(paras, "Story")
    assert [c.title for c in chapters] == ["Chapter 1: Arrival", "Chapter 2: Departure"]
    kinds = [b.kind for b in chapters[0].blocks]
    assert kinds == [
        "note",
        "heading",
        "note",
        "paragraph",
        "scene_break",
        "paragraph",
        "scene_break",
        "paragraph",
        "note",
    ]


def test_a_note_in_the_middle_of_a_chapter_stays_prose() -> None:
    body = [f"Paragraph {i}." for i in range(10)]
    body[5] = "A/N: this is not near an edge"
    chapters = build_chapters(_paras("Chapter 1", *body), "S")
    assert chapters[0].blocks[6].kind == "paragraph"


def test_text_without_headings_is_one_chapter_named_after_the_story() -> None:
    chapters = build_chapters(_paras("One.", "Two."), "My Story")
    assert len(chapters) == 1 and chapters[0].title == "My Story"


def test_double_spaced_text_does_not_turn_every_gap_into_a_break() -> None:
    paras = _paras("One.", "Two.", "Three.", "Four.", gaps={1: 2, 2: 2, 3: 2})
    assert [b.kind for b in build_chapters(paras, "S")[0].blocks] == ["paragraph"] * 4


def test_a_huge_paragraph_is_cut_at_spaces_and_keeps_every_word() -> None:
    from reader.formats.structure import MAX_BLOCK_CHARS

    text = " ".join(f"w{i}" for i in range(30_000))
    (chapter,) = build_chapters([Para(text)], "S")
    assert len(chapter.blocks) > 5
    assert all(len(b.text) <= MAX_BLOCK_CHARS for b in chapter.blocks)
    assert " ".join(b.text for b in chapter.blocks) == text


def test_a_huge_word_is_cut_anyway() -> None:
    from reader.formats.structure import MAX_BLOCK_CHARS

    (chapter,) = build_chapters([Para("x" * (MAX_BLOCK_CHARS * 3 + 5))], "S")
    assert [len(b.text) for b in chapter.blocks] == [MAX_BLOCK_CHARS] * 3 + [5]
