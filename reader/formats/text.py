"""Plain text stories: a ``Label: value`` header, paragraphs split by blank lines.

Two conventions have their own readers: Project Gutenberg's texts (:mod:`.gutenberg`) and
FanFicFare's txt output (:mod:`.fanficfare_text`); any other text is read here.
"""

from __future__ import annotations

import re

from reader.formats.decoding import DecodeError, decode
from reader.formats.errors import StoryError
from reader.formats.prose import emphasis, paragraphs
from reader.formats.structure import build_chapters
from reader.model import Story

#: Header labels and the metadata key each fills.
HEADER_LABELS = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "by": "author",
    "fandom": "fandom",
    "fandoms": "fandom",
    "category": "fandom",
    "rating": "rating",
    "warnings": "warnings",
    "warning": "warnings",
    "archive warning": "warnings",
    "relationships": "relationships",
    "relationship": "relationships",
    "pairing": "relationships",
    "pairings": "relationships",
    "ships": "relationships",
    "characters": "characters",
    "tags": "tags",
    "additional tags": "tags",
    "genre": "tags",
    "summary": "summary",
    "description": "summary",
    "status": "status",
    "published": "published",
    "updated": "updated",
    "completed": "updated",
    "packaged": "packaged",
    "words": "words",
    "chapters": "chapter_count",
    "language": "language",
    "series": "series",
    "story url": "source_url",
    "source": "source_url",
    "url": "source_url",
    "author url": "author_url",
    "publisher": "publisher",
}
_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,20}):[ \t]*(.*)$")


def parse(data: bytes, fallback_title: str) -> Story:
    try:
        text, encoding = decode(data)
    except DecodeError as error:
        raise StoryError(str(error)) from None
    from reader.formats.markup.tree import collector_paused

    with collector_paused():  # many small objects and no cycles: the collector only slows it
        return _parse_text(text, encoding, fallback_title)


def _parse_text(text: str, encoding: str, fallback_title: str) -> Story:
    from reader.formats import fanficfare_text, gutenberg

    story = gutenberg.parse_text(text, fallback_title, encoding) or fanficfare_text.parse_text(
        text, fallback_title, encoding
    )
    if story is not None:
        return story
    metadata, body = split_header(text)
    paras = paragraphs(body)
    if not paras:
        raise StoryError("no story text in the file")
    emphasis(paras, body)
    title = str(metadata.pop("title", "") or fallback_title)
    author = str(metadata.pop("author", "") or "")
    chapters = build_chapters(paras, default_title=title)
    return Story(id="", title=title, author=author, chapters=chapters, metadata=metadata, encoding=encoding)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Take the leading block of known ``Label: value`` lines as metadata.

    A line that is not a label continues the value above it (a wrapped summary).
    """
    metadata: dict[str, str] = {}
    at = len(text) - len(text.lstrip("\n"))
    start = at
    used = 0
    key = None
    while used < 60:
        end = text.find("\n", at)
        line = text[at : len(text) if end < 0 else end].strip()
        if not line:
            break
        match = _LABEL_LINE.match(line)
        label = HEADER_LABELS.get(match.group(1).strip().lower()) if match else None
        if label and match:
            key = label
            value = match.group(2).strip()
            if value:
                metadata[key] = value
        elif key is not None and used >= 2:
            metadata[key] = (metadata.get(key, "") + " " + line).strip()
        else:
            break
        used += 1
        if end < 0:
            at = len(text)
            break
        at = end + 1
    if used < 2:  # one "Note: …" line is prose, not a header
        return {}, text[start:] if start else text
    return metadata, text[at:]
