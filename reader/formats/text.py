"""Plain text stories: a ``Label: value`` header, paragraphs split by blank lines.

Two conventions have their own readers: Project Gutenberg's texts (:mod:`.gutenberg`) and
FanFicFare's txt output (:mod:`.fanficfare_text`); any other text is read here.
"""

from __future__ import annotations

import re

from reader.formats.decoding import DecodeError, decode
from reader.formats.errors import StoryError
from reader.model import Story
from reader.formats.structure import Para, build_chapters, is_scene_break

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


def emphasis(paras: list[Para], body: str) -> None:
    """*Emphasis* and **strong**, and _emphasis_, as plain-text writers mark them."""
    if "*" in body or "_" in body:
        from reader.formats.markdown import inline

        for para in paras:
            if para.kind is None and ("_" in para.text or "*" in para.text) and not is_scene_break(para.text):
                para.text, para.spans = inline(para.text)


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


_SEPARATOR = re.compile(r"(\n(?:[ \t\f\v]*\n)+)")


def paragraphs(body: str) -> list[Para]:
    """Paragraphs split on blank lines; hard-wrapped lines are joined with a space.

    Each paragraph remembers how many blank lines stood before it, so that a longer gap
    than usual can mark a scene break.
    """
    pieces = _SEPARATOR.split(body)  # text, separator, text, separator, …
    paras: list[Para] = []
    gap = 1
    for index in range(0, len(pieces), 2):
        piece = pieces[index]
        if "\t" in piece:
            piece = piece.replace("\t", " ")
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
