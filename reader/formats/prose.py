"""Prose as plain text and Markdown write it: paragraphs split on blank lines, and
*emphasis*/**strong** marked with asterisks or underscores. Shared by the text, Markdown,
Gutenberg, FanFicFare and HTML readers (so none of them imports another for it)."""

from __future__ import annotations

import re

from reader.formats.structure import Para, is_scene_break
from reader.model import Span

# Bold before italic, so "**x**" is not read as two empty italics.
_INLINE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])(\*|_)(?=\S)(.+?)(?<=\S)\3(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
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


def emphasis(paras: list[Para], body: str) -> None:
    """*Emphasis* and **strong**, and _emphasis_, as plain-text writers mark them."""
    if "*" in body or "_" in body:
        for para in paras:
            if para.kind is None and ("_" in para.text or "*" in para.text) and not is_scene_break(para.text):
                para.text, para.spans = inline(para.text)


def inline(text: str) -> tuple[str, tuple[Span, ...]]:
    """Strip Markdown emphasis markers, returning the plain text and its styled spans."""
    text = _LINK.sub(r"\1", text)
    out: list[str] = []
    spans: list[Span] = []
    at = 0
    length = 0
    for match in _INLINE.finditer(text):
        before = _ESCAPE.sub(r"\1", text[at : match.start()])
        out.append(before)
        length += len(before)
        inner, style = (match.group(2), "bold") if match.group(1) else (match.group(4), "italic")
        inner_plain, inner_spans = inline(inner)
        spans.append(Span(length, length + len(inner_plain), style))
        spans.extend(Span(s.start + length, s.end + length, s.style) for s in inner_spans)
        out.append(inner_plain)
        length += len(inner_plain)
        at = match.end()
    out.append(_ESCAPE.sub(r"\1", text[at:]))
    return "".join(out), tuple(spans)
