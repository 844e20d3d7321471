"""Prose as plain text and Markdown write it: paragraphs split on blank lines, and
*emphasis*/**strong** marked with asterisks or underscores. Shared by the text, Markdown,
Gutenberg, FanFicFare and HTML readers (so none of them imports another for it)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from reader.formats.structure import Para, is_scene_break
from reader.model import Span

_MARKER = re.compile(r"[*_]")
_NEWLINE = re.compile(r"\n")
#: Emphasis inside emphasis inside …: deeper than this is left as it is written.
MAX_NESTING = 4
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
# A link's text and address hold no brackets: each "[" then looks only as far as the next one
# (with "[^\]]*" a page of unclosed "[" was quadratic).
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
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


def inline(text: str, depth: int = 0) -> tuple[str, tuple[Span, ...]]:
    """Strip Markdown emphasis markers, returning the plain text and its styled spans."""
    text = _LINK.sub(r"\1", text)
    out: list[str] = []
    spans: list[Span] = []
    at = 0
    length = 0
    for start, end, marker in _emphasis(text) if depth < MAX_NESTING else ():
        before = _ESCAPE.sub(r"\1", text[at:start])
        out.append(before)
        length += len(before)
        inner_plain, inner_spans = inline(text[start + marker : end - marker], depth + 1)
        spans.append(Span(length, length + len(inner_plain), "bold" if marker == 2 else "italic"))
        spans.extend(Span(s.start + length, s.end + length, s.style) for s in inner_spans)
        out.append(inner_plain)
        length += len(inner_plain)
        at = end
    out.append(_ESCAPE.sub(r"\1", text[at:]))
    return "".join(out), tuple(spans)


def _emphasis(text: str) -> Iterator[tuple[int, int, int]]:
    r"""(start, end, marker length) of each emphasis, left to right, as the regular expression
    ``(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])(\*|_)(?=\S)(.+?)(?<=\S)\3(?![\w*])`` finds
    them — but in linear time: that expression looks for a closing marker from every opening
    one, to the end of the paragraph when there is none (8,000 unmatched ``_`` took seconds).
    Here the closing markers are listed once, and each opening one finds its closer by bisection."""
    size = len(text)
    closers: dict[str, list[int]] = {}
    for match in _MARKER.finditer(text):
        j = match.start()
        if j == 0 or text[j - 1].isspace():
            continue
        mark = text[j]
        if text.startswith(mark * 2, j):
            closers.setdefault(mark * 2, []).append(j)
        after = text[j + 1] if j + 1 < size else ""
        if not after or not (after.isalnum() or after in "_*"):
            closers.setdefault(mark, []).append(j)
    if not closers:
        return
    breaks = [match.start() for match in _NEWLINE.finditer(text)] + [size]
    at = 0
    for match in _MARKER.finditer(text):
        i = match.start()
        if i < at or i + 1 >= size:
            continue
        mark = text[i]
        limit = breaks[bisect_left(breaks, i)]  # "." stops at a line break
        if text[i + 1] == mark and i + 2 < size and not text[i + 2].isspace():
            j = _first(closers.get(mark * 2), i + 3)
            if j < limit:
                yield i, j + 2, 2
                at = j + 2
                continue
        if text[i + 1].isspace() or (i and (text[i - 1].isalnum() or text[i - 1] in "_*")):
            continue
        j = _first(closers.get(mark), i + 2)
        if j < limit:
            yield i, j + 1, 1
            at = j + 1


def _first(positions: list[int] | None, least: int) -> int:
    """The first of ``positions`` (sorted) that is at least ``least``; a huge number if none."""
    if positions:
        k = bisect_left(positions, least)
        if k < len(positions):
            return positions[k]
    return 1 << 62
