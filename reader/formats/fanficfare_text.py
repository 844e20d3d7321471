"""FanFicFare's plain-text output, in every layout its options give.

FanFicFare's txt writer puts out, in order: the title and "by Author" (each wrapped at
``wrap_width``), a title page of ``Label: value`` lines (``include_titlepage``; the summary last
and often over several paragraphs), a ``TABLE OF CONTENTS`` of the chapter titles one a
paragraph (``include_tocpage``), then each chapter as a title indented with a tab (with any
``wrap_width`` but 0, the tab becomes eight spaces and a long title runs on, unindented, into the
next lines) and html2text's rendering of the chapter, and at last "End file.".

The table of contents, when there is one, says exactly which paragraphs are chapter titles:
each is looked for, in order, among the indented paragraphs, so a title such as "2" or an
emoji one is found and a heading inside a chapter (html2text's ``### Title``) does not split it.
Without one, an indented short paragraph is a chapter title.
"""

from __future__ import annotations

import re

from reader.formats.markup.fanficfare import LABELS
from reader.formats.prose import inline
from reader.formats.structure import Para, Piece, build_chapters, is_scene_break, pieces
from reader.model import Span, Story

_TOC = "TABLE OF CONTENTS"
_END = "End file."
_LABEL = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):(?:[ \t]+(.*)|$)")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+")
# html2text puts a space between a closing emphasis marker and the punctuation after it.
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w)(_|\*\*|~~) +(?=[,.;:!?)])")
#: Most characters a chapter title (without a table of contents to go by) may have.
_TITLE_MAX = 300


def preamble(text: str) -> tuple[str, str, list[Piece]] | None:
    """(title, author, the paragraphs after them) when ``text`` opens as FanFicFare's txt does."""
    head = text[:4000].lstrip("\n")
    if "\nby " not in head:
        return None
    found = pieces(text)
    if len(found) < 2:
        return None
    title, byline = found[0], found[1]
    if len(title.lines) > 4 or byline.gap != 1 or not byline.lines[0].startswith("by "):
        return None
    if _LABEL.match(title.lines[0]) or title.indented:
        return None
    return title.text, byline.text[3:].strip(), found[2:]


def parse_text(text: str, fallback_title: str, encoding: str) -> Story | None:
    """The story in FanFicFare's txt ``text``; None when the text is not laid out as its is."""
    opened = preamble(text)
    if opened is None:
        return None
    title, author, rest = opened
    if rest and rest[-1].text == _END:
        rest = rest[:-1]
    toc_at = next((i for i, p in enumerate(rest) if p.text == _TOC and not p.indented), None)
    titles: list[str] = []
    if toc_at is not None:
        front = rest[:toc_at]
        titles, body = _contents(rest[toc_at + 1 :])
    else:
        first = next((i for i, p in enumerate(rest) if _indented_title(p)), len(rest))
        front, body = rest[:first], rest[first:]
    metadata, leftover = title_page(front)
    paras = _chapters(body, titles)
    if leftover and paras:
        paras[1:1] = [Para(p.text, 1, "note") for p in leftover]
    if not any(p.kind != "heading" for p in paras):
        return None
    chapters = build_chapters(paras, default_title=title or fallback_title, detect_headings=False)
    return Story(
        id="",
        title=title or fallback_title,
        author=author,
        chapters=chapters,
        metadata=metadata,
        encoding=encoding,
    )


def _indented_title(piece: Piece) -> bool:
    return piece.indented and len(piece.text) <= _TITLE_MAX and not is_scene_break(piece.text)


def _contents(after: list[Piece]) -> tuple[list[str], list[Piece]]:
    """The titles the table of contents lists, and the paragraphs after it.

    The contents end where their first title comes again, indented: the first chapter.
    """
    if not after:
        return [], after
    first = after[0].text
    for index in range(1, len(after)):
        if after[index].indented and after[index].text == first:
            return [p.text for p in after[:index]], after[index:]
    # No repeat (a title page with the contents but no chapters written): fall back on indents.
    start = next((i for i, p in enumerate(after) if _indented_title(p)), len(after))
    return [p.text for p in after[:start]], after[start:]


def title_page(front: list[Piece]) -> tuple[dict[str, str], list[Piece]]:
    """The title page's entries as metadata; paragraphs that are no entry are handed back."""
    found: dict[str, list[str]] = {}
    leftover: list[Piece] = []
    key: str | None = None
    for piece in front:
        for number, line in enumerate(piece.lines):
            match = _LABEL.match(line.strip())
            label = match.group(1).strip().lower() if match else ""
            if match and (label in LABELS or key != "summary"):
                key = LABELS.get(label, "")
                value = (match.group(2) or "").strip()
                if key and value:
                    found[key] = [value]
            elif key is not None:
                if key:
                    found.setdefault(key, []).append(("\n\n" if number == 0 else " ") + line.strip())
            else:
                leftover.append(piece)
                break
    metadata = {key: "".join(parts).strip() for key, parts in found.items() if key not in ("title", "author")}
    return metadata, leftover


def _chapters(body: list[Piece], titles: list[str]) -> list[Para]:
    """Paragraphs with the chapter titles marked; the rest as html2text wrote them."""
    heads = _title_indexes(body, titles)
    paras: list[Para] = []
    for index, piece in enumerate(body):
        text = piece.text
        if index in heads:
            paras.append(Para(text, piece.gap, "heading"))
            continue
        paras.append(story_para(text, piece.gap))
    return paras


def _title_indexes(body: list[Piece], titles: list[str]) -> set[int]:
    if not titles:
        return {i for i, piece in enumerate(body) if _indented_title(piece)}
    found: set[int] = set()
    for need_indent in (True, False):  # indented, as FanFicFare writes them; else any
        found, at = set(), 0
        for index, piece in enumerate(body):
            if at < len(titles) and (piece.indented or not need_indent) and piece.text == titles[at]:
                found.add(index)
                at += 1
        if at == len(titles):
            break
    return found


def story_para(text: str, gap: int) -> Para:
    """A paragraph of html2text's Markdown: a heading is bold text, emphasis becomes spans."""
    heading = _MD_HEADING.match(text)
    if heading:
        plain, spans = inline(text[heading.end() :].strip())
        return Para(plain, gap, "paragraph", (Span(0, len(plain), "bold"), *spans))
    if is_scene_break(text):
        return Para(text, gap, "scene_break")
    if "_" in text or "*" in text:
        if "_ " in text or "* " in text or "~ " in text:
            text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
        plain, spans = inline(text)
        return Para(plain, gap, None, spans)
    return Para(text, gap)
