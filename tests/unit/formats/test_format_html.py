"""HTML stories: AO3 downloads, FanFicFare's HTML, and any other page of prose."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.formats import StoryError, load_story
from reader.formats.html import _read, parse
from reader.model import BLOCK_KINDS, LIST_KEYS, Block, Span, Story

FIXTURES = ROOT / "tests" / "fixtures" / "html"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def styled(block: Block, style: str) -> list[str]:
    return [block.text[s.start : s.end] for s in block.spans if s.style == style]


def kinds(story: Story, chapter: int) -> list[str]:
    return [b.kind for b in story.chapters[chapter].blocks]


def check_story(story: Story) -> None:
    """What every story must hold, however odd its file."""
    assert story.chapters
    for chapter in story.chapters:
        assert chapter.blocks
        for block in chapter.blocks:
            assert block.kind in BLOCK_KINDS
            if block.kind == "scene_break":
                assert block.text == ""
            else:
                assert block.text == block.text.strip() and block.text
            for span in block.spans:
                assert 0 <= span.start < span.end <= len(block.text)
                assert span.style in ("italic", "bold")
    for key in LIST_KEYS:
        if key in story.metadata:
            assert isinstance(story.metadata[key], list)
            assert all(isinstance(v, str) and v for v in story.metadata[key])


# AO3 ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ao3() -> Story:
    return parse(fixture("ao3_multichapter.html"), "Fallback")


def test_ao3_title_author_and_metadata(ao3: Story) -> None:
    check_story(ao3)
    assert ao3.title == "The Lamplighter's Almanac"
    assert ao3.author == "quietmoth, fennel_sparrow"
    assert ao3.encoding == "utf-8"
    assert ao3.metadata == {
        "fandom": ["Brasswork Harbour (Radio Drama)"],
        "rating": "Teen And Up Audiences",
        "warnings": ["Creator Chose Not To Use Archive Warnings", "Major Character Death"],
        "category": ["F/M", "Gen"],
        "relationships": ["Odile Marchetti/Quentin Vass", "Odile Marchetti & Pim"],
        "characters": ["Odile Marchetti", "Quentin Vass", "Pim", "The Harbourmaster"],
        "tags": ["Lighthouses", "Found Family", "Slow Burn", "Fluff and Angst"],
        "summary": "Odile keeps the last gas lamps of the harbour burning.\n\nQuentin keeps asking why.",
        "status": "In Progress",
        "published": "2023-05-01",
        "updated": "2023-07-15",
        "words": "5,432",
        "chapter_count": "3/4",
        "source_url": "https://archiveofourown.org/works/31415926",
        "series": "Part 2 of Harbour Lights",
        "language": "English",
    }


def test_ao3_source_url_is_the_story_id(tmp_path: Path) -> None:
    path = tmp_path / "The_Lamplighters_Almanac.html"
    path.write_bytes(fixture("ao3_multichapter.html"))
    story = load_story(path, tmp_path)
    assert story.id == "https://archiveofourown.org/works/31415926"
    assert story.path == str(path)


def test_ao3_chapters_with_notes_and_end_notes(ao3: Story) -> None:
    assert [c.title for c in ao3.chapters] == [
        "Chapter 1: Wick and Flint",
        "Chapter 2: Salt on the Glass",
        "Chapter 3: The Almanac",
    ]
    for chapter in ao3.chapters:
        assert chapter.blocks[0] == Block("heading", chapter.title)
    one = ao3.chapters[0].blocks
    # The work's notes, then the chapter's summary and notes, all before the story text.
    assert [b.text for b in one[1:7]] == [
        "Notes",
        "Written for a winter swap. Thank you to my patient beta!",
        "Chapter Summary",
        "In which a lamp refuses to light.",
        "Chapter Notes",
        "Mind the weather warnings for this one.",
    ]
    assert kinds(ao3, 0)[1:7] == ["note"] * 6
    assert one[7].text.startswith("The lamp at the end of the north pier")
    assert [b.kind for b in one[-2:]] == ["note", "note"]
    assert one[-1].text == "The north pier is based on a real one. The lamp is not."
    # Links to the end notes are not text.
    assert not any("More notes" in b.text for c in ao3.chapters for b in c.blocks)
    # An "A/N:" paragraph at the end of the story text is a note too.
    assert ao3.chapters[1].blocks[-1] == Block(
        "note", "A/N: Short one this week, sorry! The next chapter is a long one."
    )
    assert kinds(ao3, 1) == ["heading"] + ["paragraph"] * 4 + ["note"]


def test_ao3_text_styles_and_scene_breaks(ao3: Story) -> None:
    one = ao3.chapters[0].blocks
    assert styled(one[7], "italic") == ["again"]
    assert styled(one[8], "bold") == ["salt"]
    assert one[9].text == "“You could let it stay dark,” said Quentin from the bottom of the ladder."
    # "* * *" and <hr /> are both scene breaks.
    assert kinds(ao3, 0)[7:14] == [
        "paragraph",
        "paragraph",
        "paragraph",
        "scene_break",
        "paragraph",
        "scene_break",
        "paragraph",
    ]
    assert one[13].text == "The harbourmaster’s bell rang at midnight, as it always did."
    poem = ao3.chapters[2].blocks[4]
    assert poem.text == (
        "Light the lamp at falling tide,\nTrim the wick and check the glass,\n"
        "Keep the flame till dawn has passed."
    )


def test_ao3_afterword_ends_the_last_chapter(ao3: Story) -> None:
    last = ao3.chapters[-1].blocks
    assert [(b.kind, b.text) for b in last[-4:]] == [
        ("note", "End Notes"),
        ("note", "Thank you for reading! The fourth chapter is on its way."),
        ("note", "Works inspired by this one"),
        ("note", "Keeper of the North Pier by gullwing"),
    ]
    text = "".join(c.text for c in ao3.chapters)
    assert "Comments are welcome" not in text  # the closing message is the site's, not the story's
    assert "Afterword" not in text and "Preface" not in text
    assert "Teen And Up" not in text  # the tags are metadata


def test_ao3_one_shot() -> None:
    story = parse(fixture("ao3_oneshot.html"), "Fallback")
    check_story(story)
    assert (story.title, story.author) == ("Tea in the Rain", "mistlethwaite")
    assert [c.title for c in story.chapters] == ["Tea in the Rain"]
    blocks = story.chapters[0].blocks
    assert blocks[0] == Block("heading", "Tea in the Rain")
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert styled(blocks[3], "italic") == ["eventually"]
    # An old http://www. link is the same work as the https one.
    assert story.metadata["source_url"] == "https://archiveofourown.org/works/2718281"
    # Tags without links are split at commas; no chapter count, so no status is guessed.
    assert story.metadata["tags"] == ["Tea", "Rain", "Drabble"]
    assert story.metadata["warnings"] == ["No Archive Warnings Apply"]
    assert "status" not in story.metadata and "chapter_count" not in story.metadata
    assert story.metadata["summary"] == "Pim makes tea. It rains."


# FanFicFare ---------------------------------------------------------------------------------


def test_fanficfare_title_page_is_metadata_not_a_chapter() -> None:
    story = parse(fixture("fanficfare.html"), "Fallback")
    check_story(story)
    assert (story.title, story.author) == ("The Clockmaker's Apprentice", "tindertwig")
    assert story.metadata == {
        "fandom": ["Gearwick Chronicles"],
        "rating": "K+",
        "relationships": ["Ada Fenwick/Tobin Reyes"],
        "characters": ["Ada Fenwick", "Master Holloway", "Tobin Reyes"],
        "tags": ["Adventure", "Friendship"],
        "summary": "Ada winds every clock in the tower.\n\nOne of them winds back.",
        "status": "In-Progress",
        "published": "2021-02-03",
        "updated": "2021-09-10",
        "words": "1,234",
        "chapter_count": "2",
        "source_url": "https://www.fanfiction.net/s/24681357/1/",
        "language": "English",
    }
    assert [c.title for c in story.chapters] == ["Chapter 1: Mainspring", "Chapter 2: Escapement"]
    text = "\n".join(c.text for c in story.chapters)
    assert "Table of Contents" not in text
    assert "Packaged" not in text and "Gearwick" not in text
    assert text.count("Chapter 1: Mainspring") == 1  # the heading, not the contents entry as well
    one = story.chapters[0].blocks
    assert one[0] == Block("heading", "Chapter 1: Mainspring")
    assert kinds(story, 0) == ["heading", "paragraph", "paragraph", "scene_break", "paragraph"]
    assert styled(one[2], "italic") == ["excessive"] and styled(one[2], "bold") == ["punctual"]
    assert story.chapters[1].blocks[2].text == '"It\'s not broken," he said at last. "It\'s waiting."'


def test_fanficfare_id_is_the_story_url(tmp_path: Path) -> None:
    path = tmp_path / "clockmaker.htm"
    path.write_bytes(fixture("fanficfare.html"))
    assert load_story(path, tmp_path).id == "https://www.fanfiction.net/s/24681357/1/"


def test_fanficfare_bold_label_lines_and_link_in_the_title() -> None:
    page = b"""<html><head><title>Night Ferry by oarlock</title></head><body>
<h1><a href="https://fiction.example.net/s/99/">Night Ferry</a> by <a href="https://fiction.example.net/u/1">oarlock</a></h1>
<div>
<b>Category:</b> Canal Tales<br />
<b>Characters:</b> Bram, Ilse<br />
<b>Status:</b> Completed<br />
<b>Summary:</b> A ferry that only runs at night.<br />
</div>
<a name="section0001"><h2>Crossing</h2></a>
<div><p>The ferryman did not take coins.</p></div>
</body></html>"""
    story = parse(page, "Fallback")
    assert (story.title, story.author) == ("Night Ferry", "oarlock")
    assert story.metadata["fandom"] == ["Canal Tales"]
    assert story.metadata["characters"] == ["Bram", "Ilse"]
    assert story.metadata["status"] == "Completed"
    assert story.metadata["summary"] == "A ferry that only runs at night."
    assert story.metadata["source_url"] == "https://fiction.example.net/s/99/"
    assert [c.title for c in story.chapters] == ["Crossing"]
    assert [b.text for b in story.chapters[0].blocks] == ["Crossing", "The ferryman did not take coins."]


# Any other page -----------------------------------------------------------------------------


def test_generic_page_with_h2_chapters(tmp_path: Path) -> None:
    path = tmp_path / "salt-roads.html"
    path.write_bytes(fixture("generic.html"))
    story = load_story(path, tmp_path)
    check_story(story)
    assert (story.title, story.author) == ("Salt Roads", "Wren Alder")
    assert story.id == story.metadata["source_url"] == "https://writing.example.org/stories/salt-roads"
    assert [c.title for c in story.chapters] == ["Prologue", "One", "Two"]
    text = "\n".join(c.text for c in story.chapters)
    assert "not story text" not in text and "Home" not in text and "margin" not in text
    one = story.chapters[1].blocks
    assert [b.kind for b in one] == ["heading", "paragraph", "paragraph", "scene_break", "paragraph"]
    assert styled(one[1], "bold") == ["ruin"]
    two = story.chapters[2].blocks
    assert two[2].text == (
        "Marit followed them, because the road went east anyway,\nand because she was curious,\n"
        "and because she was a fool."
    )
    # A lower heading inside a chapter stays in it, in bold.
    assert two[3] == Block("paragraph", "A letter, found later", (Span(0, 21, "bold"),))
    assert two[4].text == "Dear M. — Do not follow the tracks."


def test_generic_title_from_the_title_element_and_by_line() -> None:
    page = b"""<html><head><title>Marsh Lights</title></head><body>
<h1>Marsh Lights</h1><p>by Tamsin Reed</p>
<p>The lights came out over the marsh at dusk.</p></body></html>"""
    story = parse(page, "Fallback")
    assert (story.title, story.author) == ("Marsh Lights", "Tamsin Reed")
    assert [b.text for c in story.chapters for b in c.blocks] == [
        "The lights came out over the marsh at dusk."
    ]
    untitled = parse(b"<html><head><title>Page Title</title></head><body><p>Words.</p></body></html>", "F")
    assert untitled.title == "Page Title"
    assert parse(b"<p>Words only.</p>", "From The Name").title == "From The Name"


def test_generic_chapter_headings_in_plain_paragraphs() -> None:
    page = b"<p>Chapter 1</p><p>First words.</p><p>Chapter 2: Later</p><p>More words.</p>"
    story = parse(page, "F")
    assert [c.title for c in story.chapters] == ["Chapter 1", "Chapter 2: Later"]


def test_italic_and_bold_span_offsets() -> None:
    page = b"<p>She said <i>never</i> and <b>meant <em>it</em></b>, <strong>twice</strong>.</p>"
    block = parse(page, "F").chapters[0].blocks[0]
    assert block.text == "She said never and meant it, twice."
    assert block.spans == (
        Span(9, 14, "italic"),
        Span(19, 27, "bold"),
        Span(25, 27, "italic"),
        Span(29, 34, "bold"),
    )
    # White space at a span's edges is not styled; an emphasis left open runs on to the next paragraph.
    blocks = parse(b"<p>a<i> b </i>c</p><p><i>open<p>still</p>", "F").chapters[0].blocks
    assert [(b.text, styled(b, "italic")) for b in blocks] == [
        ("a b c", ["b"]),
        ("open", ["open"]),
        ("still", []),
    ]
    css = parse(
        b'<p><span style="font-style: italic">x</span> <span style="font-weight:700">y</span></p>', "F"
    )
    assert css.chapters[0].blocks[0].spans == (Span(0, 1, "italic"), Span(2, 3, "bold"))


def test_rules_stars_and_wide_gaps_are_scene_breaks() -> None:
    page = (
        b"<p>One.</p><hr><p>Two.</p><p>* * *</p><p>Three.</p><p>Four.</p>"
        b"<p>&nbsp;</p><p>&nbsp;</p><p>Five.</p><p>Six.</p><hr/><hr/>"
    )
    blocks = parse(page, "F").chapters[0].blocks
    assert [b.kind for b in blocks] == [
        "paragraph",
        "scene_break",
        "paragraph",
        "scene_break",
        "paragraph",
        "paragraph",
        "scene_break",
        "paragraph",
        "paragraph",
    ]


def test_line_breaks_and_entities() -> None:
    page = b"<div>first line<br>second line<br><br>new paragraph &amp; more&hellip;  &#8212;&#x263A;</div>"
    blocks = parse(page, "F").chapters[0].blocks
    assert [b.text for b in blocks] == ["first line\nsecond line", "new paragraph & more… —☺"]


def test_declared_charset_and_byte_order_marks() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><h2>Глава 1</h2><p>Привет, мир.</p>'
    story = parse(page.encode("cp1251"), "F")
    assert story.encoding == "cp1251"
    assert [b.text for b in story.chapters[0].blocks] == ["Глава 1", "Привет, мир."]
    xml = '<?xml version="1.0" encoding="iso-8859-2"?><html><body><p>Żółw.</p></body></html>'
    assert parse(xml.encode("iso-8859-2"), "F").chapters[0].blocks[0].text == "Żółw."
    # UTF-8 wins over a charset the page got wrong.
    wrong = '<meta charset="iso-8859-1"><p>café</p>'.encode()
    assert parse(wrong, "F").chapters[0].blocks[0].text == "café"
    bom = codecs.BOM_UTF16_LE + "<p>wide text</p>".encode("utf-16-le")
    assert parse(bom, "F").chapters[0].blocks[0].text == "wide text"
    assert parse("<p>no mark</p>".encode("utf-16-le"), "F").chapters[0].blocks[0].text == "no mark"


def test_broken_markup_still_gives_its_text() -> None:
    page = (
        b"<html><body><h1>Broken</h1><div><p>One <i>two <b>three</p></div></div></span>"
        b"<p>four</blockquote> five<p>six <!-- a comment that never ends <p>seven</p>"
        b"<![if !supportLists]>eight<![endif]> <p>nine <a href='x>ten</a> <p>Cut off here <b cla"
    )
    story = parse(page, "F")
    check_story(story)
    text = "\n".join(c.text for c in story.chapters)
    for words in ("One two three", "four five", "six", "seven", "eight", "nine", "Cut off here"):
        assert words in text
    assert "<b" not in text and "cla" not in text
    assert parse(b"<p>Truncated <i>in the middle of a paragraph", "F").chapters[0].blocks[0].text == (
        "Truncated in the middle of a paragraph"
    )
    # A page that never closes <head> or opens <body> still has a body.
    assert parse(b"<html><head><title>T</title><p>Body text.", "F").chapters[0].blocks[0].text == "Body text."
    # An unclosed <title> does not swallow the page; an unclosed <script> does, as in a browser.
    assert "Text." in parse(b"<title>T<p>Text.</p>", "F").chapters[0].text
    assert parse(b"<p>Before.</p><script>x = 1; <p>After.</p>", "F").chapters[0].text == "Before."


def test_truncated_ao3_download_keeps_what_it_has() -> None:
    data = fixture("ao3_multichapter.html")
    cut = data[: data.index(b"Salt on the Glass") + 200]
    story = parse(cut, "F")
    assert [c.title for c in story.chapters] == ["Chapter 1: Wick and Flint", "Chapter 2: Salt on the Glass"]
    assert story.metadata["source_url"] == "https://archiveofourown.org/works/31415926"


def test_a_page_with_no_text_is_an_error(tmp_path: Path) -> None:
    empty = b"<html><head><title>Only a title</title><style>p{}</style></head><body><div><img src=x></div>"
    with pytest.raises(StoryError, match="no story text"):
        parse(empty, "F")
    with pytest.raises(StoryError):
        parse(b"<html><body><h1>Just a heading</h1><script>var a = 1;</script></body></html>", "F")
    path = tmp_path / "empty.html"
    path.write_bytes(empty)
    with pytest.raises(StoryError, match="empty.html: no story text"):
        load_story(path, tmp_path)


def test_binary_bytes_named_html_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "picture.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(StoryError, match="picture.html: .*binary"):
        load_story(path, tmp_path)
    with pytest.raises(StoryError):
        parse(bytes(range(32)) * 64, "F")


def test_plain_text_named_html() -> None:
    story = parse(b"Chapter 1\n\nSome words.\n\nMore words.\n", "F")
    assert [c.title for c in story.chapters] == ["Chapter 1"]
    assert [b.text for b in story.chapters[0].blocks][1:] == ["Some words.", "More words."]


def test_a_long_page_keeps_every_chapter_and_paragraph() -> None:
    para = b"<p>She walked <i>slowly</i> across the &ldquo;room&rdquo;; the <b>floor</b> creaked.</p>\n"
    page = (
        b"<html><body>" + b"".join(b"<h2>Chapter %d</h2>\n" % i + para * 250 for i in range(45)) + b"</body>"
    )
    assert len(page) > 1_000_000
    story = parse(page, "F")
    assert len(story.chapters) == 45 and len(story.chapters[-1].blocks) == 251


@pytest.mark.parametrize(
    "page",
    [
        b"<a" * 50_000,
        b'<a "' * 20_000 + b">",
        b"<div>" * 50_000 + b"deep",
        b"<i>" * 50_000 + b"deep" + b"</b>" * 50_000,
        b"</div></span>x" * 20_000,
        b"<p>" + b"<!--" * 20_000,
        b"<p>x" + b"<![" * 20_000,
        b'<p class="x>' + b"word " * 50_000,
    ],
)
def test_pathological_markup_does_not_hang(page: bytes) -> None:
    """A guard against quadratic blow-ups, not a speed measure: these take milliseconds."""
    start = time.process_time()
    try:
        check_story(parse(page, "F"))
    except StoryError:
        pass
    assert time.process_time() - start < 5.0


# Any bytes at all ---------------------------------------------------------------------------

_FIXTURE_BYTES = [fixture(name) for name in ("ao3_multichapter.html", "fanficfare.html", "generic.html")]
_PIECES = [
    b"",
    b"<",
    b">",
    b"</",
    b"/>",
    b'"',
    b"'",
    b"&",
    b"&#",
    b"&#x",
    b"<p>",
    b"</p>",
    b"<i>",
    b"</b>",
    b"</div>",
    b"<div>",
    b"<hr>",
    b"<br>",
    b"<!--",
    b"-->",
    b"<![",
    b"<![CDATA[",
    b"<!DOCTYPE",
    b"<?",
    b"<script>",
    b"<title>",
    b"<head>",
    b"<table><tr><td>",
    b"<li>",
    b"<dd>",
    b"<h2>",
    b'<a name="section0009">',
    b'<a name="TOCTOP">',
    b'<div id="chapters">',
    b'<div id="preface">',
    b'<div class="meta group"><h2 class="heading">',
    b'<meta charset="shift_jis">',
    b'<meta charset="utf-16">',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    "é—“".encode(),
]


def _parse_only_story_errors(data: bytes) -> None:
    try:
        story = parse(data, "Fallback")
    except StoryError as error:
        assert str(error) and "\n" not in str(error)
        return
    check_story(story)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_story_errors(data: bytes) -> None:
    _parse_only_story_errors(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_FIXTURE_BYTES),
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 400), st.sampled_from(_PIECES)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_fixtures_raise_only_story_errors(data: bytes, edits: list[tuple[float, int, bytes]]) -> None:
    for where, cut, piece in edits:
        at = int(where * len(data))
        data = data[:at] + piece + data[at + cut :]
    _parse_only_story_errors(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([p.decode("utf-8", "replace") for p in _PIECES] + ["word ", " ", "\n"])))
def test_markup_soup_needs_no_safety_net(pieces: list[str]) -> None:
    """The reader itself (under parse's catch-all) raises nothing but StoryError."""
    try:
        story = _read("".join(pieces), "Fallback")
    except StoryError:
        return
    check_story(story)
