"""Paragraphs (:class:`~reader.formats.markup.flow.Item`) to the blocks a chapter is made of."""

from __future__ import annotations

from reader.formats.markup.flow import Item
from reader.formats.structure import MAX_BLOCK_CHARS, Para, build_chapters, split_long
from reader.model import Block, Span


def bolded(item: Item) -> tuple[Span, ...]:
    """A heading that does not start a chapter stays a paragraph, in bold."""
    text = item.text
    return (Span(0, len(text), "bold"), *(s for s in item.spans if s.style != "bold"))


def _prose_paras(items: list[Item]) -> list[Para]:
    paras = []
    for item in items:
        if item.kind == "scene_break":
            paras.append(Para("", item.gap, "scene_break"))
        elif item.kind == "heading":
            paras.append(Para(item.text, item.gap, "paragraph", bolded(item)))
        elif item.kind == "paragraph":
            paras.append(Para(item.text, item.gap, None, item.spans))
    return paras


def prose_blocks(items: list[Item]) -> list[Block]:
    """Story text: scene breaks (rules, ``* * *``, wide gaps) and notes found as in plain text."""
    chapters = build_chapters(_prose_paras(items), "", detect_headings=False)
    return [block for chapter in chapters for block in chapter.blocks]


def note_blocks(items: list[Item]) -> list[Block]:
    """Every paragraph and heading as a note (a long one in pieces); scene breaks left out."""
    blocks: list[Block] = []
    for item in items:
        if item.kind in ("paragraph", "heading") and item.text:
            if len(item.text) > MAX_BLOCK_CHARS:
                blocks.extend(Block("note", text, spans) for text, spans in split_long(item.text, item.spans))
            else:
                blocks.append(Block("note", item.text, item.spans))
    return blocks


def one_line(text: str) -> str:
    return " ".join(text.split())


def tidy(blocks: list[Block]) -> list[Block]:
    """No scene break first, last, right after a heading, or twice in a row."""
    result: list[Block] = []
    for block in blocks:
        if block.kind == "scene_break" and (not result or result[-1].kind in ("scene_break", "heading")):
            continue
        result.append(block)
    while result and result[-1].kind == "scene_break":
        result.pop()
    return result
