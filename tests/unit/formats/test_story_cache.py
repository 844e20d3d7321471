"""A story opened again is read from the cache of parsed stories, never a stale one."""

from __future__ import annotations

import marshal
from pathlib import Path

from reader.formats import load_story, open_story, story_cache
from reader.model import Story


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_story_parsed_once_is_kept_and_read_back_equal(tmp_path: Path) -> None:
    book = _write(tmp_path / "book.txt", "Title: Kept\n\nOne *two* three.\n\nFour five.\n")
    story, keep = open_story(book, tmp_path)
    assert keep is not None
    story.id = "changed by the reading screen"  # what was kept is the story as parsed
    keep()
    again, keep_again = open_story(book, tmp_path)
    assert keep_again is None  # from the cache
    assert again == load_story(book, tmp_path) and again.chapters[0].text == story.chapters[0].text


def test_a_changed_file_or_sidecar_is_parsed_again(tmp_path: Path) -> None:
    book = _write(tmp_path / "book.txt", "First words.\n")
    _, keep = open_story(book, tmp_path)
    assert keep is not None
    keep()
    _write(book, "Other words, longer.\n")
    story, keep = open_story(book, tmp_path)
    assert keep is not None and "Other" in story.chapters[0].text
    keep()
    _write(tmp_path / "book.yaml", "title: From the sidecar\n")
    story, keep = open_story(book, tmp_path)
    assert keep is not None and story.title == "From the sidecar"


def test_a_damaged_or_foreign_entry_is_a_miss_never_an_error(tmp_path: Path) -> None:
    book = _write(tmp_path / "book.txt", "Words here.\n")
    _, keep = open_story(book, tmp_path)
    assert keep is not None
    keep()
    (entry,) = story_cache.folder().glob("*.story")
    entry.write_bytes(b"not a pickle")
    assert open_story(book, tmp_path)[1] is not None
    made = story_cache.key(book, tmp_path)
    entry.write_bytes(
        marshal.dumps((made, ("id", "t", "a", {}, "", "utf-8", [("c", "short", ["paragraph"], [99], {})])))
    )
    story, keep = open_story(book, tmp_path)  # blocks that do not add up to the text: parsed
    assert isinstance(story, Story) and keep is not None and "Words here." in story.chapters[0].text
