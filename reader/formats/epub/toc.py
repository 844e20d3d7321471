"""The table of contents (the EPUB 3 navigation document, else the EPUB 2 NCX) and the landmarks.

Entries keep their fragments: a book whose contents point at anchors inside its files is cut
into chapters at those anchors, not per file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from reader.formats.epub.archive import Archive, Damaged, resolve
from reader.formats.epub.package import Package
from reader.formats.epub.safe_xml import Refused, local, member_text, parse_xml, xml_text
from reader.formats.errors import StoryError
from reader.formats.markup.tree import Node, Tree, iter_nodes, text_of


@dataclass
class Contents:
    """The table of contents: its entries in order, and the landmarks (EPUB 3) by path."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)  # (path, fragment, label)
    landmarks: dict[str, str] = field(default_factory=dict)  # path → epub:type

    @property
    def titles(self) -> dict[str, str]:
        """The first title the contents give each file."""
        titles: dict[str, str] = {}
        for path, _fragment, label in self.entries:
            titles.setdefault(path, label)
        return titles

    def marks(self) -> dict[str, list[tuple[str, str]]]:
        """Per file, the (fragment, label) of each entry pointing into it, in order."""
        marks: dict[str, list[tuple[str, str]]] = {}
        for path, fragment, label in self.entries:
            marks.setdefault(path, []).append((fragment, label))
        return marks


def _fragment(href: str | None) -> str:
    return unquote(href.split("#", 1)[1]) if href and "#" in href else ""


def read_contents(archive: Archive, package: Package) -> Contents:
    """The EPUB 3 navigation document's contents and landmarks, else the EPUB 2 NCX's."""
    contents = Contents()
    if package.nav_path:
        raw = archive.read_quietly(package.nav_path)
        if raw is not None:
            try:
                text = member_text(raw, package.nav_path)
            except Damaged:
                text = ""
            root = Tree(text).root
            for href, label in _nav_links(root):
                target = resolve(package.nav_path, href)
                if target and label:
                    contents.entries.append((target, _fragment(href), label))
            for href, kind in _landmarks(root):
                target = resolve(package.nav_path, href)
                if target and kind and not _fragment(href):
                    contents.landmarks.setdefault(target, kind)
    if contents.entries:
        return contents
    ncx = package.manifest.get(package.toc_id)
    if ncx is None or ncx.path is None:
        ncx = next((e for e in package.manifest.values() if e.media_type == "application/x-dtbncx+xml"), None)
    if ncx is None or ncx.path is None:
        return contents
    raw = archive.read_quietly(ncx.path)
    if raw is None:
        return contents
    try:
        root_el = parse_xml(raw, ncx.path)
    except Refused:
        raise
    except StoryError:
        return contents
    for point in root_el.iter():
        if local(point.tag) != "navpoint":
            continue
        label, src = "", None
        for child in point:
            name = local(child.tag)
            if name == "navlabel" and not label:
                label = xml_text(child)
            elif name == "content" and src is None:
                src = child.get("src")
        target = resolve(ncx.path, src)
        if target and label:
            contents.entries.append((target, _fragment(src), label))
    return contents


def _landmarks(root: Node) -> list[tuple[str, str]]:
    """(href, epub:type) of the links in ``<nav epub:type="landmarks">``."""
    for node in iter_nodes(root):
        if node.tag == "nav" and "landmarks" in node.get("epub:type").lower():
            return [
                (a.get("href"), a.get("epub:type").lower().strip()) for a in iter_nodes(node) if a.tag == "a"
            ]
    return []


def _nav_links(root: Node) -> list[tuple[str, str]]:
    """(href, label) of the links in the ``<nav epub:type="toc">``, else in the first ``<nav>``."""
    navs: list[tuple[str, list[tuple[str, str]]]] = []
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if node.tag == "nav":  # a <nav> inside it is part of it
            kind = " ".join(node.get(name) for name in ("epub:type", "role", "type")).lower()
            navs.append((kind, [(a.get("href"), text_of(a)) for a in iter_nodes(node) if a.tag == "a"]))
            continue
        stack.extend(reversed([child for child in node.children if isinstance(child, Node)]))
    for kind, links in navs:
        if "toc" in kind and links:
            return links
    return next((links for _kind, links in navs if links), [])
