"""HTML stories: AO3 downloads, FanFicFare's HTML files, and any other page of prose.

The page is read into an element tree by :mod:`reader.formats.markup.tree`, and its text cut
into paragraphs by :mod:`reader.formats.markup.flow`. Three kinds of file are told apart by
their landmarks:

* an AO3 download: ``div#preface`` (read by :mod:`reader.formats.markup.ao3`), ``div#chapters``
  (per chapter a ``div.meta.group`` with an ``h2.heading``, then ``div.userstuff``, then end
  notes) and ``div#afterword``;
* FanFicFare's HTML: an ``h1`` title and byline, a title page of ``Label: value`` entries (read
  by :mod:`reader.formats.markup.fanficfare`), a table of contents under ``a[name=TOCTOP]``,
  and chapters after ``a[name=sectionNNNN]``;
* anything else: ``h1``–``h3`` headings (the level that repeats) split chapters.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reader.formats.errors import StoryError
from reader.formats.markup import ao3, fanficfare
from reader.formats.markup.blocks import bolded, note_blocks, one_line, prose_blocks, tidy
from reader.formats.markup.charset import decode_markup
from reader.formats.markup.flow import Flow, Item, flow
from reader.formats.markup.tree import Node, Tree, collector_paused, find, text_of
from reader.formats.prose import paragraphs
from reader.formats.structure import Para, build_chapters
from reader.model import LIST_KEYS, METADATA_KEYS, Block, Chapter, Story

#: The words this reader has always given an AO3 work's status (the EPUB reader keeps AO3's).
_AO3_STATUS = {ao3.COMPLETE: "Complete", ao3.IN_PROGRESS: "In Progress"}


def parse(data: bytes, fallback_title: str) -> Story:
    text, encoding = decode_markup(data)
    try:
        with collector_paused():
            story = _read(text, fallback_title)
    except StoryError:
        raise
    except Exception as error:  # a bad file is a reason shown to the reader, never a traceback
        raise StoryError(f"the HTML could not be read ({type(error).__name__})") from None
    story.encoding = encoding
    return story


@dataclass
class _Draft:
    """A chapter being put together: notes before, story text, notes after."""

    title: str
    before: list[Block] = field(default_factory=list)
    prose: Flow = field(default_factory=Flow)
    after: list[Block] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def chapter(self) -> Chapter:
        title = one_line(self.title)
        prose = tidy(prose_blocks(self.items + self.prose.finish()))
        return Chapter(title, [Block("heading", title), *self.before, *prose, *self.after])


@dataclass
class _Result:
    title: str
    author: str
    chapters: list[Chapter]
    metadata: dict[str, Any]


def _read(doc: str, fallback_title: str) -> Story:
    """The story in an HTML document (no safety net: tests call this to find bugs)."""
    tree = Tree(doc)
    if not tree.tags:  # plain text named .html (its entities read, its comments left out)
        plain = "".join(child for child in tree.root.children if isinstance(child, str))
        paras = [Para(p.text.strip(), p.gap) for p in paragraphs(plain) if p.text.strip()]
        if not paras:
            raise StoryError("no story text in the file")
        return Story(id="", title=fallback_title, author="", chapters=build_chapters(paras, fallback_title))
    result = _ao3(tree, fallback_title) or _fanficfare(tree, fallback_title) or _generic(tree, fallback_title)
    if not any(
        block.text for chapter in result.chapters for block in chapter.blocks if block.kind != "heading"
    ):
        raise StoryError("no story text in the file")
    return Story(
        id="",
        title=result.title or fallback_title,
        author=result.author,
        chapters=result.chapters,
        metadata=_clean_metadata(result.metadata),
    )


def _clean_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key in METADATA_KEYS:
        value = metadata.get(key)
        if key in LIST_KEYS:
            values = value if isinstance(value, list) else str(value or "").split(",")
            items = list(dict.fromkeys(one_line(str(v)) for v in values))
            items = [item for item in items if item]
            if items:
                clean[key] = items
        elif value:
            text = str(value).strip() if key == "summary" else one_line(str(value))
            if text:
                clean[key] = text
    return clean


def _title_tag(tree: Tree) -> str:
    return text_of(tree.titles[0]) if tree.titles else ""


# AO3 ----------------------------------------------------------------------------------------


def _ao3(tree: Tree, fallback_title: str) -> _Result | None:
    chapters_node, preface = tree.ids.get("chapters"), tree.ids.get("preface")
    if chapters_node is None or preface is None:
        return None
    found = ao3.read_preface(preface)
    metadata = found.metadata
    if "status" in metadata:
        metadata["status"] = _AO3_STATUS.get(metadata["status"], metadata["status"])
    title = found.title or _title_tag(tree) or fallback_title

    drafts: list[_Draft] = []

    def current() -> _Draft:
        if not drafts:
            drafts.append(_Draft(title))
        return drafts[-1]

    afterword = tree.ids.get("afterword")
    for child in chapters_node.children:
        if isinstance(child, str):
            if not child.isspace():
                current().prose.feed(child)
            continue
        if child is afterword or child is preface:
            continue
        classes = child.classes
        if child.tag == "div" and "meta" in classes:
            heading = find(child, lambda n: n.tag in ("h2", "h3") and "heading" in n.classes)
            skip = ao3.skipper("endnote-link", nodes=(heading,) if heading is not None else ())
            if heading is not None or "group" in classes:
                drafts.append(_Draft(text_of(heading) or f"Chapter {len(drafts) + 1}"))
                drafts[-1].before.extend(note_blocks(flow(child, skip)))
            else:  # a chapter's end notes
                current().after.extend(note_blocks(flow(child, skip)))
            continue
        current().prose.feed(child)
    current()
    drafts[0].before[:0] = found.notes
    if afterword is not None:
        drafts[-1].after.extend(ao3.afterword_notes(afterword))
    return _Result(title, found.author, [draft.chapter() for draft in drafts], metadata)


# FanFicFare ---------------------------------------------------------------------------------

_SECTION = re.compile(r"section\d+$", re.I)


def _fanficfare(tree: Tree, fallback_title: str) -> _Result | None:
    markers: dict[int, str] = {}
    for anchor in tree.anchors:
        name = anchor.get("name")
        if name == "TOCTOP":
            markers[id(anchor)] = "toc"
        elif _SECTION.match(name):
            markers[id(anchor)] = "chapter"
    if "chapter" not in markers.values():
        return None
    h1 = tree.h1[0] if tree.h1 else None
    pages = Flow()

    def skip(node: Node) -> bool:
        if node is h1:
            return True
        kind = markers.get(id(node)) if node.tag == "a" else None
        if kind is None:
            return False
        pages.marker(kind, text_of(node) if kind == "chapter" else "")
        return True

    pages.skip = skip
    items = pages.feed(tree.root).finish()
    start = next((i for i, item in enumerate(items) if item.kind == "chapter"), None)
    if start is None:  # the anchors were somewhere the text is not read from
        return None
    start = next(i for i, item in enumerate(items) if item.kind in ("toc", "chapter"))
    title_page = fanficfare.read_title_page(items[:start])
    metadata = title_page.metadata

    drafts: list[_Draft] = []
    in_toc = False
    for item in items[start:]:
        if item.kind == "toc":
            in_toc = True
        elif item.kind == "chapter":
            in_toc = False
            drafts.append(_Draft(item.text))
        elif drafts and not in_toc:
            draft = drafts[-1]
            if not draft.title and not draft.items and item.kind == "heading":
                draft.title = item.text  # an empty anchor before the chapter's own heading
            else:
                draft.items.append(item)
    for number, draft in enumerate(drafts, 1):
        draft.title = draft.title or f"Chapter {number}"

    title, author, url = fanficfare.byline(h1, _title_tag(tree))
    if url and not metadata.get("source_url"):
        metadata["source_url"] = url
    title = title_page.title or title or fallback_title
    author = title_page.author or author
    return _Result(title, author, [draft.chapter() for draft in drafts], metadata)


# Any other page ----------------------------------------------------------------------------

_BY = re.compile(r"^by\s+(\S.{0,79})$", re.I)


def _generic(tree: Tree, fallback_title: str) -> _Result:
    items = flow(tree.root)
    headings = [item for item in items if item.kind == "heading" and item.level <= 3]
    counts = Counter(item.level for item in headings)
    title_item = next((item for item in headings if item.level == 1), None) if counts[1] == 1 else None
    if title_item is not None:
        counts[1] = 0
    repeating = [level for level in (1, 2, 3) if counts[level] >= 2]
    present = [level for level in (1, 2, 3) if counts[level]]
    chapter_level = repeating[0] if repeating else (present[0] if present else 0)

    metadata: dict[str, Any] = {}
    author = ""
    for node in tree.heads:
        name = (node.get("name") or node.get("property")).lower()
        if node.tag == "meta" and name in ("author", "dc.creator") and not author:
            author = one_line(node.get("content"))
        elif (node.tag == "link" and "canonical" in node.get("rel").lower().split()) or (
            node.tag == "meta" and name == "og:url"
        ):
            url = node.get("href" if node.tag == "link" else "content").strip()
            if url.lower().startswith(("http://", "https://")):
                metadata.setdefault("source_url", url)

    paras: list[Para] = []
    after_title = False
    for item in items:
        if item is title_item:
            after_title = True
            continue
        if after_title and not author and item.kind == "paragraph" and (match := _BY.match(item.text)):
            author = match.group(1).strip()
            after_title = False
            continue
        after_title = False
        if item.kind == "scene_break":
            paras.append(Para("", item.gap, "scene_break"))
        elif item.kind == "heading" and item.level == chapter_level:
            paras.append(Para(one_line(item.text), item.gap, "heading"))
        elif item.kind == "heading":
            paras.append(Para(item.text, item.gap, "paragraph", bolded(item)))
        elif item.kind == "paragraph":
            paras.append(Para(item.text, item.gap, None, item.spans))
    title = one_line(title_item.text) if title_item is not None else _title_tag(tree)
    title = title or fallback_title
    chapters = build_chapters(paras, default_title=title, detect_headings=not chapter_level)
    chapters = [Chapter(chapter.title, tidy(chapter.blocks)) for chapter in chapters]
    return _Result(title, author, [chapter for chapter in chapters if chapter.blocks], metadata)
