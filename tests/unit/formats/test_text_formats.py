"""FanFicFare's txt, story folders, sidecar YAML files and bad input in the library."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.formats import StoryError, load_story
from reader.library.listing import story_files
from reader.library.scanning import scan

FANFICFARE_TXT = """


The Orchard Keepers

by moss_and_lantern



Category: Lanternfall (TV)
Genre: Friendship, Adventure
Language: English
Characters: Ida Marsh, Tomas Wren
Status: In-Progress
Published: 2026-03-01
Updated: 2026-04-12
Packaged: 2026-04-13 10:00:00
Rating: K+
Chapters: 2
Words: 60
Publisher: www.example-fanfic-archive.org
Story URL: https://www.example-fanfic-archive.org/s/4242/1/
Author URL: https://www.example-fanfic-archive.org/u/77/
Summary: Ida inherits an orchard that hums at night, and Tomas is sure it is
the wiring. It is not the wiring.



TABLE OF CONTENTS

The Humming Trees

Chapter Two: Frost


\tThe Humming Trees

A/N: First chapter, be kind.

Ida walked the rows at dusk. The trees were _definitely_ humming, and the
sound was **louder** near the old well.

Chapter 3 of the manual said nothing about it.


\tChapter Two: Frost

Frost came early, silver on every branch.

* * *

Tomas brought a lamp.


End file.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_fanficfare_txt(tmp_path: Path) -> None:
    story = load_story(write(tmp_path / "orchard.txt", FANFICFARE_TXT), tmp_path)
    assert (story.title, story.author) == ("The Orchard Keepers", "moss_and_lantern")
    assert story.id == "https://www.example-fanfic-archive.org/s/4242/1/"
    meta = story.metadata
    assert meta["fandom"] == ["Lanternfall (TV)"]
    assert meta["characters"] == ["Ida Marsh", "Tomas Wren"]
    assert meta["status"] == "In-Progress" and meta["rating"] == "K+"
    assert meta["summary"].endswith("is the wiring. It is not the wiring.")
    assert [c.title for c in story.chapters] == ["The Humming Trees", "Chapter Two: Frost"]
    first = story.chapters[0].blocks
    assert [b.kind for b in first] == ["heading", "note", "paragraph", "paragraph"]
    assert "TABLE OF CONTENTS" not in "".join(c.text for c in story.chapters)
    assert "End file." not in story.chapters[-1].text
    prose = first[2]
    assert "_" not in prose.text and "**" not in prose.text
    assert [(prose.text[s.start : s.end], s.style) for s in prose.spans] == [
        ("definitely", "italic"),
        ("louder", "bold"),
    ]
    assert first[3].text.startswith("Chapter 3 of the manual")  # prose, not a heading
    assert [b.kind for b in story.chapters[1].blocks] == ["heading", "paragraph", "scene_break", "paragraph"]


def test_a_text_file_whose_first_line_is_a_label_is_not_fanficfare(tmp_path: Path) -> None:
    story = load_story(write(tmp_path / "s.txt", "Title: X\n\nby the sea we walked.\n\nMore.\n"))
    assert story.title == "S" and story.chapters[0].blocks[0].text == "Title: X"


def test_sidecar_yaml_overrides_metadata(tmp_path: Path) -> None:
    path = write(tmp_path / "tale.txt", "Title: Old Name\nAuthor: someone\n\nText here.\n")
    write(
        tmp_path / "tale.yaml",
        "title: New Name\nmetadata:\n  fandom: [A, B]\n  summary: Short.\nurl: https://x.org/1\n",
    )
    story = load_story(path, tmp_path)
    assert (story.title, story.author) == ("New Name", "someone")
    assert story.metadata["fandom"] == ["A", "B"] and story.metadata["summary"] == "Short."
    assert story.id == "https://x.org/1"
    assert [p.name for p in story_files(tmp_path)] == ["tale.txt"]  # the .yaml is not a story


def test_a_broken_sidecar_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "tale.txt", "Text.\n")
    write(tmp_path / "tale.yaml", "title: [unclosed\n")
    with pytest.raises(StoryError, match="tale.yaml: not valid YAML"):
        load_story(path)


def test_story_folder_in_natural_order_with_story_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "lib" / "long-road"
    for n in (1, 2, 10):
        write(folder / f"{n:d}.txt", f"Text of part {n}.\n")
    write(folder / "story.yaml", "title: The Long Road\nauthor: pen\nmetadata: {status: Complete}\n")
    (entry,) = scan(tmp_path / "lib")
    assert entry.error is None and entry.title == "The Long Road" and entry.author == "pen"
    story = load_story(folder, tmp_path / "lib")
    assert [c.title for c in story.chapters] == ["Chapter 1", "Chapter 2", "Chapter 10"]
    assert story.chapters[2].blocks[1].text == "Text of part 10."
    from reader.formats.fingerprint import folder_fingerprint

    assert story.id == f"md5:{folder_fingerprint(folder)}"


def test_story_folder_chapter_order_from_story_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "tale"
    write(folder / "b.md", "# Second\n\nB text.\n")
    write(folder / "a.md", "# First\n\nA text.\n")
    write(folder / "story.yaml", "chapters: [b.md, a.md]\n")
    story = load_story(folder)
    assert [c.title for c in story.chapters] == ["Second", "First"]


def test_folder_of_separate_stories_is_not_a_story_folder(tmp_path: Path) -> None:
    write(tmp_path / "fandom" / "first-story.txt", "One.\n")
    write(tmp_path / "fandom" / "other-story.txt", "Two.\n")
    assert [p.name for p in story_files(tmp_path)] == ["first-story.txt", "other-story.txt"]


def test_bad_files_in_a_library_are_marked_and_the_rest_is_listed(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "good.txt", "A fine story.\n")
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "binary.txt", bytes(range(256)) * 40)
    write(tmp_path / "latin.txt", "caf\xe9 \x93quoted\x94 \xff\xfe bytes".encode("latin-1"))
    os.symlink(tmp_path / "loop-b.txt", tmp_path / "loop-a.txt")
    os.symlink(tmp_path / "loop-a.txt", tmp_path / "loop-b.txt")
    os.symlink(tmp_path, tmp_path / "link-to-self")  # a folder link: not followed
    locked = write(tmp_path / "locked.txt", "secret\n")
    real_open = os.open

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if os.fspath(path).endswith("locked.txt"):  # chmod 000 means nothing to root, so refuse here
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    entries = {e.path.name: e for e in scan(tmp_path)}
    assert entries["good.txt"].error is None
    assert entries["latin.txt"].error is None  # invalid UTF-8 falls back to Windows-1252
    assert "empty" in (entries["empty.txt"].error or "")
    assert "binary" in (entries["binary.txt"].error or "")
    assert "symbolic links" in (entries["loop-a.txt"].error or "")
    assert "Permission denied" in (entries["locked.txt"].error or "")
    assert locked.exists() and "link-to-self" not in entries


def test_fifty_megabytes_with_no_line_breaks_opens(tmp_path: Path) -> None:
    from reader.layout import StoryLayout

    words = ("lorem ipsum dolor sit amet " * 2_000_000)[: 50 * 2**20]
    story = load_story(write(tmp_path / "wall.txt", words))
    assert len(story.chapters) == 1 and len(story.chapters[0].blocks) > 2_000
    book = StoryLayout(story, 70, 20)
    page = book.page(book.page_for(0, len(story.chapters[0].text) // 2))
    assert page.lines and all(line.end - line.start <= 70 for line in page.lines)


def test_plain_text_emphasis_becomes_italic_and_bold(tmp_path: Path) -> None:
    story = load_story(
        write(tmp_path / "e.txt", "She said *no*, and **meant** it.\n\n* * *\n\nfile_name_here stays.\n")
    )
    first, scene_break, last = story.chapters[0].blocks
    assert first.text == "She said no, and meant it."
    assert [(first.text[s.start : s.end], s.style) for s in first.spans] == [
        ("no", "italic"),
        ("meant", "bold"),
    ]
    assert scene_break.kind == "scene_break" and last.text == "file_name_here stays."
