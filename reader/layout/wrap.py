"""Blocks × width → wrapped lines, as ``[start, end)`` ranges of the chapter's text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len, get_character_cell_size

from reader.model import Chapter

MIN_WIDTH = 2
_WORD = re.compile(r"\S+")


class Line(NamedTuple):
    """One row of a page: ``[start, end)`` of the chapter text, from block ``block``."""

    block: int
    start: int
    end: int
    kind: str  # a block kind, or "blank"


BLANK = Line(-1, 0, 0, "blank")


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text`` to ``width`` cells, as ``[start, end)`` ranges.

    White space at a break is dropped; a word wider than the line is cut to fit.
    """
    width = max(width, MIN_WIDTH)
    ascii_only = text.isascii()
    if ascii_only:
        return [m.span() for m in _ascii_wrapper(width).finditer(text)]
    return _python_wrap(text, width)


@lru_cache(maxsize=64)
def _ascii_wrapper(width: int) -> re.Pattern[str]:
    """Greedy wrap for text where one character is one cell, done by the regex engine.

    A line is the longest run of at most ``width`` characters that starts and ends with a
    non-space and is followed by white space or the end; a longer word is cut at ``width``.
    """
    return re.compile(rf"\S(?:[^\n]{{0,{width - 2}}}\S)?(?=\s|$)|\S{{{width}}}")


def _python_wrap(text: str, width: int) -> list[tuple[int, int]]:
    """The same greedy wrap for any text, measuring cells (CJK, emoji, combining marks)."""
    width = max(width, MIN_WIDTH)
    lines: list[tuple[int, int]] = []
    ascii_only = text.isascii()
    start = end = -1
    used = 0
    for match in _WORD.finditer(text):
        s, e = match.span()
        word_width = e - s if ascii_only else cell_len(text[s:e])
        if start >= 0:
            gap = text[end:s]
            if "\n" not in gap:  # a line break in the text (<br>) ends the line, as in wrap()
                grown = used + (s - end if ascii_only else cell_len(gap)) + word_width
                if grown <= width:
                    end, used = e, grown
                    continue
            lines.append((start, end))
        if word_width <= width:
            start, end, used = s, e, word_width
            continue
        pieces = _cut(text, s, e, width, ascii_only)
        lines.extend(pieces[:-1])
        start, end = pieces[-1]
        used = cell_len(text[start:end])
    if start >= 0:
        lines.append((start, end))
    return lines


def _cut(text: str, s: int, e: int, width: int, ascii_only: bool) -> list[tuple[int, int]]:
    if ascii_only:
        return [(i, min(i + width, e)) for i in range(s, e, width)]
    pieces: list[tuple[int, int]] = []
    start, used = s, 0
    for i in range(s, e):
        size = get_character_cell_size(text[i])
        if used + size > width and i > start:
            pieces.append((start, i))
            start, used = i, 0
        used += size
    pieces.append((start, e))
    return pieces


def wrap_indented(text: str, width: int, indent: int) -> list[tuple[int, int]]:
    """:func:`wrap`, with the first line ``indent`` cells shorter (a first-line indent)."""
    if indent <= 0 or width - indent < MIN_WIDTH:
        return wrap(text, width)
    lines = wrap(text, width - indent)
    if len(lines) <= 1:
        return lines
    rest = lines[0][1]
    return [lines[0], *((rest + s, rest + e) for s, e in wrap(text[rest:], width))]


def block_lines(chapter: Chapter, index: int, width: int, indent: int = 0) -> list[Line]:
    block = chapter.blocks[index]
    base = chapter.block_starts[index]
    if block.kind == "scene_break":
        return [Line(index, base, base, "scene_break")]
    ranges = (
        wrap_indented(block.text, width, indent) if block.kind == "paragraph" else wrap(block.text, width)
    )
    return [Line(index, base + s, base + e, block.kind) for s, e in ranges]
