"""Chapter titles from the table of contents: the EPUB 3 navigation document, else the EPUB 2 NCX."""

from __future__ import annotations

from reader.formats.epub.archive import Archive, Damaged, resolve
from reader.formats.epub.package import Package
from reader.formats.epub.safe_xml import Refused, local, member_text, parse_xml, xml_text
from reader.formats.errors import StoryError
from reader.formats.markup.tree import Node, Tree, iter_nodes, text_of


def toc_titles(archive: Archive, package: Package) -> dict[str, str]:
    """Chapter titles by archive path."""
    titles: dict[str, str] = {}
    if package.nav_path:
        raw = archive.read_quietly(package.nav_path)
        if raw is not None:
            try:
                text = member_text(raw, package.nav_path)
            except Damaged:
                text = ""
            for href, label in _nav_links(Tree(text).root):
                target = resolve(package.nav_path, href)
                if target and label:
                    titles.setdefault(target, label)
    if titles:
        return titles
    ncx = package.manifest.get(package.toc_id)
    if ncx is None or ncx.path is None:
        ncx = next((e for e in package.manifest.values() if e.media_type == "application/x-dtbncx+xml"), None)
    if ncx is None or ncx.path is None:
        return titles
    raw = archive.read_quietly(ncx.path)
    if raw is None:
        return titles
    try:
        root = parse_xml(raw, ncx.path)
    except Refused:
        raise
    except StoryError:
        return titles
    for point in root.iter():
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
            titles.setdefault(target, label)
    return titles


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
