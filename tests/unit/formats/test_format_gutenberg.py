"""Project Gutenberg's plain texts: made-up books in each header generation and heading style.

The files in ``tests/fixtures/gutenberg`` are original writing laid out by Gutenberg's
conventions; what each must read as is written out here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from reader.formats import load_story
from reader.formats.gutenberg import heading_of
from reader.model import Story

FIXTURES = ROOT / "tests" / "fixtures" / "gutenberg"

#: file → (id, title, author, language, released, chapter titles)
BOOKS = {
    "small_print_1990s.txt": (
        "gutenberg:4242",
        "The Lamplighter's Ledger",
        "Agnes Thorne",
        None,
        None,
        ["Chapter I. The First Lamp", "Chapter II. A Wick Too Short", "Chapter III. Oil and Weather"],
    ),
    "this_ebook_2000s.txt": (
        "gutenberg:31415",
        "The Salt Road",
        "Morwen Hale",
        "English",
        "March 3, 2009",
        ["I. The Marsh", "II. The Carters", "III. The Toll-House", "IV. The Sea"],
    ),
    "the_ebook_2020s.txt": (
        "gutenberg:72718",
        "Letters from the Lower Deck With a Note on the Weather",
        "Captain Ilse Varnum",
        "English",
        "January 9, 2024",
        ["Letter 1", "Letter 2", "Letter 3"],
    ),
    "play_acts_scenes.txt": (
        "gutenberg:65432",
        "The Borrowed Crown",
        "Perrin Ashdown",
        "English",
        "May 5, 2021",
        [
            "First Act, Scene 1. A cloakroom in the palace",
            "First Act, Scene 2. The throne room",
            "Second Act, Scene 1. The cloakroom again",
        ],
    ),
    "books_and_staves.txt": (
        "gutenberg:38001",
        "A Winter Almanac",
        "Rosalind Pike",
        "English",
        "December 1, 2011",
        [
            "Book I, Stave One. The First Frost",
            "Book I, Stave Two. The Pond",
            "Book II, Stave Three. The Drip",
        ],
    ),
    "chapter_styles.txt": (
        "gutenberg:57001",
        "The Clockmaker's Apprentice",
        "Jonah Reed",
        "English",
        "August 8, 2018",
        [
            "Preface",
            "Chapter 1. The Wrong Hour",
            "Chapter II. The Pendulum",
            "Chapter XII. A Gap In The Numbers",
            "Chapter 13. Thirteen O'Clock",
        ],
    ),
}


def all_text(story: Story) -> str:
    return "\n".join(block.text for chapter in story.chapters for block in chapter.blocks)


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_gutenberg_books(name: str) -> None:
    ident, title, author, language, released, chapters = BOOKS[name]
    story = load_story(FIXTURES / name)
    assert story.id == ident
    assert (story.title, story.author) == (title, author)
    assert story.metadata.get("language") == language
    assert story.metadata.get("released") == released
    assert story.metadata["source_url"] == f"https://www.gutenberg.org/ebooks/{ident.split(':')[1]}"
    assert [c.title for c in story.chapters] == chapters
    text = all_text(story)
    # Nothing of the header, the licence or the markers is story text.
    for outside in ("stand-in", "PROJECT GUTENBERG", "Project Gutenberg", "***", "SMALL PRINT", "Release"):
        assert outside not in text
    # Each chapter holds text, and the headings are not doubled by their names or broken by gaps.
    for chapter in story.chapters:
        assert any(block.kind == "paragraph" for block in chapter.blocks)
        assert chapter.blocks[0].kind in ("heading", "note")
        kinds = [block.kind for block in chapter.blocks]
        assert "scene_break" not in kinds[: kinds.index("heading") + 2]


def test_contents_list_names_chapters_and_is_not_text() -> None:
    story = load_story(FIXTURES / "small_print_1990s.txt")
    text = all_text(story)
    assert "CONTENTS" not in text and text.count("The First Lamp") == 1
    first = story.chapters[0]
    assert [b.kind for b in first.blocks[:3]] == ["note", "note", "heading"]  # the title page: notes


def test_headings_without_names_take_them_from_the_contents(tmp_path: Path) -> None:
    book = (FIXTURES / "small_print_1990s.txt").read_text(encoding="utf-8")
    for name in ("The First Lamp", "A Wick Too Short", "Oil and Weather"):
        book = book.replace(f"\n\n{name}\n\n\n", "\n\n\n", 1)  # the name under the heading goes
    path = tmp_path / "ledger.txt"
    path.write_text(book, encoding="utf-8")
    story = load_story(path)
    assert [c.title for c in story.chapters] == BOOKS["small_print_1990s.txt"][5]


def test_a_long_contents_list_is_no_chapters(tmp_path: Path) -> None:
    numerals = [f"CHAPTER {n}." for n in range(1, 121)]
    contents = "\n".join(f"{label} A Name For Part {n}" for n, label in enumerate(numerals, 1))
    chapters = "\n\n\n".join(
        f"{label}\n\nA Name For Part {n}\n\nThe walkers reached milestone {n} and rested there for an hour,"
        " talking about nothing in particular, before they went on along the road towards the next one."
        for n, label in enumerate(numerals, 1)
    )
    book = (
        "The Project Gutenberg eBook of Milestones\n\nTitle: Milestones\n\nAuthor: A. Walker\n\n"
        "Release date: April 1, 2020 [eBook #99999]\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK MILESTONES ***\n\nMILESTONES\n\n\nCONTENTS\n\n"
        f"{contents}\n\n\n\n{chapters}\n\n*** END OF THE PROJECT GUTENBERG EBOOK MILESTONES ***\n"
    )
    path = tmp_path / "milestones.txt"
    path.write_text(book, encoding="utf-8")
    story = load_story(path)
    assert len(story.chapters) == 120
    assert story.chapters[0].title == "Chapter 1. A Name For Part 1"
    assert story.chapters[-1].title == "Chapter 120. A Name For Part 120"
    assert all(sum(b.kind == "paragraph" for b in c.blocks) == 1 for c in story.chapters)


def test_italic_underscores_are_emphasis() -> None:
    story = load_story(FIXTURES / "this_ebook_2000s.txt")
    block = next(b for b in story.chapters[0].blocks if b.text.startswith("Salt,"))
    assert block.spans and block.spans[0].style == "italic"
    assert block.text[block.spans[0].start : block.spans[0].end] == "Salt"


def test_credits_and_title_page_are_notes() -> None:
    story = load_story(FIXTURES / "this_ebook_2000s.txt")
    notes = [b.text for b in story.chapters[0].blocks if b.kind == "note"]
    assert notes == ["Produced by A Volunteer Who Likes Salt", "THE SALT ROAD"]


def test_prose_that_starts_like_a_heading_stays_prose() -> None:
    story = load_story(FIXTURES / "books_and_staves.txt")
    last = story.chapters[-1]
    starts = [b.text.split()[0] for b in last.blocks if b.kind == "paragraph"]
    assert starts == ["Then", "Chapter", "I", "Part"]


@pytest.mark.parametrize(
    ("line", "label", "title", "level"),
    [
        ("CHAPTER I.", "Chapter I", "", 2),
        ("Chapter 1", "Chapter 1", "", 2),
        ("CHAPTER XII", "Chapter XII", "", 2),
        ("CHAPTER IV. THE RETURN", "Chapter IV", "THE RETURN", 2),
        ("Chapter 7: A Quiet Week", "Chapter 7", "A Quiet Week", 2),
        ("Chapter the First", "Chapter The First", "", 2),
        ("            CHAPTER  IX.", "Chapter IX", "", 2),
        ("XIV.", "XIV", "", 2),
        ("                 23", "23", "", 2),
        ("VII. THE LAST DAY", "VII", "THE LAST DAY", 2),
        ("LETTER 1", "Letter 1", "", 2),
        ("Letter IV.", "Letter IV", "", 2),
        ("STAVE ONE.", "Stave One", "", 2),
        ("STAVE III: THE END OF IT", "Stave III", "THE END OF IT", 2),
        ("BOOK II", "Book II", "", 1),
        ("PART THREE", "Part Three", "", 1),
        ("VOLUME I.", "Volume I", "", 1),
        ("ACT V", "Act V", "", 1),
        ("FIRST ACT", "First Act", "", 1),
        ("SCENE 2. A garden.", "Scene 2", "A garden", 2),
        ("PREFACE", "Preface", "", 2),
        ("EPILOGUE", "Epilogue", "", 2),
    ],
)
def test_heading_styles(line: str, label: str, title: str, level: int) -> None:
    heading = heading_of(line)
    assert heading is not None
    assert (heading.label, heading.title, heading.level) == (label, title, level)


@pytest.mark.parametrize(
    "line",
    [
        "Chapter and verse were quoted at the vicar.",
        "I remember that spring better than any other.",
        "I went home.",
        "Part of the trouble was that nobody wanted to be first.",
        "Book one of the trilogy sat unread on the shelf.",
        "Act one went well enough, all things considered.",
        "Letter by letter he spelled it out.",
        "Scene after scene of the same quarrel.",
        "1984 was a long year for everyone.",
        "12 men stood at the gate.",
        "Prologues are for people who cannot wait.",
        "Chapter 3. She ran to the door and she did not look back at any of them.",
        "CHAPTER I was the hardest to write, she said?",
        "X marks the spot, said the map.",
        "",
    ],
)
def test_prose_is_no_heading(line: str) -> None:
    assert heading_of(line) is None


def test_bare_numerals_count_only_when_the_book_has_several(tmp_path: Path) -> None:
    book = (
        "The Project Gutenberg eBook of One\n\nTitle: One\n\nAuthor: Someone\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK ONE ***\n\n"
        "The morning was long, and the afternoon longer still, and the evening, when it came at last,"
        " was the longest of the three by a wide margin.\n\nII.\n\nThat was all.\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK ONE ***\n"
    )
    path = tmp_path / "one.txt"
    path.write_text(book, encoding="utf-8")
    story = load_story(path)
    assert len(story.chapters) == 1 and not story.id.startswith("gutenberg:")  # no ebook number
    assert "II." in all_text(story)


def test_text_that_only_mentions_gutenberg_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "essay.txt"
    path.write_text(
        "Title: On Archives\nAuthor: Ada\n\nI once read a Project Gutenberg book on a train.\n\n"
        "Chapter 1\n\nIt was a long train.\n",
        encoding="utf-8",
    )
    story = load_story(path)
    assert story.title == "On Archives" and not story.id.startswith("gutenberg:")
