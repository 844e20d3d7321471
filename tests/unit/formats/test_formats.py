from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import SAMPLE

from reader.formats import StoryError, load_story
from reader.library.scanning import scan


def test_sample_library_has_six_stories_and_enough_words() -> None:
    entries = scan(SAMPLE)
    assert [e.error for e in entries if e.error] == []
    assert len(entries) >= 6
    assert sum(e.words for e in entries) >= 25_000


def test_sample_library_shows_what_the_issue_asks_for() -> None:
    stories = [load_story(p, SAMPLE) for p in sorted(SAMPLE.iterdir()) if p.suffix in (".txt", ".md")]
    encodings = {s.encoding for s in stories}
    assert "cp1252" in encodings
    assert any(s.path.endswith(".md") for s in stories)
    assert any(any("\u0400" <= ch <= "\u04ff" for ch in s.title) for s in stories)
    big = max(stories, key=lambda s: sum(1 for c in s.chapters if c.title.startswith("Chapter ")))
    assert len(big.chapters) >= 5
    kinds = {b.kind for c in big.chapters for b in c.blocks}
    assert kinds >= {"heading", "paragraph", "scene_break", "note"}
    text = "".join(c.text for c in big.chapters)
    for char in "…—“”":
        assert char in text


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_header_metadata_and_chapters(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.txt",
        (
            b"Title: The Story\nAuthor: someone\nFandom: A Show\nStatus: Complete\nStory URL: https://example.org/works/1\n\n"
            b"Chapter 1: Start\n\nHello\nwrapped line.\n\nChapter 2: End\n\nBye.\n"
        ),
    )
    story = load_story(path, tmp_path)
    assert (story.title, story.author) == ("The Story", "someone")
    assert story.metadata["fandom"] == ["A Show"]
    assert story.id == "https://example.org/works/1"
    assert [c.title for c in story.chapters] == ["Chapter 1: Start", "Chapter 2: End"]
    assert story.chapters[0].blocks[1].text == "Hello wrapped line."


def test_id_is_the_content_fingerprint_without_a_source(tmp_path: Path) -> None:
    from reader.formats.fingerprint import partial_md5

    (tmp_path / "sub").mkdir()
    path = write(tmp_path / "sub" / "my_story.txt", b"Just text.\n")
    story = load_story(path, tmp_path)
    assert story.id == f"md5:{partial_md5(path)}"  # never a file name: the same on every machine
    (tmp_path / "other").mkdir()
    elsewhere = write(tmp_path / "other" / "renamed.txt", b"Just text.\n")
    assert load_story(elsewhere, tmp_path / "other").id == story.id
    assert story.title == "My Story"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Caf\u00e9 \u201cquoted\u201d\r\n\r\nNext.".encode("cp1252"), "cp1252"),
        (codecs.BOM_UTF8 + "Caf\u00e9 \u201cquoted\u201d\n\nNext.".encode(), "utf-8-sig"),
        ("Caf\u00e9 \u201cquoted\u201d\n\nNext.".encode("utf-16"), "utf-16"),
        ("Caf\u00e9 \u201cquoted\u201d\n\nNext.".encode(), "utf-8"),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    story = load_story(write(tmp_path / "e.txt", data))
    assert story.encoding == encoding
    assert [b.text for b in story.chapters[0].blocks] == ["Caf\u00e9 \u201cquoted\u201d", "Next."]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"\n\n  \n", "empty"),
        ("binary.txt", bytes(range(256)) * 10, "binary"),
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
    ],
)
def test_bad_files_give_a_clear_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    with pytest.raises(StoryError, match=reason):
        load_story(write(tmp_path / name, data))


def test_an_unreadable_file_does_not_stop_the_library(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", b"Fine text.")
    write(tmp_path / "bad.txt", b"")
    entries = {e.path.name: e for e in scan(tmp_path)}
    assert entries["good.txt"].error is None
    assert "empty" in (entries["bad.txt"].error or "")


def test_markdown_front_matter_chapters_and_emphasis(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.md",
        (
            b"---\ntitle: Marked\nauthor: pen\nfandom: F\n---\n\n"
            b"## Chapter 1: One\n\nSome *italic* and **bold** text.\n\n"
            b"* * *\n\nAfter.\n\n## Chapter 2: Two\n\nEnd.\n"
        ),
    )
    story = load_story(path)
    assert (story.title, story.author, story.metadata["fandom"]) == ("Marked", "pen", ["F"])
    assert [c.title for c in story.chapters] == ["Chapter 1: One", "Chapter 2: Two"]
    block = story.chapters[0].blocks[1]
    assert block.text == "Some italic and bold text."
    assert [(block.text[s.start : s.end], s.style) for s in block.spans] == [
        ("italic", "italic"),
        ("bold", "bold"),
    ]
    assert story.chapters[0].blocks[2].kind == "scene_break"


def test_markdown_single_title_heading_over_chapters(tmp_path: Path) -> None:
    path = write(tmp_path / "m.md", b"# The Title\n\n## One\n\nA.\n\n## Two\n\nB.\n")
    story = load_story(path)
    assert story.title == "The Title"
    assert [c.title for c in story.chapters] == ["One", "Two"]
