"""FanFicFare's own output, generated in the tests by FanFicFare's offline test site.

Each layout its options give (``wrap_width``, ``include_titlepage``, ``include_tocpage``,
``add_chapter_numbers``, ``titlepage_use_table``, ``mark_new_chapters`` on an update) in txt,
html and epub, checked against what the site served: the title, the author, each chapter's
title, and each chapter's words counted from the chapter HTML (not the title page's made-up
``Words:``).
"""

from __future__ import annotations

import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from reader.formats import load_story
from reader.model import Story

pytest.importorskip("fanficfare")
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "fanficfare"))
from generate import Generator  # noqa: E402

#: txt layouts: (name, options). Each is generated for the stories in TXT_STORIES.
TXT_LAYOUTS = [
    ("wrap_width=0", {"wrap_width": "0"}),
    ("wrap_width=60", {"wrap_width": "60"}),
    ("wrap_width=72", {"wrap_width": "72"}),
    ("wrap_width=100", {"wrap_width": "100"}),
    ("default (wrap_width=78)", {}),
    ("include_titlepage=false", {"include_titlepage": "false"}),
    ("include_tocpage=false", {"include_tocpage": "false"}),
    ("include_tocpage=false, wrap_width=0", {"include_tocpage": "false", "wrap_width": "0"}),
    ("add_chapter_numbers=true", {"add_chapter_numbers": "true"}),
    ("add_chapter_numbers=true, wrap_width=0", {"add_chapter_numbers": "true", "wrap_width": "0"}),
]
#: sid 1: the site's nine chapters (crazy-string titles); 1001: one chapter, an emoji title;
#: 1002: titles "1", "2", "3"; 1003: a title long enough to wrap, sparkles.
TXT_STORIES = [1, 1001, 1002, 1003]

MARKUP_LAYOUTS = [
    ("default", {}),
    ("titlepage_use_table=true", {"titlepage_use_table": "true"}),
    ("titlepage_use_table=false", {"titlepage_use_table": "false"}),
    ("include_tocpage=false", {"include_tocpage": "false"}),
    ("include_titlepage=false", {"include_titlepage": "false"}),
    ("add_chapter_numbers=true", {"add_chapter_numbers": "true"}),
]
MARKUP_STORIES = [1, 1002]


@pytest.fixture(scope="session")
def fff(tmp_path_factory: pytest.TempPathFactory) -> Generator:
    return Generator(tmp_path_factory.mktemp("fanficfare"))


_made: dict[tuple, Path] = {}


def made(fff: Generator, fmt: str, sid: int, options: dict[str, str]) -> Path:
    key = (id(fff), fmt, sid, tuple(sorted(options.items())))
    if key not in _made:
        _made[key] = fff.make(fmt, sid, options)
    return _made[key]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_WORD = re.compile(r"\w")


def words(text: str) -> int:
    """Words with a letter or digit in them (punctuation html2text spaces out is no word)."""
    return sum(1 for token in text.split() if _WORD.search(token))


def html_words(markup: str) -> int:
    parser = _Text()
    parser.feed(markup)
    return words("".join(parser.parts))


def chapter_words(story: Story, index: int) -> int:
    blocks = story.chapters[index].blocks
    body = blocks[1:] if blocks and blocks[0].kind == "heading" else blocks
    return words(" ".join(block.text for block in body))


def expected_titles(served: dict, options: dict[str, str]) -> list[str]:
    titles = [" ".join(html.unescape(c["title"]).split()) for c in served["chapters"]]
    if options.get("add_chapter_numbers") == "true" and len(titles) > 1:  # FanFicFare: not for one
        titles = [f"{number}. {title}" for number, title in enumerate(titles, 1)]
    return titles


def check_story(story: Story, served: dict, options: dict[str, str]) -> None:
    assert story.title == html.unescape(served["title"])
    assert story.author == html.unescape(served["author"])
    assert [c.title for c in story.chapters] == expected_titles(served, options)
    for index, chapter in enumerate(served["chapters"]):
        got, want = chapter_words(story, index), html_words(chapter["html"])
        # An EPUB chapter's own heading that repeats its title ("Prologue" under "Prologue …")
        # is shown as the title, once.
        heading = _FIRST_HEADING.search(chapter["html"])
        if got != want and heading and heading.group(1) in story.chapters[index].title:
            want -= words(heading.group(1))
        assert got == want, (index, story.chapters[index].title)


_FIRST_HEADING = re.compile(r"<h\d[^>]*>([^<]*)</h\d>")


@pytest.mark.parametrize("sid", TXT_STORIES)
@pytest.mark.parametrize(("layout", "options"), TXT_LAYOUTS, ids=[name for name, _ in TXT_LAYOUTS])
def test_txt_layouts(fff: Generator, layout: str, options: dict[str, str], sid: int) -> None:
    story = load_story(made(fff, "txt", sid, options))
    check_story(story, fff.served(sid), options)
    front = " ".join(b.text for c in story.chapters for b in c.blocks)
    assert "TABLE OF CONTENTS" not in front and "End file." not in front
    assert "Story URL:" not in front and "Published:" not in front


def test_txt_title_page_is_metadata(fff: Generator) -> None:
    story = load_story(made(fff, "txt", 1, {"wrap_width": "60"}))
    meta = story.metadata
    assert meta["source_url"] == "http://test1.com?sid=1"
    assert meta["status"] == "In-Progress"
    assert meta["published"] == "1975-03-15" and meta["updated"] == "1975-04-15"
    assert meta["characters"] == ["Bob Smith", "Fred Smythe", "George Johnson"]
    assert "Harry Potter/Ginny Weasley/Albus Dumbledore" in meta["relationships"]
    assert "Magical Girl Lyrical Nanoha" in meta["fandom"]
    assert meta["tags"] == ["Comedy", "Fantasy", "Noir", "Sci-Fi"]
    assert meta["series"] == "The Great Test [1]"
    assert meta["chapter_count"] == "9" and meta["words"] == "123,456"
    assert meta["summary"].startswith("Description tests:") and "My first fic" in meta["summary"]
    assert story.id == "http://test1.com?sid=1"


def test_txt_heading_inside_a_chapter_is_bold_text(fff: Generator) -> None:
    story = load_story(made(fff, "txt", 1, {"wrap_width": "72"}))
    second = story.chapters[1]
    inside = [b for b in second.blocks[1:] if b.text == "Chapter title from site"]
    assert inside and inside[0].kind == "paragraph" and inside[0].spans[0].style == "bold"
    assert any(s.style == "italic" for b in second.blocks for s in b.spans)


@pytest.mark.parametrize("fmt", ["html", "epub"])
@pytest.mark.parametrize("sid", MARKUP_STORIES)
@pytest.mark.parametrize(("layout", "options"), MARKUP_LAYOUTS, ids=[name for name, _ in MARKUP_LAYOUTS])
def test_html_and_epub_layouts(
    fff: Generator, layout: str, options: dict[str, str], sid: int, fmt: str
) -> None:
    story = load_story(made(fff, fmt, sid, options))
    check_story(story, fff.served(sid), options)
    if options.get("include_titlepage") != "false":
        assert story.metadata["source_url"] == f"http://test1.com?sid={sid}"
        assert story.metadata["status"] == "In-Progress" if sid % 2 else "Completed"


def test_epub_update_marks_new_chapters(fff: Generator, tmp_path: Path) -> None:
    """mark_new_chapters applies to ``-u``: the chapters the update added are flagged, not retitled."""
    # sid 669 is updated "now", so FanFicFare does not skip the update as older than the file.
    whole_title = {"title_chapter_range_pattern": "${title}"}
    first = fff.make("epub", 669, whole_title, chapters="[1-5]", into=tmp_path)
    assert len(load_story(first).chapters) == 5
    fff.update(first, {"mark_new_chapters": "true"})
    story = load_story(first)
    assert [c.title for c in story.chapters] == expected_titles(fff.served(669), {})
    assert story.metadata["new_chapters"] == "6, 7, 8, 9"
    assert not any("(new)" in c.title for c in story.chapters)
