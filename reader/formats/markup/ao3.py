"""What an AO3 download says about its work: the preface's tags, stats, summary and notes.

AO3's HTML download (and the EPUB Calibre makes of it) has a ``div#preface``: a ``p.message``
with the work's link, then a ``div.meta`` holding the ``dl.tags`` of metadata, the ``h1``
title, the ``div.byline``, and ``Summary``/``Notes`` labels each before a block quote. A
``div#afterword`` holds the end notes. Calibre may rename the classes, so each landmark has a
second way to be found that does not need them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from reader.formats.markup.blocks import note_blocks, one_line
from reader.formats.markup.flow import Item, flow
from reader.formats.markup.tree import Node, find, iter_nodes, text_of
from reader.model import LIST_KEYS, Block

#: The labels of the preface's ``dl.tags`` and the metadata key each fills; ``stats`` is taken apart.
LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tag": "tags",
    "additional tags": "tags",
    "language": "language",
    "series": "series",
    "stats": "stats",
}
#: Status words, as FanFicFare writes them too.
COMPLETE, IN_PROGRESS = "Completed", "In-Progress"
#: The archive's own lines about where the notes are, not the author's words.
SITE_TEXT = re.compile(r"^(?:see the end of the (?:chapter|work) for|please drop by the archive)", re.I)
#: Labels AO3 puts before a chapter's summary and notes (each then in a block quote).
NOTE_LABELS = frozenset(
    {"summary", "notes", "chapter summary", "chapter notes", "chapter end notes", "end notes"}
)

_WORK_URL = re.compile(r"^https?://(?:www\.)?([^/\s?#]+)/works/(\d+)", re.I)
_WORK_IN_TEXT = re.compile(r"https?://(?:www\.)?archiveofourown\.org/works/\d+")
_STATS = re.compile(r"(Published|Updated|Completed|Words|Chapters)\s*:\s*(\S+)", re.I)


@dataclass
class Preface:
    title: str = ""
    author: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    notes: list[Block] = field(default_factory=list)  # the work's notes, for the top of chapter one


def skipper(*classes: str, nodes: Collection[Node] = ()) -> Callable[[Node], bool]:
    """A flow's ``skip``: these elements, and elements of any of these classes."""
    wanted = set(classes)
    return lambda n: (bool(nodes) and n in nodes) or (bool(n.raw) and not wanted.isdisjoint(n.classes))


def read_preface(preface: Node, skip: Collection[Node] = ()) -> Preface:
    """The preface's metadata, title, author and notes (``skip``: parts that are not preface).

    Read in document order, as the page reads, so that a tag left open or closed too soon
    (or a container Calibre renamed) loses nothing: a ``dt`` labels the ``dd`` after it, a
    ``p`` the block quote after it.
    """
    found = Preface()
    metadata = found.metadata
    for node in iter_nodes(preface, skip):
        match = _WORK_URL.match(node.get("href").strip()) if node.tag == "a" else None
        if match:
            metadata["source_url"] = f"https://{match.group(1).lower()}/works/{match.group(2)}"
            break
    h1 = find(preface, lambda n: n.tag == "h1", skip)
    found.title = text_of(h1)
    if not found.title:
        message = find(preface, lambda n: "message" in n.classes, skip)
        found.title = text_of(find(message, lambda n: n.tag == "b"))
    byline = find(preface, lambda n: "byline" in n.classes, skip) or _after(preface, h1, skip)
    authors = [text_of(a) for a in iter_nodes(byline) if a.tag == "a"] if byline is not None else []
    found.author = ", ".join(a for a in authors if a) or re.sub(r"^by\s+", "", text_of(byline), flags=re.I)
    key: str | None = None
    label = ""
    for node in _walk(preface, {*skip, *(n for n in (byline, h1) if n)}):
        if node.tag == "dt":
            key = LABELS.get(text_of(node).rstrip(":").strip().lower())
        elif node.tag == "dd":
            if key:
                _read_value(key, node, metadata)
            key = None
        elif node.tag == "p":
            label = text_of(node)
        elif node.tag == "blockquote":
            items = flow(node)
            if "summary" in label.lower() or (not label and "summary" not in metadata):
                metadata["summary"] = "\n\n".join(item.text for item in items if item.text)
            else:
                if label:
                    found.notes.append(Block("note", label))
                found.notes.extend(note_blocks([item for item in items if not SITE_TEXT.match(item.text)]))
            label = ""
    if "source_url" not in metadata:
        in_text = _WORK_IN_TEXT.search(" ".join(text_of(n) for n in _children(preface, skip)))
        if in_text:
            metadata["source_url"] = in_text.group(0)
    return found


def _read_value(key: str, dd: Node, metadata: dict[str, Any]) -> None:
    """A tag's value: a list of links (or of words and commas), or the stats taken apart."""
    if key == "stats":
        read_stats(text_of(dd), metadata)
    elif key in LIST_KEYS:
        links = [text_of(a) for a in iter_nodes(dd) if a.tag == "a"]
        metadata[key] = [one_line(v) for v in (links or text_of(dd).split(",")) if v.strip()]
    else:
        metadata[key] = text_of(dd)


def read_stats(stats: str, metadata: dict[str, Any]) -> None:
    """``Published: … Updated: … Words: … Chapters: 3/4``; the chapter count says if it is done."""
    for label, value in _STATS.findall(stats):
        label = label.lower()
        if label == "published":
            metadata["published"] = value
        elif label in ("updated", "completed"):
            metadata["updated"] = value
            if label == "completed":
                metadata["status"] = COMPLETE
        elif label == "words":
            metadata["words"] = value
        else:
            metadata["chapter_count"] = value
            done, _, total = value.partition("/")
            metadata["status"] = COMPLETE if total and done == total else IN_PROGRESS


def tag_count(node: Node) -> int:
    """How many ``dt`` elements in ``node`` are AO3 tag labels."""
    return sum(
        1
        for n in iter_nodes(node)
        if n.tag == "dt" and LABELS.get(text_of(n).rstrip(":").strip().lower(), "stats") != "stats"
    )


def afterword_notes(afterword: Node, skip: Collection[Node] = ()) -> list[Block]:
    """The end notes in ``div#afterword``: not its heading, nor the archive's message."""
    items = flow(afterword, skipper("toc-heading", "message", nodes=skip))
    if items and items[0].kind == "heading" and items[0].text.casefold() == "afterword":
        del items[0]
    return note_blocks([item for item in items if not SITE_TEXT.match(item.text)])


def labelled_notes(items: list[Item]) -> set[int]:
    """Chapter notes where the class names were lost: a note label, then a block quote."""
    noted: set[int] = set()
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if (
            not item.quoted
            and one_line(item.text).casefold() in NOTE_LABELS
            and following
            and following.quoted
        ):
            noted.add(index)
            index += 1
            while index < len(items) and items[index].quoted:
                noted.add(index)
                index += 1
            continue
        index += 1
    return noted


#: What the preface walk takes whole, or leaves out: the site's lines, headings, labels, quotes.
_WHOLE = frozenset({"dt", "dd", "p", "blockquote", "h1", "h2"})
_LEFT_OUT = frozenset({"byline", "endnote-link", "message"})


def _walk(preface: Node, skip: Collection[Node]) -> Iterator[Node]:
    """The preface's elements in document order, not looking inside those it reads whole."""
    stack: list[Node] = [preface]
    while stack:
        node = stack.pop()
        if node in skip or (node.raw and not _LEFT_OUT.isdisjoint(node.classes)):
            continue
        yield node
        if node.tag not in _WHOLE:
            stack.extend(reversed(_children(node)))


def _children(node: Node, skip: Collection[Node] = ()) -> list[Node]:
    return [c for c in node.children if isinstance(c, Node) and (not skip or c not in skip)]


def _after(preface: Node, h1: Node | None, skip: Collection[Node]) -> Node | None:
    """The element after the title, when it reads "by …": the byline, its class name lost."""
    if h1 is None:
        return None
    parent = find(preface, lambda n: any(c is h1 for c in n.children), skip)
    children = _children(parent) if parent is not None else []
    for index, child in enumerate(children[:-1]):
        if child is h1:
            following = children[index + 1]
            return following if text_of(following).lower().startswith("by ") else None
    return None
