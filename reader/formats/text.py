"""Plain text stories: a ``Label: value`` header, paragraphs split by blank lines."""

from __future__ import annotations

import re

from reader.formats.decoding import DecodeError, decode
from reader.formats.errors import StoryError
from reader.model import Story
from reader.structure import Para, build_chapters

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
    "relationships": "relationships",
    "relationship": "relationships",
    "pairing": "relationships",
    "characters": "characters",
    "tags": "tags",
    "additional tags": "tags",
    "genre": "tags",
    "summary": "summary",
    "status": "status",
    "published": "published",
    "updated": "updated",
    "words": "words",
    "chapters": "chapter_count",
    "language": "language",
    "series": "series",
    "story url": "source_url",
    "source": "source_url",
    "url": "source_url",
}
_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,20}):[ \t]*(.*)$")


def parse(data: bytes, fallback_title: str) -> Story:
    try:
        text, encoding = decode(data)
    except DecodeError as error:
        raise StoryError(str(error)) from None
    metadata, body = split_header(text)
    paras = paragraphs(body)
    if not paras:
        raise StoryError("no story text in the file")
    title = str(metadata.pop("title", "") or fallback_title)
    author = str(metadata.pop("author", "") or "")
    chapters = build_chapters(paras, default_title=title)
    return Story(id="", title=title, author=author, chapters=chapters, metadata=metadata, encoding=encoding)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Take the leading block of known ``Label: value`` lines as metadata."""
    metadata: dict[str, str] = {}
    at = len(text) - len(text.lstrip("\n"))
    start = at
    used = 0
    while used < 40:
        end = text.find("\n", at)
        line = text[at : len(text) if end < 0 else end]
        match = _LABEL_LINE.match(line.strip())
        key = HEADER_LABELS.get(match.group(1).strip().lower()) if match else None
        if not key or not match:
            break
        value = match.group(2).strip()
        if value:
            metadata[key] = value
        used += 1
        if end < 0:
            at = len(text)
            break
        at = end + 1
    if used < 2:  # one "Note: …" line is prose, not a header
        return {}, text[start:] if start else text
    return metadata, text[at:]


_SEPARATOR = re.compile(r"(\n[ \t\f\v]*(?:\n[ \t\f\v]*)+)")


def paragraphs(body: str) -> list[Para]:
    """Paragraphs split on blank lines; hard-wrapped lines are joined with a space.

    Each paragraph remembers how many blank lines stood before it, so that a longer gap
    than usual can mark a scene break.
    """
    if "\t" in body:
        body = body.replace("\t", " ")
    pieces = _SEPARATOR.split(body)  # text, separator, text, separator, …
    paras: list[Para] = []
    gap = 1
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        if "\n" in piece:
            piece = " ".join(line.strip() for line in piece.split("\n") if line.strip())
        elif piece[:1] == " " or piece[-1:] == " ":
            piece = piece.strip()
        if piece:
            paras.append(Para(piece, gap if paras else 1))
        if index + 1 < len(pieces):
            separator = pieces[index + 1]
            gap = 1 if len(separator) == 2 else separator.count("\n") - 1
    return paras
