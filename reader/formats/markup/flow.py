"""Elements to paragraphs: the text of a tree cut into :class:`Item` s with italic and bold spans.

White space is collapsed as a browser does; one ``<br>`` is a new line and two or more a new
paragraph; ``<pre>`` keeps its lines; ``<hr>`` is a scene break; empty paragraphs widen the gap
before the next one (as :attr:`Para.gap <reader.formats.structure.Para.gap>` does in plain text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from reader.formats.markup.tree import BLOCK, HEADING_LEVEL, SKIP, Node
from reader.formats.prose import paragraphs
from reader.model import Span

#: Elements that style their text; browsers show ``cite``, ``var`` and ``dfn`` in italics too.
_STYLE_TAGS = {
    "i": "italic",
    "em": "italic",
    "cite": "italic",
    "var": "italic",
    "dfn": "italic",
    "b": "bold",
    "strong": "bold",
}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*(?:italic|oblique)", re.I)


@dataclass(slots=True)
class Item:
    """A paragraph (or heading, scene break, marker) as the page lays it out."""

    kind: str  # "paragraph", "heading", "scene_break", or a reader's marker ("chapter", "toc")
    text: str
    spans: tuple[Span, ...] = ()
    level: int = 0  # a heading's level, 1 to 6
    gap: int = 1  # as Para.gap: more than usual before it (empty paragraphs, <br>s) is a scene break
    quoted: bool = False  # inside a <blockquote> (marked by ContextFlow only)
    noted: bool = False  # inside an element its reader called a note (ContextFlow only)


_Work = Node | str | tuple[Node, tuple[str, ...], int]


class Flow:
    """Walks elements in document order, cutting their text into :class:`Item` paragraphs."""

    def __init__(self, skip: Callable[[Node], bool] | None = None) -> None:
        self.items: list[Item] = []
        self.skip = skip
        self._parts: list[str] = []
        self._length = 0
        self._space = True  # the text so far ends in white space (or is empty)
        self._brs = 0  # <br>s seen since the last text
        self._gap = 1
        self._level = 0
        self._pre = 0
        self._depth = {"italic": 0, "bold": 0}
        self._opened: dict[str, int] = {}  # style → where its span starts in this paragraph
        self._spans: list[Span] = []

    def feed(self, node: Node | str) -> Flow:
        stack: list[_Work] = [node]
        pop, push, skip, parts = stack.pop, stack.append, self.skip, self._parts
        while stack:
            item = pop()
            if type(item) is str:
                if self._pre or self._brs:
                    self._add_text(item)
                    continue
                # _add_text's common case, inline: white space collapsed, offsets counted
                words = item.split()
                if not words:
                    if not self._space:
                        parts.append(" ")
                        self._length += 1
                        self._space = True
                    continue
                core = " ".join(words)
                if not self._space and item[0].isspace():
                    core = " " + core
                if item[-1].isspace():
                    core += " "
                    self._space = True
                else:
                    self._space = False
                parts.append(core)
                self._length += len(core)
            elif type(item) is tuple:
                self._leave(*item)
            elif type(item) is Node and item.tag not in SKIP and (skip is None or not skip(item)):
                styles = self._enter(item)
                if item.children:
                    push((item, styles, len(self.items)))
                    stack.extend(reversed(item.children))
                else:
                    self._leave(item, styles, len(self.items))
        return self

    def marker(self, kind: str, text: str = "") -> None:
        self._flush()
        self.items.append(self._item(kind, text))

    def finish(self) -> list[Item]:
        self._flush()
        if self._pre:
            self._pre = 0
            self._flush_pre()
        return self.items

    def _item(self, kind: str, text: str, spans: tuple[Span, ...] = (), level: int = 0, gap: int = 1) -> Item:
        return Item(kind, text, spans, level, gap)

    def _enter(self, node: Node) -> tuple[str, ...]:
        tag = node.tag
        if tag in BLOCK:
            self._flush()
            if tag == "hr":
                self.items.append(self._item("scene_break", "", gap=self._gap))
                self._gap = 1
            elif tag in HEADING_LEVEL:
                self._level = HEADING_LEVEL[tag]
            elif tag == "pre":
                self._pre += 1
        elif tag == "br":
            if self._pre:
                self._append("\n")
            else:
                self._brs += 1
            return ()
        elif tag in ("td", "th") and self._length and not self._space:
            self._append(" ")
            self._space = True
        style = _STYLE_TAGS.get(tag)
        if style is not None:
            self._open_style(style)
            return (style,)
        if node.raw and "style" in node.raw:
            css = node.get("style")
            styles = tuple(
                name
                for name, pattern in (("italic", _ITALIC_STYLE), ("bold", _BOLD_STYLE))
                if pattern.search(css)
            )
            for name in styles:
                self._open_style(name)
            return styles
        return ()

    def _leave(self, node: Node, styles: tuple[str, ...], items_before: int) -> None:
        for style in styles:
            self._close_style(style)
        tag = node.tag
        if tag not in BLOCK:
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
            if not self._pre:
                self._flush_pre()
            return
        emitted = self._flush()
        if tag in HEADING_LEVEL:
            self._level = 0
        elif tag == "p" and not emitted and len(self.items) == items_before:
            self._gap += 1  # an empty paragraph: space between paragraphs

    def _add_text(self, text: str) -> None:
        if self._pre:
            self._append(text)
            return
        words = text.split()
        if not words:
            if text and not self._space and not self._brs:
                self._append(" ")
                self._space = True
            return
        if self._brs:
            self._breaks()
        core = " ".join(words)
        if not self._space and text[0].isspace():
            core = " " + core
        self._space = text[-1].isspace()
        self._append(core + " " if self._space else core)

    def _breaks(self) -> None:
        """Line breaks before new text: one is a new line, two or more a new paragraph."""
        brs, self._brs = self._brs, 0
        if not self._length:
            self._gap += brs
        elif brs >= 2:
            self._flush()
            self._gap = brs - 1
        else:
            if self._parts[-1].endswith(" "):
                self._parts[-1] = self._parts[-1][:-1]
                self._length -= 1
            self._append("\n")
        self._space = True

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def _open_style(self, style: str) -> None:
        depth = self._depth[style]
        self._depth[style] = depth + 1
        if depth == 0:
            self._opened[style] = self._length

    def _close_style(self, style: str) -> None:
        depth = self._depth[style]
        if depth <= 0:
            return
        self._depth[style] = depth - 1
        if depth == 1:
            start = self._opened.pop(style, None)
            if start is not None and self._length > start:
                self._spans.append(Span(start, self._length, style))

    def _take(self) -> tuple[str, tuple[Span, ...]]:
        """The paragraph collected so far, and its spans; styles still open carry on."""
        text = "".join(self._parts).rstrip()
        spans = self._spans
        if self._opened:
            spans += [Span(start, self._length, style) for style, start in self._opened.items()]
        self._parts.clear()
        self._length, self._space, self._brs, self._spans = 0, True, 0, []
        if self._opened or self._depth["italic"] or self._depth["bold"]:
            self._opened = {style: 0 for style, depth in self._depth.items() if depth}
        return text, clean_spans(text, spans) if spans else ()

    def _flush(self) -> bool:
        if self._pre:
            return False
        if not self._parts:
            self._gap += self._brs
            self._brs = 0
            return False
        text, spans = self._take()
        if not text:
            return False
        kind = "heading" if self._level else "paragraph"
        self.items.append(self._item(kind, text, spans, self._level, self._gap))
        self._gap = 1
        return True

    def _flush_pre(self) -> None:
        """Preformatted text: paragraphs at blank lines, as in a plain text file."""
        text, _ = self._take()
        for index, para in enumerate(paragraphs(text)):
            if para.text.strip():
                gap = self._gap if index == 0 else para.gap
                self.items.append(self._item("paragraph", para.text.strip(), gap=gap))
                self._gap = 1


def clean_spans(text: str, spans: list[Span]) -> tuple[Span, ...]:
    """Spans inside the text, without white space at their ends, in order."""
    result = []
    length = len(text)
    for span in spans:
        start, end = span.start, min(span.end, length)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            result.append(span if start == span.start and end == span.end else Span(start, end, span.style))
    if len(result) > 1:
        result.sort(key=_span_order)
    return tuple(result)


_span_order = attrgetter("start", "end")


def flow(node: Node | None, skip: Callable[[Node], bool] | None = None) -> list[Item]:
    """The paragraphs in ``node``, less the elements ``skip`` says to leave out."""
    return Flow(skip).feed(node).finish() if node is not None else []


class ContextFlow(Flow):
    """A :class:`Flow` that also marks the paragraphs in a block quote or in a note element."""

    def __init__(self, is_note: Callable[[Node], bool], skip: Callable[[Node], bool] | None = None) -> None:
        super().__init__(skip)
        self._is_note = is_note
        self._quotes = 0
        self._notes = 0

    def _item(self, kind: str, text: str, spans: tuple[Span, ...] = (), level: int = 0, gap: int = 1) -> Item:
        return Item(kind, text, spans, level, gap, self._quotes > 0, self._notes > 0)

    def _enter(self, node: Node) -> tuple[str, ...]:
        styles = super()._enter(node)  # the text before it is flushed unmarked
        if node.tag == "blockquote":
            self._quotes += 1
        if node.raw and self._is_note(node):
            self._notes += 1
        return styles

    def _leave(self, node: Node, styles: tuple[str, ...], items_before: int) -> None:
        super()._leave(node, styles, items_before)  # the text inside it is flushed marked
        if node.tag == "blockquote":
            self._quotes -= 1
        if node.raw and self._is_note(node):
            self._notes -= 1
