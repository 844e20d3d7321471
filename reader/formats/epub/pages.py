"""What a spine page is, before it is a chapter: front or back matter (by ``epub:type`` or the
guide), Project Gutenberg's header and licence, a table of contents, footnotes and endnotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.formats.epub.archive import is_internal
from reader.formats.epub.safe_xml import member_text
from reader.formats.markup.flow import ContextFlow, Item
from reader.formats.markup.tree import HEADING_LEVEL, SKIP, Node, Tree, iter_nodes, text_of

_NOTE_TYPES = re.compile(r"\b(?:footnote|endnote|rearnote|note)s?\b")
_ENDNOTES_ID = re.compile(r"endnotes\d*", re.I)


@dataclass
class Document:
    """One spine document: its element tree, and its markup for a quick look before a walk."""

    tree: Tree
    markup: str


def read_page(raw: bytes, path: str) -> Document:
    """The document in ``raw`` (a :class:`~reader.formats.epub.safe_xml.Refused` if it declares entities)."""
    text = member_text(raw, path)
    return Document(Tree(text), text)


#: Front and back matter by EPUB 3 ``epub:type`` (landmarks, sections) or EPUB 2 guide type:
#: left out (the title and author are metadata already), or kept as notes.
DROPPED_MATTER = frozenset(
    "cover titlepage title-page halftitlepage halftitle-page toc landmarks loi lot".split()
)
NOTED_MATTER = frozenset("copyright-page copyright colophon imprint imprimatur".split())
#: Project Gutenberg's header and licence in its EPUBs.
_PG_IDS = frozenset({"pg-header", "pg-footer"})
_PG_CLASSES = frozenset({"pg-boilerplate", "pgheader", "pgfooter"})


def body_type(tree: Tree) -> frozenset[str]:
    """The ``epub:type`` words of the page's body (or of the one section it holds)."""
    body = tree.body
    if body is None:
        return frozenset()
    kinds = body.get("epub:type")
    if not kinds:
        sections = [c for c in body.children if isinstance(c, Node) and c.tag in ("section", "div")]
        if len(sections) == 1:
            kinds = sections[0].get("epub:type")
    return frozenset(kinds.lower().split())


def boilerplate(page: Document) -> tuple[Node, ...]:
    """Gutenberg's header and licence sections, and front or back matter sections, to leave out."""
    markup = page.markup
    if "pg" not in markup and "epub:type" not in markup:
        return ()
    found: list[Node] = []
    for node in iter_nodes(page.tree.root):
        if not node.raw or node.tag == "body":
            continue
        kinds = frozenset(node.get("epub:type").lower().split())
        if (
            node.get("id") in _PG_IDS
            or _PG_CLASSES & set(node.get("class").lower().split())
            or (node.tag in ("section", "div", "aside") and kinds & (DROPPED_MATTER | NOTED_MATTER))
        ):
            found.append(node)
    return tuple(found)


def with_text(node: Node | None) -> Node | None:
    return node if node is not None and text_of(node) else None


def page_items(node: Node, apart: tuple[Node, ...]) -> list[Item]:
    """The paragraphs in ``node``, less those in ``apart``; quotes and notes marked."""
    skip = (lambda n: n in apart) if apart else None
    return ContextFlow(is_note, skip).feed(node).finish()


def is_note(node: Node) -> bool:
    """An EPUB footnote or endnote (``epub:type``, ``role``), or AO3's chapter notes."""
    raw = node.raw.lower()
    if "meta" in raw and "meta" in node.get("class").lower().split():
        return True
    if "endnotes" in raw and _ENDNOTES_ID.fullmatch(node.get("id")):
        return True
    if "note" in raw:
        kind = node.get("epub:type") or node.get("role")
        return bool(kind) and bool(_NOTE_TYPES.search(kind.lower()))
    return False


def first_text(items: list[Item]) -> str:
    return next((item.text for item in items if item.text), "")


def is_contents(items: list[Item], page: Document, apart: tuple[Node, ...]) -> bool:
    """A page that is nearly all links to other files of the book: a table of contents."""
    chars = sum(len(item.text) for item in items if item.text and item.kind != "heading")
    if not 0 < chars < 50_000 or page.markup.count("href") < 2:
        return False
    internal = linked = 0
    stack = [page.tree.root]
    while stack:  # the links outside headings, as the paragraphs counted above
        node = stack.pop()
        if node.tag in SKIP or node.tag in HEADING_LEVEL or node in apart:
            continue
        if node.tag == "a" and is_internal(node.get("href")):
            internal += 1
            linked += len(text_of(node))
        stack.extend(child for child in node.children if isinstance(child, Node))
    return internal >= 2 and linked >= 0.8 * chars
