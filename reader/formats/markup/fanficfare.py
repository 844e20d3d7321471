"""FanFicFare's title page: ``Label: value`` entries (a table's rows, or lines split by ``<br>``).

FanFicFare writes the same page into its HTML and EPUB files: an ``h1`` (``h3`` in an EPUB)
of ``<a href=URL>Title</a> by Author``, then one entry per line with the label in bold, the
summary last and often running over several paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reader.formats.markup.flow import Item
from reader.formats.markup.tree import Node, find, iter_nodes, text_of
from reader.model import LIST_KEYS

#: Title-page labels (FanFicFare's defaults.ini, and the like from other downloaders) and the
#: key each fills; "" is a label known to say nothing a reader needs.
LABELS = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "category": "fandom",
    "categories": "fandom",
    "fandom": "fandom",
    "fandoms": "fandom",
    "genre": "tags",
    "genres": "tags",
    "freeform tags": "tags",
    "additional tags": "tags",
    "tags": "tags",
    "ao3 categories": "category",
    "language": "language",
    "character": "characters",
    "characters": "characters",
    "relationship": "relationships",
    "relationships": "relationships",
    "pairing": "relationships",
    "pairings": "relationships",
    "ships": "relationships",
    "series": "series",
    "status": "status",
    "published": "published",
    "updated": "updated",
    "rating": "rating",
    "rated": "rating",
    "warning": "warnings",
    "warnings": "warnings",
    "archive warnings": "warnings",
    "chapters": "chapter_count",
    "words": "words",
    "story url": "source_url",
    "url": "source_url",
    "summary": "summary",
    "description": "summary",
    "packaged": "",
    "publisher": "",
    "site": "",
    "site abbrev": "",
    "author url": "",
    "series url": "",
    "extra tags": "",  # the downloader's own tags ("FanFiction"), not the story's
    "story id": "",
    "author id": "",
    "file format": "",
    "file extension": "",
    "downloader version": "",
    "ffdl version": "",
}
_LABEL = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*(.*)$")
_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))


@dataclass
class TitlePage:
    title: str = ""
    author: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    known: int = 0  # lines that start with a known label
    lines: int = 0  # lines of text (not headings)

    def looks_like_one(self) -> bool:
        """Mostly known labels, at least three: a title page, not prose with a colon in it."""
        return self.known >= 3 and self.known * 2 >= self.lines


def read_title_page(items: list[Item]) -> TitlePage:
    """Entries start at a known (or bold) label; a value may go on into the next lines while it
    is still empty, a summary for as long as no other label comes."""
    page = TitlePage()
    entries: list[tuple[str, str]] = []
    key: str | None = None
    value = ""
    for item in items:
        if item.kind not in ("paragraph", "heading"):
            continue
        offset = 0
        for number, line in enumerate(item.text.split("\n")):
            text = line.strip()
            if text and item.kind == "paragraph":
                page.lines += 1
            match = _LABEL.match(line)
            label = match.group(1).strip().lower() if match else ""
            bold = any(s.style == "bold" and s.start <= offset < s.end for s in item.spans)
            if match and (label in LABELS or bold):
                if label in LABELS:
                    page.known += 1
                if key is not None:
                    entries.append((key, value))
                key, value = LABELS.get(label, ""), match.group(2).strip()
            elif key is not None and text and (key == "summary" or not value):
                separator = "\n\n" if number == 0 else "\n"
                value = f"{value}{separator}{text}" if value else text
            elif text:
                if key is not None:
                    entries.append((key, value))
                key = None
            offset += len(line) + 1
    if key is not None:
        entries.append((key, value))
    found: dict[str, str] = {}
    for name, text in entries:
        if name and text:
            found[name] = f"{found[name]}, {text}" if name in found else text
    page.title, page.author = found.pop("title", ""), found.pop("author", "")
    for name, text in found.items():
        page.metadata[name] = [v.strip() for v in text.split(",") if v.strip()] if name in LIST_KEYS else text
    return page


def byline(heading: Node | None, page_title: str = "") -> tuple[str, str, str]:
    """Title, author and story URL from ``<h1><a href=URL>Title</a> by Author</h1>``; what it
    lacks from a ``<title>`` of ``Title by Author``."""
    title = author = url = ""
    if heading is not None:
        link = find(heading, lambda n: n.tag == "a")
        title = text_of(link)
        href = link.get("href").strip() if link is not None else ""
        url = href if href.lower().startswith(("http://", "https://")) else ""
        full = text_of(heading)
        if title and full.startswith(title):
            rest = full[len(title) :].strip()
            author = rest[3:].strip() if rest.lower().startswith("by ") else ""
        elif not title:
            title = full
    if not title or not author:
        from_page, _, page_author = page_title.rpartition(" by ")
        title = title or from_page
        author = author or page_author.strip()
    return title, author, url


def story_link(root: Node) -> str:
    """The story's URL, from the first heading whose byline links to it."""
    for heading in iter_nodes(root):
        if heading.tag in _HEADINGS:
            url = byline(heading)[2]
            if url:
                return url
    return ""
