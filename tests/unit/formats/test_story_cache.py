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


def test_blocks_read_back_are_made_when_wanted_and_read_as_the_list(tmp_path: Path) -> None:
    text = "".join(f"Paragraph {n} has *some* words.\n\n" for n in range(40)) + "* * *\n\nThe end.\n"
    book = _write(tmp_path / "book.md", text)
    story = load_story(book, tmp_path)
    blocks = story_cache.unpack(story_cache.pack(story)).chapters[0].blocks
    eager = story.chapters[0].blocks
    assert isinstance(blocks, story_cache.LazyBlocks)
    assert blocks._made.count(None) == len(eager)  # nothing made yet
    assert blocks[3] == eager[3] and blocks[3] is blocks[3] and blocks._made.count(None) == len(eager) - 1
    assert blocks[-1] == eager[-1] and blocks[-len(eager)] == eager[0]
    for wrong in (len(eager), -len(eager) - 1):
        try:
            blocks[wrong]
        except IndexError:
            pass
        else:
            raise AssertionError(f"blocks[{wrong}] did not raise IndexError")
    assert blocks[5:9] == eager[5:9] and blocks[::-7] == eager[::-7] and blocks[:0] == []
    assert blocks[3].spans and blocks[3].spans == eager[3].spans  # the italic words
    assert list(blocks) == eager and blocks == eager and eager == blocks and len(blocks) == len(eager)
    assert blocks + [eager[0]] == [*eager, eager[0]] and [eager[0]] + blocks == [eager[0], *eager]


def test_a_cache_entry_with_a_bad_block_kind_or_span_is_a_miss(tmp_path: Path) -> None:
    book = _write(tmp_path / "book.txt", "Words here.\n")
    made = story_cache.key(book, tmp_path)
    _, keep = open_story(book, tmp_path)
    assert keep is not None
    keep()
    (entry,) = story_cache.folder().glob("*.story")
    for chapter in (("c", "Words here.", [7], [11], {}), ("c", "Words here.", ["paragraph"], [11], {4: []})):
        entry.write_bytes(marshal.dumps((made, ("id", "t", "a", {}, "", "utf-8", [chapter]))))
        story, keep = open_story(book, tmp_path)  # checked as it is read back: parsed instead
        assert keep is not None and story.chapters[0].blocks[0].kind == "paragraph"
