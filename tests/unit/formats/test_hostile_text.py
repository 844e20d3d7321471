"""No control byte from a story reaches the model: every format, hypothesis over controls.

What a terminal obeys — C0 controls but tab and newline, DEL, C1 controls, ESC sequences, the
bidi overrides — is written into every place a story file can put text (title, author,
metadata, chapter titles, paragraphs, emphasis; literally and, in HTML and EPUB, as character
references) and looked for in everything ``load_story`` returns. ZWJ, ZWNJ, LRM and RLM stay.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_format_epub import make_epub, make_opf, page

from reader.clean import clean, display_name, raw_bytes
from reader.formats import StoryError, load_story
from reader.model import Story

#: What must never come out (written here again, not imported: the test checks the cleaner).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
XML_REFUSES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
KEPT = "\u200d\u200c\u200e\u200f"  # ZWJ, ZWNJ, LRM, RLM

HOSTILE = [
    "\x1b[2J",
    "\x1b]52;c;SEVMTE8=\x07",
    "\x1b]0;title\x1b\\",
    "\x9b31m",
    "\x1bP1$q\x1b\\",
    "\x1b7",
    "\x07",
    "\x00",
    "\x08",
    "\x7f",
    "\x85",
    "\x9d8;;x\x9c",
    "\u202e",
    "\u2066",
    "\r",
    "\x0c",
    "\x1b",
]
pieces = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(["word", "sea", " ", "*it*", "_em_", "**b**", KEPT, "é"]),
        st.characters(max_codepoint=0x2100),
    ),
    min_size=1,
    max_size=12,
).map("".join)
HOSTILE_TEXT = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FILLER = "A calm sentence about the harbour at night. " * 30  # keeps the controls under 1 %


def strings(story: Story) -> list[str]:
    found = [story.title, story.author]

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(str(key))
                walk(item)

    walk(story.metadata)
    for chapter in story.chapters:
        found.append(chapter.title)
        for block in chapter.blocks:
            found.append(block.text)
            assert all(0 <= span.start <= span.end <= len(block.text) for span in block.spans)
    return found


def assert_clean(story: Story) -> None:
    for text in strings(story):
        assert not FORBIDDEN.search(text), repr(text)


def as_html(text: str, entities: bool) -> str:
    """``text`` escaped for HTML; with ``entities``, the controls as character references."""
    escaped = html.escape(text)
    if entities:
        escaped = FORBIDDEN.sub(lambda m: f"&#{ord(m.group())};", escaped)
    return escaped


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@HOSTILE_TEXT
@given(title=pieces, author=pieces, body=pieces, heading=pieces)
def test_plain_text(tmp_path: Path, title: str, author: str, body: str, heading: str) -> None:
    text = (
        f"Title: {title}\nAuthor: {author}\nFandom: {body}\nTags: {heading}, {body}\n\n"
        f"{FILLER}\n\n{body} *{body}* _{heading}_\n\nChapter 2: {heading}\n\n{FILLER}{body}\n"
    )
    load(write(tmp_path, "story.txt", text.encode("utf-8", "surrogatepass")))


@HOSTILE_TEXT
@given(title=pieces, author=pieces, body=pieces, heading=pieces)
def test_markdown(tmp_path: Path, title: str, author: str, body: str, heading: str) -> None:
    esc = [t.encode("unicode_escape").decode() for t in (title, author)]
    front = f'---\ntitle: "{esc[0]}"\nauthor: x{esc[1]}\n---\n'
    text = f"{front}\n## {heading}\n\n{FILLER}\n\n**{body}** and *{heading}*\n\n## Two {body}\n\n{FILLER}\n"
    load(write(tmp_path, "story.md", text.encode("utf-8", "surrogatepass")))


@HOSTILE_TEXT
@given(title=pieces, author=pieces, body=pieces, heading=pieces, entities=st.booleans())
def test_html(tmp_path: Path, title: str, author: str, body: str, heading: str, entities: bool) -> None:
    def h(text: str) -> str:
        return as_html(text, entities)

    text = (
        f"<html><head><title>{h(title)}</title><meta name='author' content='{h(author)}'></head><body>"
        f"<h1>{h(title)}</h1><p>by {h(author)}</p><h2>{h(heading)}</h2><p>{FILLER}</p>"
        f"<p><i>{h(body)}</i> and <b>{h(heading)}</b> {h(body)}</p><h2>Two {h(body)}</h2><p>{FILLER}</p>"
        "</body></html>"
    )
    load(write(tmp_path, "story.html", text.encode("utf-8", "surrogatepass")))


@HOSTILE_TEXT
@given(title=pieces, author=pieces, body=pieces, heading=pieces, entities=st.booleans())
def test_epub(tmp_path: Path, title: str, author: str, body: str, heading: str, entities: bool) -> None:
    def h(text: str) -> str:
        return as_html(text, entities).encode("utf-8", "surrogatepass").decode("utf-8", "replace")

    def x(text: str) -> str:  # the package is strict XML: C0 controls there only refuse the book
        return XML_REFUSES.sub("", h(text).replace("&#", "&amp;#"))

    opf = make_opf(
        f"<dc:title>{x(title)}</dc:title><dc:creator>{x(author)}</dc:creator>"
        f"<dc:subject>{x(heading)}</dc:subject><dc:description>{x(body)}</dc:description>",
        [("c1", "c1.xhtml", "application/xhtml+xml"), ("c2", "c2.xhtml", "application/xhtml+xml")],
        ["c1", "c2"],
    )
    files = {
        "OEBPS/content.opf": opf,
        "OEBPS/c1.xhtml": page(f"<h1>{h(heading)}</h1><p>{FILLER}</p><p><i>{h(body)}</i></p>", h(title)),
        "OEBPS/c2.xhtml": page(f"<h1>Two {h(body)}</h1><p>{FILLER}{h(body)}</p>"),
    }
    load(write(tmp_path, "story.epub", make_epub(files)))


@HOSTILE_TEXT
@given(title=pieces, body=pieces)
def test_story_folder_and_sidecar(tmp_path: Path, title: str, body: str) -> None:
    folder = tmp_path / "A Story"
    folder.mkdir(exist_ok=True)
    escaped = title.encode("unicode_escape").decode()
    (folder / "story.yaml").write_text(f'title: "{escaped}"\nauthor: "{escaped}"\ntags: ["{escaped}"]\n')
    for number in (1, 2):
        write(folder, f"{number}.txt", f"{FILLER}\n\n{body}\n".encode("utf-8", "surrogatepass"))
    load(folder)


def load(path: Path) -> None:
    try:
        story = load_story(path, path.parent)
    except StoryError as error:  # a file the controls made unreadable: its reason is clean too
        assert not FORBIDDEN.search(str(error)), repr(str(error))
        return
    assert_clean(story)


def test_what_is_cleaned_and_what_stays() -> None:
    assert clean("a\x1b[2Jb\x1b]52;c;SEVMTE8=\x07c\u202ed\x7fe\x85f") == "abcde f"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean(f"emoji 👩{KEPT}") == f"emoji 👩{KEPT}"
    assert clean("x\x1b[31my", "\ufffd") == "x\ufffdy"
    name = "caf\udce9\x1b[2J.txt"  # a name that is not UTF-8, as Python decodes it, with a CSI
    assert display_name(name) == "caf\ufffd\ufffd.txt"
    assert raw_bytes(name) == "caf%E9%1B%5B2J.txt" and raw_bytes("plain.txt") is None


def test_styled_spans_move_with_the_text(tmp_path: Path) -> None:
    path = write(tmp_path, "s.txt", f"{FILLER}\n\nHe \x1b[31msaid *lou\x07d* words.\n".encode())
    story = load_story(path, tmp_path)
    block = story.chapters[0].blocks[-1]
    assert block.text == "He said loud words."
    (span,) = block.spans
    assert block.text[span.start : span.end] == "loud"


def test_never_more_than_the_limit_is_read_whatever_the_size_says(tmp_path: Path) -> None:
    from reader.formats.files import read_regular

    maps = Path("/proc/self/maps")  # a regular file whose size says 0
    if maps.exists() and maps.stat().st_size == 0:
        with pytest.raises(StoryError, match="too large"):
            read_regular(maps, limit=16)
    big = write(tmp_path, "big.txt", b"x" * 1000)
    with pytest.raises(StoryError, match="too large"):
        read_regular(big, limit=999)
    assert read_regular(big, limit=1000) == b"x" * 1000
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(StoryError, match=r"pipe.txt: not a regular file \(a pipe\)"):
        read_regular(tmp_path / "pipe.txt")
    (tmp_path / "link.txt").symlink_to(tmp_path / "pipe.txt")
    with pytest.raises(StoryError, match=r"link.txt: not a regular file \(a pipe\)"):
        read_regular(tmp_path / "link.txt")
