"""EPUBs as publishers make them: contents that point inside files, front and back matter,
Project Gutenberg's boilerplate, ruby. Every book here is built in the test, with original text."""

from __future__ import annotations

from test_format_epub import XHTML_TYPE, make_epub, make_ncx, make_opf, page, texts

from reader.formats.epub import parse
from reader.model import Story

NCX_TYPE = "application/x-dtbncx+xml"
META = "<dc:title>The Quiet Canal</dc:title><dc:creator>Lio Brandt</dc:creator><dc:language>en</dc:language>"


def words(story: Story) -> str:
    return " ".join(block.text for chapter in story.chapters for block in chapter.blocks)


def chapter_page(numbers: range) -> str:
    return page(
        "".join(
            f'<h2 id="ch{n}">Chapter {n}</h2><p>The barge passed lock number {n} at dawn.</p>'
            f"<p>Nobody waved, but everybody looked.</p>"
            for n in numbers
        )
    )


def ncx_book(extra_files: dict[str, str] | None = None, spine_extra: list[str] | None = None) -> bytes:
    """Two spine files holding six chapters; the NCX points at the anchors inside them."""
    points = [(f"Chapter {n}", f"text/part1.xhtml#ch{n}") for n in range(1, 4)]
    points += [(f"Chapter {n}", f"text/part2.xhtml#ch{n}") for n in range(4, 7)]
    items = [
        ("ncx", "toc.ncx", NCX_TYPE),
        ("p1", "text/part1.xhtml", XHTML_TYPE),
        ("p2", "text/part2.xhtml", XHTML_TYPE),
    ]
    files = {
        "toc.ncx": make_ncx(points),
        "text/part1.xhtml": chapter_page(range(1, 4)),
        "text/part2.xhtml": chapter_page(range(4, 7)),
    }
    spine = ["p1", "p2"]
    for name, body in (extra_files or {}).items():
        ident = name.replace("/", "_").replace(".", "_")
        items.append((ident, name, XHTML_TYPE))
        files[name] = body
    spine = (spine_extra or []) + spine
    files["content.opf"] = make_opf(META, items, spine, toc="ncx", version="2.0")
    return make_epub(files, opf_path="content.opf")


def test_chapters_are_cut_at_the_ncx_anchors_inside_files() -> None:
    story = parse(ncx_book(), "Fallback")
    assert [c.title for c in story.chapters] == [f"Chapter {n}" for n in range(1, 7)]
    assert texts(story, 4) == [
        ("heading", "Chapter 5"),
        ("paragraph", "The barge passed lock number 5 at dawn."),
        ("paragraph", "Nobody waved, but everybody looked."),
    ]


def split_book(split: str) -> bytes:
    """ncx_book's two files of anchored chapters, with a file between them the NCX does not name."""
    items = [
        ("ncx", "toc.ncx", NCX_TYPE),
        ("p1", "text/part1.xhtml", XHTML_TYPE),
        ("s1", "text/part1_split.xhtml", XHTML_TYPE),
        ("p2", "text/part2.xhtml", XHTML_TYPE),
    ]
    points = [(f"Chapter {n}", f"text/part1.xhtml#ch{n}") for n in range(1, 4)]
    points += [(f"Chapter {n}", f"text/part2.xhtml#ch{n}") for n in range(4, 7)]
    return make_epub(
        {
            "content.opf": make_opf(META, items, ["p1", "s1", "p2"], toc="ncx", version="2.0"),
            "toc.ncx": make_ncx(points),
            "text/part1.xhtml": chapter_page(range(1, 4)),
            "text/part1_split.xhtml": split,
            "text/part2.xhtml": chapter_page(range(4, 7)),
        },
        opf_path="content.opf",
    )


def test_a_file_the_contents_do_not_name_joins_the_chapter_before() -> None:
    story = parse(split_book(page("<p>Later the barge came back, lower in the water.</p>")), "Fallback")
    assert len(story.chapters) == 6
    assert story.chapters[2].blocks[-1].text == "Later the barge came back, lower in the water."


def test_a_file_the_anchored_contents_leave_out_joins_even_with_a_heading() -> None:
    """Contents that point inside files name every chapter: a file left out, heading or not,
    is the chapter before going on (a publisher's split), never a chapter of its own."""
    headed = page("<h3>Later</h3><p>The barge came back, lower in the water.</p>")
    story = parse(split_book(headed), "Fallback")
    assert [c.title for c in story.chapters] == [f"Chapter {n}" for n in range(1, 7)]
    assert [b.text for b in story.chapters[2].blocks[-2:]] == [
        "Later",
        "The barge came back, lower in the water.",
    ]


def test_guide_front_and_back_matter_are_not_chapters() -> None:
    cover = page('<div><img src="cover.jpg" alt="The Quiet Canal"/></div>')
    title = page("<h1>The Quiet Canal</h1><p>Lio Brandt</p>")
    rights = page("<p>Copyright 2031 Lio Brandt. Printed on paper that floats.</p>")
    colophon = page("<p>Set in a typeface chosen by a heron.</p>")
    data = ncx_book(
        {"cover.xhtml": cover, "title.xhtml": title, "rights.xhtml": rights, "colophon.xhtml": colophon},
        spine_extra=["cover_xhtml", "title_xhtml", "rights_xhtml"],
    )
    # The colophon goes last in the spine, and the guide names each kind of page.
    data = _with_guide(
        data,
        [("cover", "cover.xhtml"), ("title-page", "title.xhtml"), ("copyright-page", "rights.xhtml")],
        spine_last="colophon_xhtml",
        colophon="colophon.xhtml",
    )
    story = parse(data, "Fallback")
    assert [c.title for c in story.chapters] == [f"Chapter {n}" for n in range(1, 7)]
    assert ("note", "Copyright 2031 Lio Brandt. Printed on paper that floats.") in texts(story, 0)
    assert texts(story, 5)[-1] == ("note", "Set in a typeface chosen by a heron.")


def _with_guide(data: bytes, refs: list[tuple[str, str]], spine_last: str, colophon: str) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name).decode("utf-8") for name in source.namelist()}
    opf = files.pop("content.opf")
    refs = [*refs, ("colophon", colophon)]
    guide = (
        "<guide>" + "".join(f'<reference type="{t}" title="{t}" href="{h}"/>' for t, h in refs) + "</guide>"
    )
    opf = opf.replace("</spine>", f'<itemref idref="{spine_last}"/></spine>{guide}')
    files.pop("mimetype")
    files.pop("META-INF/container.xml")
    files["content.opf"] = opf
    return make_epub(files, opf_path="content.opf")


def epub3_book(body_files: dict[str, str], nav_links: str, landmarks: str = "") -> bytes:
    nav = page(f'<nav epub:type="toc"><ol>{nav_links}</ol></nav>{landmarks}')
    items = [("nav", "nav.xhtml", XHTML_TYPE, "nav")]
    items += [(name.split(".")[0], name, XHTML_TYPE) for name in body_files]
    spine = [name.split(".")[0] for name in body_files]
    return make_epub(
        {"content.opf": make_opf(META, items, spine), "nav.xhtml": nav, **body_files},
        opf_path="content.opf",
    )


def test_epub3_types_and_landmarks_front_matter() -> None:
    files = {
        "cover.xhtml": page(
            '<section epub:type="cover"><img src="c.jpg" alt="cover"/><p>Cover</p></section>'
        ),
        "titlepage.xhtml": page("<h1>The Quiet Canal</h1><p>a novel</p><p>Lio Brandt</p>"),
        "copyright.xhtml": page(
            '<section epub:type="copyright-page"><p>All rights kept by herons.</p></section>'
        ),
        "contents.xhtml": page('<section epub:type="toc"><h2>Contents</h2><p>One</p><p>Two</p></section>'),
        "one.xhtml": page('<section epub:type="bodymatter chapter"><h2>One</h2><p>Water rose.</p></section>'),
        "two.xhtml": page("<h2>Two</h2><p>Water fell.</p>"),
        "colophon.xhtml": page('<section epub:type="colophon"><p>Typeset by the tide.</p></section>'),
    }
    links = '<li><a href="one.xhtml">One</a></li><li><a href="two.xhtml">Two</a></li>'
    landmarks = (
        '<nav epub:type="landmarks"><ol><li><a epub:type="titlepage" href="titlepage.xhtml">Title</a></li>'
        '<li><a epub:type="bodymatter" href="one.xhtml">Start</a></li></ol></nav>'
    )
    story = parse(epub3_book(files, links, landmarks), "Fallback")
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert ("note", "All rights kept by herons.") in texts(story, 0)
    assert texts(story, 1)[-1] == ("note", "Typeset by the tide.")
    assert "Cover" not in words(story) and "a novel" not in words(story)


def test_a_page_that_is_only_a_title_page_is_not_chapter_one() -> None:
    files = {
        "title.xhtml": page("<h1>The Quiet Canal</h1><p>by Lio Brandt</p>"),
        "one.xhtml": page("<h2>One</h2><p>Water rose.</p>"),
    }
    story = parse(epub3_book(files, '<li><a href="one.xhtml">One</a></li>'), "Fallback")
    assert [c.title for c in story.chapters] == ["One"]


def test_nav_anchors_and_a_part_page_of_headings_alone() -> None:
    files = {
        "part.xhtml": page("<h1>Part One: Upstream</h1>"),
        "body.xhtml": page(
            '<h2 id="a">The Mill</h2><p>The wheel turned.</p><h2 id="b">The Weir</h2><p>The water fell.</p>'
        ),
    }
    links = (
        '<li><a href="part.xhtml">Part One: Upstream</a><ol>'
        '<li><a href="body.xhtml#a">The Mill</a></li><li><a href="body.xhtml#b">The Weir</a></li></ol></li>'
    )
    story = parse(epub3_book(files, links), "Fallback")
    assert [c.title for c in story.chapters] == ["The Mill", "The Weir"]
    assert texts(story, 0)[:2] == [("heading", "Part One: Upstream"), ("heading", "The Mill")]


def test_gutenberg_epub_boilerplate_is_not_a_chapter() -> None:
    header = (
        '<section class="pg-boilerplate pgheader" id="pg-header"><h2>The Project Gutenberg eBook of'
        " The Quiet Canal</h2><p>This stand-in header was written for a test.</p>"
        "<p>*** START OF THE PROJECT GUTENBERG EBOOK THE QUIET CANAL ***</p></section>"
    )
    footer = (
        '<section class="pg-boilerplate pgfooter" id="pg-footer">'
        "<p>*** END OF THE PROJECT GUTENBERG EBOOK THE QUIET CANAL ***</p>"
        "<p>A stand-in licence, long enough to be mistaken for a chapter by a careless reader.</p></section>"
    )
    files = {
        "wrap0000.xhtml": page(header + "<h1>THE QUIET CANAL</h1>"),
        "one.xhtml": page("<h2>CHAPTER I.</h2><p>Water rose.</p>"),
        "two.xhtml": page("<h2>CHAPTER II.</h2><p>Water fell.</p>" + footer),
    }
    links = (
        '<li><a href="wrap0000.xhtml#pg-header">Header</a></li>'
        '<li><a href="one.xhtml">CHAPTER I.</a></li><li><a href="two.xhtml">CHAPTER II.</a></li>'
        '<li><a href="two.xhtml#pg-footer">THE FULL PROJECT GUTENBERG LICENSE</a></li>'
    )
    story = parse(epub3_book(files, links), "Fallback")
    assert [c.title for c in story.chapters] == ["CHAPTER I.", "CHAPTER II."]
    assert "stand-in" not in words(story) and "GUTENBERG" not in words(story)


def test_gutenberg_epub_with_markers_in_the_text() -> None:
    files = {
        "front.xhtml": page(
            "<pre>The Project Gutenberg EBook of The Quiet Canal\n\nA stand-in header.</pre>"
            "<p>*** START OF THIS PROJECT GUTENBERG EBOOK THE QUIET CANAL ***</p><h1>The Quiet Canal</h1>"
        ),
        "one.xhtml": page("<h2>One</h2><p>Water rose.</p>"),
        "end.xhtml": page(
            "<p>*** END OF THIS PROJECT GUTENBERG EBOOK THE QUIET CANAL ***</p><p>A stand-in licence.</p>"
        ),
        "licence.xhtml": page("<p>More of the stand-in licence, section after section of it.</p>"),
    }
    story = parse(epub3_book(files, '<li><a href="one.xhtml">One</a></li>'), "Fallback")
    assert [c.title for c in story.chapters] == ["One"]
    assert "stand-in" not in words(story)


def test_ruby_readings_are_not_mixed_into_the_text() -> None:
    files = {
        "one.xhtml": page(
            "<h2>一</h2><p><ruby>運河<rp>(</rp><rt>うんが</rt><rp>)</rp></ruby>は静か。"
            "<ruby>水<rt>みず</rt></ruby>が光る。</p>"
        )
    }
    story = parse(epub3_book(files, '<li><a href="one.xhtml">一</a></li>'), "Fallback")
    assert texts(story, 0)[1] == ("paragraph", "運河は静か。水が光る。")
