"""EPUB reading: EPUB 2 and 3, FanFicFare and AO3 downloads, and every kind of bad file.

Every fixture is built here with ``zipfile`` from small invented strings.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.formats import StoryError, epub, load_story
from reader.formats.epub import parse
from reader.model import LIST_KEYS, Span, Story

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{path}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""

XHTML_TYPE = "application/xhtml+xml"


def make_epub(
    files: Mapping[str, str | bytes],
    opf_path: str | None = "OEBPS/content.opf",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip with the mimetype first, the container pointing at ``opf_path``, then ``files``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        if opf_path is not None:
            archive.writestr("META-INF/container.xml", CONTAINER.format(path=opf_path))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def make_opf(
    metadata: str,
    items: Sequence[tuple[str, ...]],
    spine: list[str],
    toc: str = "",
    version: str = "3.0",
) -> str:
    manifest = "\n".join(
        f'<item id="{item[0]}" href="{item[1]}" media-type="{item[2]}"'
        + (f' properties="{item[3]}"' if len(item) > 3 else "")
        + "/>"
        for item in items
    )
    refs = "\n".join(
        f'<itemref idref="{ref[1:]}" linear="no"/>' if ref.startswith("~") else f'<itemref idref="{ref}"/>'
        for ref in spine
    )
    toc_attr = f' toc="{toc}"' if toc else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    {metadata}
  </metadata>
  <manifest>
    {manifest}
  </manifest>
  <spine{toc_attr}>
    {refs}
  </spine>
</package>"""


def make_ncx(points: list[tuple[str, str]]) -> str:
    navs = "\n".join(
        f'<navPoint id="p{i}" playOrder="{i}"><navLabel><text>{label}</text></navLabel>'
        f'<content src="{src}"/></navPoint>'
        for i, (label, src) in enumerate(points)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
{navs}
</navMap></ncx>"""


def page(body: str, title: str = "page", body_class: str = "") -> str:
    cls = f' class="{body_class}"' if body_class else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>{title}</title><style>p {{ margin: 0 }}</style></head>
<body{cls}>
{body}
</body>
</html>"""


def texts(story: Story, chapter: int) -> list[tuple[str, str]]:
    return [(block.kind, block.text) for block in story.chapters[chapter].blocks]


# --------------------------------------------------------------------------- EPUB 3 with nav


def epub3(compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    metadata = """
    <dc:identifier id="uid">urn:uuid:1b2c3d4e-0000-4000-8000-000000000001</dc:identifier>
    <dc:title id="t1">The Lantern Under Moss Hill</dc:title>
    <dc:title id="t2">A subtitle</dc:title>
    <meta refines="#t2" property="title-type">subtitle</meta>
    <dc:creator id="c1">Wren Halloway</dc:creator>
    <dc:creator id="c2">Ostrid Penn</dc:creator>
    <dc:creator id="c3">Some Editor</dc:creator>
    <meta refines="#c3" property="role" scheme="marc:relators">edt</meta>
    <dc:subject>Found Family</dc:subject>
    <dc:subject>Slow Burn</dc:subject>
    <dc:description>&lt;p&gt;Two keepers and &lt;b&gt;one&lt;/b&gt; stubborn lamp.&lt;/p&gt;
      &lt;p&gt;Second part.&lt;/p&gt;</dc:description>
    <dc:source>https://stories.example.org/works/4411</dc:source>
    <dc:date>2021-03-04T10:00:00Z</dc:date>
    <dc:language>en</dc:language>
    <meta property="belongs-to-collection" id="col">Moss Hill Tales</meta>
    <meta refines="#col" property="group-position">2</meta>
    """
    items = [
        ("nav", "nav.xhtml", XHTML_TYPE, "nav"),
        ("cover", "text/cover.xhtml", XHTML_TYPE),
        ("zeta", "text/zeta%20one.xhtml", XHTML_TYPE),
        ("alpha", "text/alpha.xhtml", XHTML_TYPE),
        ("extra", "text/extra.xhtml", XHTML_TYPE),
        ("css", "style.css", "text/css"),
    ]
    nav = page(
        """<nav epub:type="landmarks"><ol><li><a href="text/cover.xhtml">Cover</a></li></ol></nav>
        <nav epub:type="toc"><h1>Contents</h1><ol>
          <li><a href="text/zeta%20one.xhtml#top">1. The Lamp</a></li>
          <li><a href="text/alpha.xhtml">2. The Hill</a></li>
        </ol></nav>"""
    )
    cover = page('<div><img src="../cover.jpg" alt="cover"/></div>')
    zeta = page(
        """<h1 id="top">1. The Lamp</h1>
        <p>A/N: thank you for reading this little story.</p>
        <p>Wren lit the <em>old</em> lamp and <strong>waited</strong>.</p>
        <p>She said <i>nothing <b>at all</b></i> for a while.</p>
        <hr/>
        <p>Morning came.<br/>The moss was wet.<br/><br/>Ostrid arrived late.</p>
        <p>* * *</p>
        <p>   </p>
        <p>The end of the first night.</p>
        <script>document.write("not story text")</script>"""
    )
    alpha = page(
        """<h2>The Hill, at Dusk</h2>
        <div><p>They climbed &amp; climbed &#8212; and rested.</p></div>
        <p style="font-style: italic">A whole italic line.</p>
        <p><span style="font-weight:bold">Bold</span> by style.</p>"""
    )
    extra = page("<p>Not in the reading order.</p>")
    opf = make_opf(metadata, items, ["cover", "zeta", "alpha", "~extra"])
    return make_epub(
        {
            "OEBPS/content.opf": opf,
            "OEBPS/nav.xhtml": nav,
            "OEBPS/text/cover.xhtml": cover,
            "OEBPS/text/alpha.xhtml": alpha,
            "OEBPS/text/zeta one.xhtml": zeta,
            "OEBPS/text/extra.xhtml": extra,
            "OEBPS/style.css": "p { margin: 0 }",
        },
        compression=compression,
    )


def test_epub3_metadata() -> None:
    story = parse(epub3(), "Fallback")
    assert story.id == ""
    assert story.title == "The Lantern Under Moss Hill"
    assert story.author == "Wren Halloway, Ostrid Penn"
    assert story.encoding == "utf-8"
    meta = story.metadata
    assert meta["tags"] == ["Found Family", "Slow Burn"]
    assert meta["summary"] == "Two keepers and one stubborn lamp.\n\nSecond part."
    assert meta["source_url"] == "https://stories.example.org/works/4411"
    assert meta["published"] == "2021-03-04"
    assert meta["language"] == "en"
    assert meta["series"] == "Moss Hill Tales [2]"
    for key, value in meta.items():
        assert isinstance(value, list) if key in LIST_KEYS else isinstance(value, str), key


def test_epub3_chapters_follow_the_spine_with_nav_titles() -> None:
    story = parse(epub3(), "Fallback")
    # The cover has no text, "extra" is linear="no": two chapters, zeta before alpha.
    assert [c.title for c in story.chapters] == ["1. The Lamp", "2. The Hill"]
    assert texts(story, 0) == [
        ("heading", "1. The Lamp"),
        ("note", "A/N: thank you for reading this little story."),
        ("paragraph", "Wren lit the old lamp and waited."),
        ("paragraph", "She said nothing at all for a while."),
        ("scene_break", ""),
        ("paragraph", "Morning came.\nThe moss was wet."),
        ("paragraph", "Ostrid arrived late."),
        ("scene_break", ""),
        ("paragraph", "The end of the first night."),
    ]
    # The file's heading differs from the nav's title: it stays, as a bold paragraph.
    assert texts(story, 1)[1:3] == [
        ("paragraph", "The Hill, at Dusk"),
        ("paragraph", "They climbed & climbed \u2014 and rested."),
    ]


def test_epub3_inline_spans() -> None:
    story = parse(epub3(), "Fallback")
    blocks = story.chapters[0].blocks
    lit = blocks[2]
    assert lit.spans == (Span(13, 16, "italic"), Span(26, 32, "bold"))
    assert lit.text[13:16] == "old" and lit.text[26:32] == "waited"
    said = blocks[3]
    assert said.spans == (Span(9, 23, "italic"), Span(17, 23, "bold"))
    assert said.text[9:23] == "nothing at all" and said.text[17:23] == "at all"
    styled = story.chapters[1].blocks
    assert styled[1].spans == (Span(0, len("The Hill, at Dusk"), "bold"),)
    assert styled[3].spans == (Span(0, len("A whole italic line."), "italic"),)
    assert styled[4].spans == (Span(0, 4, "bold"),)


# --------------------------------------------------------------------------- EPUB 2 with NCX


def epub2() -> bytes:
    metadata = """
    <dc:title>Salt and Semaphore</dc:title>
    <dc:creator opf:role="aut">Juniper Vale</dc:creator>
    <dc:contributor>Some Tool</dc:contributor>
    <dc:identifier id="uid" opf:scheme="URL">http://archive.example.net/s/777/1/</dc:identifier>
    <dc:date opf:event="publication">2019-11-02</dc:date>
    <dc:date opf:event="modification">2020-01-15</dc:date>
    <dc:date opf:event="creation">2024-05-05</dc:date>
    <meta name="calibre:series" content="Harbour Lights"/>
    <meta name="calibre:series_index" content="3.0"/>
    """
    items = [
        ("ncx", "toc.ncx", "application/x-dtbncx+xml"),
        ("c1", "chapters/one.html", XHTML_TYPE),
        ("c2", "chapters/two.html", XHTML_TYPE),
        ("c3", "chapters/three.html", XHTML_TYPE),
    ]
    ncx = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
  <head><meta name="dtb:uid" content="x"/></head>
  <docTitle><text>Salt and Semaphore</text></docTitle>
  <navMap>
    <navPoint id="n1" playOrder="1"><navLabel><text>Flags at Dawn</text></navLabel>
      <content src="chapters/one.html"/>
      <navPoint id="n1a" playOrder="2"><navLabel><text>A part of it</text></navLabel>
        <content src="chapters/one.html#part"/></navPoint>
    </navPoint>
    <navPoint id="n2" playOrder="3"><navLabel><text>The Signal Tower</text></navLabel>
      <content src="chapters/two.html"/></navPoint>
  </navMap>
</ncx>"""
    one = page("<h2>Flags at Dawn</h2><p>Juniper counted the flags.</p><p>xXx</p><p>Then the wind.</p>")
    two = page("<p>The tower leaned.</p>")
    three = page("<h3>Coda: Low Tide</h3><p>Everything was quiet.</p>")
    return make_epub(
        {
            "content.opf": make_opf(metadata, items, ["c1", "c2", "c3"], toc="ncx", version="2.0"),
            "toc.ncx": ncx,
            "chapters/one.html": one,
            "chapters/two.html": two,
            "chapters/three.html": three,
        },
        opf_path="content.opf",
    )


def test_epub2_ncx_titles_and_fallbacks() -> None:
    story = parse(epub2(), "Fallback")
    assert story.title == "Salt and Semaphore"
    assert story.author == "Juniper Vale"
    # NCX title, NCX title (no heading in the file), first heading in the file.
    assert [c.title for c in story.chapters] == ["Flags at Dawn", "The Signal Tower", "Coda: Low Tide"]
    assert texts(story, 0) == [
        ("heading", "Flags at Dawn"),
        ("paragraph", "Juniper counted the flags."),
        ("scene_break", ""),
        ("paragraph", "Then the wind."),
    ]
    meta = story.metadata
    assert meta["source_url"] == "http://archive.example.net/s/777/1/"
    assert meta["published"] == "2019-11-02"
    assert meta["updated"] == "2020-01-15"
    assert meta["series"] == "Harbour Lights [3]"


def test_chapter_n_when_nothing_names_the_chapter() -> None:
    items = [("a", "a.xhtml", XHTML_TYPE), ("b", "b.xhtml", XHTML_TYPE)]
    data = make_epub(
        {
            "content.opf": make_opf("<dc:title>Untitled Things</dc:title>", items, ["a", "b"]),
            "a.xhtml": page("<p>First words.</p>"),
            "b.xhtml": page("<p>Second words.</p>"),
        },
        opf_path="content.opf",
    )
    story = parse(data, "Fallback")
    assert [c.title for c in story.chapters] == ["Chapter 1", "Chapter 2"]
    assert story.author == ""


def test_fallback_title_when_the_opf_has_none() -> None:
    items = [("a", "a.xhtml", XHTML_TYPE)]
    data = make_epub(
        {"content.opf": make_opf("", items, ["a"]), "a.xhtml": page("<p>Words.</p>")},
        opf_path="content.opf",
    )
    assert parse(data, "From The File Name").title == "From The File Name"


# --------------------------------------------------------------------------- FanFicFare


def fanficfare(table: bool = False) -> bytes:
    metadata = """
    <dc:identifier id="fanficfare-uid">fanficfare-uid:tales.example.com-u12-s345</dc:identifier>
    <dc:title id="id">Kettle Logic</dc:title>
    <dc:creator opf:role="aut">Marrow Finch</dc:creator>
    <dc:contributor>FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>
    <dc:language>en</dc:language>
    <dc:subject>FanFiction</dc:subject>
    <dc:subject>Humor</dc:subject>
    <dc:subject>Steamworks Saga</dc:subject>
    <dc:publisher>tales.example.com</dc:publisher>
    """
    entries = [
        ("Category", "Steamworks Saga"),
        ("Genre", "Humor, Slice of Life"),
        ("Language", "English"),
        ("Characters", "Ada Gearling, Tobin Rust"),
        ("Relationships", "Ada Gearling/Tobin Rust"),
        ("Status", "In-Progress"),
        ("Published", "2022-06-01"),
        ("Updated", "2022-08-09"),
        ("Packaged", "2024-01-01 10:00:00"),
        ("Rating", "General Audiences"),
        ("Warnings", "No Warnings Apply"),
        ("Chapters", "2"),
        ("Words", "4,321"),
        ("Publisher", "tales.example.com"),
        ("Story URL", '<a href="https://tales.example.com/s/345">https://tales.example.com/s/345</a>'),
    ]
    summary = "A kettle that will not boil.<p>Ada has a theory: it is sulking.</p>"
    heading = '<h3><a href="https://tales.example.com/s/345">Kettle Logic</a> by Marrow Finch</h3>\n'
    if table:
        rows = "".join(f"<tr><td><b>{k}:</b></td><td>{v}</td></tr>" for k, v in entries)
        rows += f'<tr><td colspan="2"><b>Summary:</b> {summary}</td></tr>'
        body = f'{heading}<table class="full">{rows}</table>'
    else:
        lines = "".join(f"\n<b>{k}:</b> {v}<br />\n" for k, v in entries)
        lines += f"\n<b>Summary:</b> {summary}<br />\n"
        body = f"{heading}<div>{lines}</div>"
    title_page = page(body, body_class="fff_titlepage")
    toc_page = page(
        '<div><h3>Table of Contents</h3><a href="file0001.xhtml">The Whistle</a><br />'
        '<a href="file0002.xhtml">The Steam</a><br /></div>',
        body_class="fff_tocpage",
    )

    def chapter(title: str, body: str) -> str:
        return page(
            f'<h3 class="fff_chapter_title">{title}</h3>\n{body}', title=title, body_class="fff_chapter"
        )

    items = [
        ("ncx", "toc.ncx", "application/x-dtbncx+xml"),
        ("style", "OEBPS/stylesheet.css", "text/css"),
        ("title_page", "OEBPS/title_page.xhtml", XHTML_TYPE),
        ("toc_page", "OEBPS/toc_page.xhtml", XHTML_TYPE),
        ("file0001", "OEBPS/file0001.xhtml", XHTML_TYPE),
        ("file0002", "OEBPS/file0002.xhtml", XHTML_TYPE),
    ]
    ncx = make_ncx(
        [
            ("Title Page", "OEBPS/title_page.xhtml"),
            ("Table of Contents", "OEBPS/toc_page.xhtml"),
            ("The Whistle", "OEBPS/file0001.xhtml"),
            ("The Steam", "OEBPS/file0002.xhtml"),
        ]
    )
    series = '<meta name="calibre:series" content="Gearling Shorts"/>'
    series += '<meta name="calibre:series_index" content="4.0"/>'
    opf = make_opf(
        metadata + series,
        items,
        ["title_page", "toc_page", "file0001", "file0002"],
        toc="ncx",
        version="2.0",
    )
    return make_epub(
        {
            "content.opf": opf,
            "toc.ncx": ncx,
            "OEBPS/stylesheet.css": "body {}",
            "OEBPS/title_page.xhtml": title_page,
            "OEBPS/toc_page.xhtml": toc_page,
            "OEBPS/file0001.xhtml": chapter(
                "The Whistle", "<p>The kettle sat.</p><p>It did not whistle.</p>"
            ),
            "OEBPS/file0002.xhtml": chapter("The Steam", "<p>Then, at last, steam.</p>"),
        },
        opf_path="content.opf",
    )


@pytest.mark.parametrize("table", [False, True])
def test_fanficfare_title_page_is_metadata(table: bool) -> None:
    story = parse(fanficfare(table), "Fallback")
    assert story.title == "Kettle Logic"
    assert story.author == "Marrow Finch"
    # The title page and the contents page are not chapters.
    assert [c.title for c in story.chapters] == ["The Whistle", "The Steam"]
    assert texts(story, 0) == [
        ("heading", "The Whistle"),
        ("paragraph", "The kettle sat."),
        ("paragraph", "It did not whistle."),
    ]
    meta = story.metadata
    assert meta["fandom"] == ["Steamworks Saga"]
    assert meta["tags"] == ["Humor", "Slice of Life"]
    assert meta["language"] == "English"
    assert meta["characters"] == ["Ada Gearling", "Tobin Rust"]
    assert meta["relationships"] == ["Ada Gearling/Tobin Rust"]
    assert meta["status"] == "In-Progress"
    assert meta["published"] == "2022-06-01"
    assert meta["updated"] == "2022-08-09"
    assert meta["rating"] == "General Audiences"
    assert meta["warnings"] == ["No Warnings Apply"]
    assert meta["chapter_count"] == "2"
    assert meta["words"] == "4,321"
    assert meta["source_url"] == "https://tales.example.com/s/345"
    assert meta["summary"].startswith("A kettle that will not boil.")
    assert "Ada has a theory: it is sulking." in meta["summary"]
    assert meta["series"] == "Gearling Shorts [4]"


def test_load_story_uses_the_source_url_as_id(tmp_path: Path) -> None:
    path = tmp_path / "x.epub"
    path.write_bytes(fanficfare())
    story = load_story(path)
    assert story.id == "https://tales.example.com/s/345"
    assert story.path == str(path)
    assert len(story.chapters) == 2


# --------------------------------------------------------------------------- AO3 (made by Calibre)


def ao3(keep_classes: bool = True) -> bytes:
    def c(name: str) -> str:
        return name if keep_classes else "calibre" + str(abs(hash(name)) % 97)

    preface = page(
        f"""<div id="preface">
  <h2 class="{c("toc-heading")}">Preface</h2>
  <p class="{c("message")}"><b>Fern and Flint</b><br/>
    Kept at the <a href="https://archiveofourown.org/">archive</a> as
    <a href="https://archiveofourown.org/works/9988776">https://archiveofourown.org/works/9988776</a>.</p>
  <div class="{c("meta")}">
    <dl class="{c("tags")}">
      <dt>Rating:</dt><dd><a href="https://archiveofourown.org/tags/x">Teen And Up Audiences</a></dd>
      <dt>Archive Warning:</dt><dd><a href="#">No Archive Warnings Apply</a></dd>
      <dt>Category:</dt><dd><a href="#">Gen</a></dd>
      <dt>Fandom:</dt><dd><a href="#">Lighthouse Keepers (Radio)</a></dd>
      <dt>Relationships:</dt><dd><a href="#">Fern &amp; Flint</a></dd>
      <dt>Characters:</dt><dd><a href="#">Fern Alder</a>, <a href="#">Flint Marsh</a></dd>
      <dt>Additional Tags:</dt><dd><a href="#">Hurt/Comfort</a>, <a href="#">Storms</a></dd>
      <dt>Language:</dt><dd>English</dd>
      <dt>Series:</dt><dd>Part 1 of <a href="#">Keepers</a></dd>
      <dt>Stats:</dt>
      <dd>
        Published: 2023-02-01
        Updated: 2023-03-05
        Words: 2,345
        Chapters: 2/3
      </dd>
    </dl>
    <h1>Fern and Flint</h1>
    <div class="{c("byline")}">by <a href="#">quillwright</a></div>
    <p>Summary</p>
    <blockquote class="{c("userstuff")}"><p>Two keepers, <i>one</i> storm.</p></blockquote>
    <p>Notes</p>
    <blockquote class="{c("userstuff")}"><p>Written for a friend.</p></blockquote>
    <div class="{c("endnote-link")}">See the end of the work for more notes</div>
  </div>
</div>"""
    )

    def chapter(number: int, title: str, body: str, end: str = "") -> str:
        endnotes = (
            f'<div class="{c("meta")}" id="endnotes{number}"><p>Chapter End Notes</p>'
            f'<blockquote class="{c("userstuff")}"><p>{end}</p></blockquote></div>'
            if end
            else ""
        )
        return page(
            f"""<div id="chapters" class="{c("userstuff")}">
  <div class="{c("meta")} group">
    <h2 class="{c("heading")}">{title}</h2>
    <p>Chapter Notes</p>
    <blockquote class="{c("userstuff")}"><p>Notes for chapter {number}.</p></blockquote>
  </div>
  <div class="{c("userstuff")}">{body}</div>
  {endnotes}
</div>"""
        )

    afterword = page(
        f"""<div id="afterword">
  <h2 class="{c("toc-heading")}">Afterword</h2>
  <div class="{c("meta")}">
    <div id="endnotes"><p>End Notes</p>
      <blockquote class="{c("userstuff")}"><p>Thanks to everyone who <b>waited</b>.</p></blockquote>
    </div>
  </div>
  <p class="message">Leave the author a comment, if you like.</p>
</div>"""
    )
    names = ["Fern_and_Flint_split_000.xhtml", "Fern_and_Flint_split_001.xhtml"]
    names += ["Fern_and_Flint_split_002.xhtml", "Fern_and_Flint_split_003.xhtml"]
    items = [("ncx", "toc.ncx", "application/x-dtbncx+xml")]
    items += [(f"id{i}", name, XHTML_TYPE) for i, name in enumerate(names)]
    ncx = f"""<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
<navPoint id="a"><navLabel><text>Preface</text></navLabel><content src="{names[0]}#preface"/></navPoint>
<navPoint id="b"><navLabel><text>1. Lamp Oil</text></navLabel><content src="{names[1]}"/></navPoint>
<navPoint id="c"><navLabel><text>2. The Gale</text></navLabel><content src="{names[2]}"/></navPoint>
<navPoint id="d"><navLabel><text>Afterword</text></navLabel><content src="{names[3]}#afterword"/></navPoint>
</navMap></ncx>"""
    metadata = """
    <dc:title>Fern and Flint</dc:title>
    <dc:creator opf:role="aut">quillwright</dc:creator>
    <dc:subject>Teen And Up Audiences</dc:subject>
    <dc:subject>Lighthouse Keepers (Radio)</dc:subject>
    <dc:subject>Storms</dc:subject>
    <dc:language>en</dc:language>
    <dc:identifier opf:scheme="calibre">9f1e2d3c-aaaa-bbbb-cccc-000000000000</dc:identifier>
    <dc:date>0101-01-01T00:00:00+00:00</dc:date>
    """
    return make_epub(
        {
            "content.opf": make_opf(metadata, items, [f"id{i}" for i in range(4)], toc="ncx", version="2.0"),
            "toc.ncx": ncx,
            names[0]: preface,
            names[1]: chapter(
                1,
                "1. Lamp Oil",
                "<p>Fern trimmed the wick.</p><p>Flint <em>watched</em>.</p>",
                "More oil later.",
            ),
            names[2]: chapter(2, "2. The Gale", "<p>The wind rose all night.</p>"),
            names[3]: afterword,
        },
        opf_path="content.opf",
    )


@pytest.mark.parametrize("keep_classes", [True, False])
def test_ao3_preface_is_metadata_and_afterword_is_notes(keep_classes: bool) -> None:
    story = parse(ao3(keep_classes), "Fallback")
    assert story.title == "Fern and Flint"
    assert story.author == "quillwright"
    assert [c.title for c in story.chapters] == ["1. Lamp Oil", "2. The Gale"]
    meta = story.metadata
    assert meta["rating"] == "Teen And Up Audiences"
    assert meta["warnings"] == ["No Archive Warnings Apply"]
    assert meta["category"] == ["Gen"]
    assert meta["fandom"] == ["Lighthouse Keepers (Radio)"]
    assert meta["relationships"] == ["Fern & Flint"]
    assert meta["characters"] == ["Fern Alder", "Flint Marsh"]
    assert meta["tags"] == ["Hurt/Comfort", "Storms"]
    assert meta["language"] == "English"
    assert meta["series"] == "Part 1 of Keepers"
    assert meta["published"] == "2023-02-01"
    assert meta["updated"] == "2023-03-05"
    assert meta["words"] == "2,345"
    assert meta["chapter_count"] == "2/3"
    assert meta["status"] == "In-Progress"
    assert meta["summary"] == "Two keepers, one storm."
    assert meta["source_url"] == "https://archiveofourown.org/works/9988776"
    assert texts(story, 0) == [
        ("heading", "1. Lamp Oil"),
        ("note", "Notes"),
        ("note", "Written for a friend."),
        ("note", "Chapter Notes"),
        ("note", "Notes for chapter 1."),
        ("paragraph", "Fern trimmed the wick."),
        ("paragraph", "Flint watched."),
        ("note", "Chapter End Notes"),
        ("note", "More oil later."),
    ]
    assert story.chapters[0].blocks[6].spans == (Span(6, 13, "italic"),)
    last = texts(story, 1)
    assert last[:4] == [
        ("heading", "2. The Gale"),
        ("note", "Chapter Notes"),
        ("note", "Notes for chapter 2."),
        ("paragraph", "The wind rose all night."),
    ]
    # The afterword: its end notes, not its heading or the archive's message.
    assert last[4:] == [("note", "End Notes"), ("note", "Thanks to everyone who waited.")]
    assert story.chapters[1].blocks[-1].spans == (Span(23, 29, "bold"),)


def test_ao3_one_shot_shares_the_preface_file() -> None:
    # One chapter has no <h2>, so the split leaves the text in the preface's file.
    first = page(
        """<div id="preface"><h2>Preface</h2>
  <p class="message"><b>Pebble</b><br/>At
    <a href="https://archiveofourown.org/works/1234567">https://archiveofourown.org/works/1234567</a>.</p>
  <div class="meta"><dl class="tags">
    <dt>Rating:</dt><dd>General Audiences</dd>
    <dt>Fandom:</dt><dd>Small Stones (Cartoon)</dd>
    <dt>Stats:</dt><dd>Published: 2020-05-05 Words: 30 Chapters: 1/1</dd>
  </dl><h1>Pebble</h1><div class="byline">by stonecutter</div></div>
</div>
<div id="chapters" class="userstuff"><div class="userstuff">
  <p>The pebble rolled downhill.</p><p>It stopped by the creek.</p>
</div></div>"""
    )
    after = page(
        '<div id="afterword"><h2>Afterword</h2><div class="meta"><div id="endnotes">'
        "<p>End Notes</p><blockquote><p>Short one today.</p></blockquote></div></div></div>"
    )
    items = [("ncx", "toc.ncx", "application/x-dtbncx+xml")]
    items += [("p0", "Pebble_split_000.xhtml", XHTML_TYPE), ("p1", "Pebble_split_001.xhtml", XHTML_TYPE)]
    ncx = make_ncx([("Preface", "Pebble_split_000.xhtml#preface"), ("Afterword", "Pebble_split_001.xhtml")])
    data = make_epub(
        {
            "content.opf": make_opf("", items, ["p0", "p1"], toc="ncx", version="2.0"),
            "toc.ncx": ncx,
            "Pebble_split_000.xhtml": first,
            "Pebble_split_001.xhtml": after,
        },
        opf_path="content.opf",
    )
    story = parse(data, "Fallback")
    assert (story.title, story.author) == ("Pebble", "stonecutter")
    assert [c.title for c in story.chapters] == ["Chapter 1"]
    assert texts(story, 0) == [
        ("heading", "Chapter 1"),
        ("paragraph", "The pebble rolled downhill."),
        ("paragraph", "It stopped by the creek."),
        ("note", "End Notes"),
        ("note", "Short one today."),
    ]
    meta = story.metadata
    assert meta["rating"] == "General Audiences"
    assert meta["fandom"] == ["Small Stones (Cartoon)"]
    assert (meta["chapter_count"], meta["status"]) == ("1/1", "Completed")
    assert meta["source_url"] == "https://archiveofourown.org/works/1234567"


def test_ao3_load_story_id(tmp_path: Path) -> None:
    path = tmp_path / "x.epub"
    path.write_bytes(ao3())
    assert load_story(path).id == "https://archiveofourown.org/works/9988776"


# --------------------------------------------------------------------------- small HTML details


def single(body: str) -> Story:
    items = [("a", "a.xhtml", XHTML_TYPE)]
    data = make_epub(
        {"content.opf": make_opf("<dc:title>T</dc:title>", items, ["a"]), "a.xhtml": body},
        opf_path="content.opf",
    )
    return parse(data, "Fallback")


def test_sloppy_html_and_scene_breaks() -> None:
    story = single(
        "<html><head><title>x</title><body><h2>Part One</h2><p>one<p>two <i>tilted<p>three"
        "<p>~~~<p>four</p><center>* * *</center><p>five</p><hr><hr><p>six</p><hr></body>"
    )
    assert texts(story, 0) == [
        ("heading", "Part One"),
        ("paragraph", "one"),
        ("paragraph", "two tilted"),
        ("paragraph", "three"),
        ("scene_break", ""),
        ("paragraph", "four"),
        ("scene_break", ""),
        ("paragraph", "five"),
        ("scene_break", ""),
        ("paragraph", "six"),
    ]
    assert story.chapters[0].blocks[2].spans == (Span(4, 10, "italic"),)


def test_later_headings_are_bold_paragraphs_and_notes_at_the_end() -> None:
    story = single(
        page(
            "<h1>Opening</h1><p>Text.</p><h3>Interlude</h3><p>More text.</p>"
            "<p>Author's note: see you next week!</p>"
        )
    )
    blocks = story.chapters[0].blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Opening"),
        ("paragraph", "Text."),
        ("paragraph", "Interlude"),
        ("paragraph", "More text."),
        ("note", "Author's note: see you next week!"),
    ]
    assert blocks[2].spans == (Span(0, 9, "bold"),)


def test_leading_headings_that_repeat_the_title_are_dropped() -> None:
    items = [("nav", "nav.xhtml", XHTML_TYPE, "nav"), ("a", "a.xhtml", XHTML_TYPE)]
    nav = page('<nav epub:type="toc"><ol><li><a href="a.xhtml">Chapter 3</a></li></ol></nav>')
    body = page("<h1>Big Story</h1><h2>Chapter 3: Rain</h2><p>Text.</p>")
    data = make_epub(
        {"content.opf": make_opf("", items, ["a"]), "nav.xhtml": nav, "a.xhtml": body},
        opf_path="content.opf",
    )
    story = parse(data, "Fallback")
    # The heading says more than the contents: it is the title; the other heading stays, bold.
    assert texts(story, 0) == [
        ("heading", "Chapter 3: Rain"),
        ("paragraph", "Big Story"),
        ("paragraph", "Text."),
    ]


def test_markup_that_stops_html_parser_is_read_past() -> None:
    # "<![" with no keyword makes HTMLParser give up; the text after it is still read.
    story = single(page("<p>Before.</p><![<p>After the odd bit.</p><p>Last.</p>"))
    assert [text for _kind, text in texts(story, 0)[1:]] == ["Before.", "After the odd bit.", "Last."]


def test_utf16_and_latin1_documents() -> None:
    body = page("<p>Caf\u00e9 cr\u00e8me</p>")
    utf16 = single(body.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"))  # type: ignore[arg-type]
    assert texts(utf16, 0)[1] == ("paragraph", "Caf\u00e9 cr\u00e8me")
    latin = single(body.replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("latin-1"))  # type: ignore[arg-type]
    assert texts(latin, 0)[1] == ("paragraph", "Caf\u00e9 cr\u00e8me")


# --------------------------------------------------------------------------- bad files


def error_of(data: bytes) -> str:
    with pytest.raises(StoryError) as caught:
        parse(data, "Fallback")
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_not_a_zip() -> None:
    assert "not a zip" in error_of(b"<html><body>hello</body></html>")
    assert "not a zip" in error_of(b"")


def test_truncated_zip() -> None:
    good = epub3()
    for cut in (len(good) // 2, len(good) - 10, 30):
        assert "not a zip" in error_of(good[:cut])


def test_missing_container() -> None:
    data = make_epub({"OEBPS/content.opf": "<package/>"}, opf_path=None)
    assert "container.xml" in error_of(data)


def test_missing_opf() -> None:
    data = make_epub({"OEBPS/other.opf": "<package/>"}, opf_path="OEBPS/content.opf")
    message = error_of(data)
    assert "OEBPS/content.opf" in message and "missing" in message


def test_container_without_rootfile() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/container.xml", "<container><rootfiles/></container>")
    assert "names no package" in error_of(buffer.getvalue())


def test_empty_spine() -> None:
    opf = make_opf("<dc:title>Nothing</dc:title>", [("a", "a.xhtml", XHTML_TYPE)], [])
    data = make_epub({"content.opf": opf, "a.xhtml": page("<p>x</p>")}, opf_path="content.opf")
    assert "spine is empty" in error_of(data)


def test_missing_spine_item_is_skipped() -> None:
    items = [("a", "a.xhtml", XHTML_TYPE), ("b", "gone.xhtml", XHTML_TYPE), ("c", "c.xhtml", XHTML_TYPE)]
    opf = make_opf("<dc:title>Holes</dc:title>", items, ["a", "b", "nowhere", "c"])
    files = {"content.opf": opf, "a.xhtml": page("<p>First.</p>"), "c.xhtml": page("<p>Third.</p>")}
    story = parse(make_epub(files, opf_path="content.opf"), "Fallback")
    assert [texts(story, i)[1][1] for i in range(len(story.chapters))] == ["First.", "Third."]
    # With nothing readable left, it is an error.
    del files["a.xhtml"], files["c.xhtml"]
    assert "none of the chapter files" in error_of(make_epub(files, opf_path="content.opf"))


def test_bad_opf_xml() -> None:
    data = make_epub({"content.opf": "<package><metadata>"}, opf_path="content.opf")
    assert "not well-formed XML" in error_of(data)


def test_no_text_at_all() -> None:
    assert "no story text" in error_of(
        make_epub(
            {
                "content.opf": make_opf("", [("a", "a.xhtml", XHTML_TYPE)], ["a"]),
                "a.xhtml": page('<img src="x.png"/>'),
            },
            opf_path="content.opf",
        )
    )


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE package [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""


def test_entity_declarations_are_refused() -> None:
    opf = make_opf("<dc:title>&lol3;</dc:title>", [("a", "a.xhtml", XHTML_TYPE)], ["a"])
    opf = LAUGHS + opf.split("\n", 1)[1]
    data = make_epub({"content.opf": opf, "a.xhtml": page("<p>x</p>")}, opf_path="content.opf")
    assert "ENTITY" in error_of(data)
    # In a chapter file too, and in the container.
    chapter = LAUGHS.replace("package", "html") + "<html><body><p>&lol3;</p></body></html>"
    opf = make_opf("<dc:title>T</dc:title>", [("a", "a.xhtml", XHTML_TYPE)], ["a"])
    assert "ENTITY" in error_of(make_epub({"content.opf": opf, "a.xhtml": chapter}, opf_path="content.opf"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/container.xml", LAUGHS.replace("package", "container") + "<container/>")
    assert "ENTITY" in error_of(buffer.getvalue())


def test_drm_encrypted_chapters() -> None:
    items = [("a", "a.xhtml", XHTML_TYPE)]
    encryption = """<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
      xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
      <enc:CipherData><enc:CipherReference URI="a.xhtml"/></enc:CipherData>
      </enc:EncryptedData></encryption>"""
    data = make_epub(
        {
            "content.opf": make_opf("", items, ["a"]),
            "a.xhtml": b"\x8f\x01garbage",
            "META-INF/encryption.xml": encryption,
        },
        opf_path="content.opf",
    )
    assert "DRM" in error_of(data)


def bomb_epub(member: bytes | None = None, streamed_zeros: int = 0, level: int = 1) -> bytes:
    """A good little book whose second chapter is ``member``, or ``streamed_zeros`` zero bytes."""
    items = [("a", "a.xhtml", XHTML_TYPE), ("b", "b.xhtml", XHTML_TYPE)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("META-INF/container.xml", CONTAINER.format(path="content.opf"))
        archive.writestr("content.opf", make_opf("<dc:title>Boom</dc:title>", items, ["a", "b"]))
        archive.writestr("a.xhtml", page("<p>Fine.</p>"))
        if member is not None:
            archive.writestr("b.xhtml", member)
        else:
            chunk = bytes(1 << 22)
            with archive.open("b.xhtml", "w", force_zip64=True) as stream:
                for _ in range(streamed_zeros // len(chunk)):
                    stream.write(chunk)
    return buffer.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size the central directory gives for ``name``."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack("<H", patched[at + 28 : at + 30])[0]
        if bytes(patched[at + 46 : at + 46 + name_len]) == name.encode():
            patched[at + 24 : at + 28] = struct.pack("<I", size)
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


def test_zip_bomb_with_a_huge_member() -> None:
    data = bomb_epub(streamed_zeros=300 * 2**20)
    assert len(data) < 3 * 2**20
    assert "zip bomb" in error_of(data)


def test_zip_bomb_by_ratio() -> None:
    data = bomb_epub(bytes(20 * 2**20), level=9)
    assert "zip bomb" in error_of(data)


def test_zip_bomb_by_declared_size() -> None:
    # A small member whose central-directory entry claims 250 MB uncompressed.
    data = declare_size(bomb_epub(page("<p>small</p>").encode()), "b.xhtml", 250 * 2**20)
    assert "zip bomb" in error_of(data)


def test_member_larger_than_declared_is_not_read_past_its_size() -> None:
    data = declare_size(bomb_epub(bytes(3 * 2**20)), "b.xhtml", 1000)
    story = parse(data, "Fallback")  # the lying, damaged chapter is skipped
    assert len(story.chapters) == 1


def test_total_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_UNCOMPRESSED_BYTES", 2000)
    assert "zip bomb" in error_of(epub3())


# --------------------------------------------------------------------------- any bytes at all

GOOD_STORED = epub3(compression=zipfile.ZIP_STORED)
GOOD_DEFLATED = epub2()


def parse_or_story_error(data: bytes) -> None:
    try:
        story = parse(data, "Fallback")
    except StoryError as error:
        assert str(error)
        return
    assert story.chapters and all(chapter.blocks[0].kind == "heading" for chapter in story.chapters)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_only_raise_story_error(data: bytes) -> None:
    parse_or_story_error(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([GOOD_STORED, GOOD_DEFLATED]),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=12),
    st.one_of(st.none(), st.floats(0, 1)),
)
def test_mutated_epubs_only_raise_story_error(
    good: bytes, changes: list[tuple[float, int]], cut: float | None
) -> None:
    data = bytearray(good)
    for where, value in changes:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    parse_or_story_error(bytes(data))


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


INSERTS = [b"<!ENTITY x 'y'>", b"<p>", b"</div>", b"&amp;", b"\xe9", b"<i>", b"<hr/>", b"<!--"]
GOOD_MEMBERS = [members(good) for good in (GOOD_DEFLATED, epub3(), fanficfare(), ao3(keep_classes=False))]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_members_only_raise_story_error(data: st.DataObject) -> None:
    """Damage inside the members (re-zipped, so the CRCs match): the XML and XHTML readers."""
    files = dict(data.draw(st.sampled_from(GOOD_MEMBERS)))
    name = data.draw(st.sampled_from(sorted(files)))
    content = bytearray(files[name])
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, max(0, len(content) - 1)))
        choice = data.draw(st.sampled_from(["set", "delete", "insert", "cut"]))
        if choice == "set" and content:
            content[at] = data.draw(st.sampled_from(list(b"<>/&;#!\"' \x00\xff")) | st.integers(0, 255))
        elif choice == "delete":
            del content[at : at + data.draw(st.integers(1, 40))]
        elif choice == "insert":
            content[at:at] = data.draw(st.sampled_from(INSERTS))
        else:
            del content[at:]
    files[name] = bytes(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, payload in files.items():
            archive.writestr(member, payload)
    parse_or_story_error(buffer.getvalue())


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/&;#!= \"'pbiemdvh1ax-\n*")), max_size=300))
def test_any_chapter_markup_reads(markup: str) -> None:
    items = [("a", "a.xhtml", XHTML_TYPE)]
    data = make_epub({"content.opf": make_opf("", items, ["a"]), "a.xhtml": markup}, opf_path="content.opf")
    parse_or_story_error(data)
