"""HTML stories: AO3 downloads, FanFicFare's HTML files, and any other page of prose.

The markup is read by a small, forgiving tokenizer (``re`` and ``html.unescape`` from the
standard library) into a light element tree: unclosed tags, stray end tags and a file cut
off in the middle of a tag still give the text they hold. It is about twice as fast as
``html.parser`` on long files, and never raises on odd markup.

Three kinds of file are told apart by their landmarks:

* an AO3 download: ``div#preface`` (a ``dl.tags`` of metadata, ``h1`` title, byline,
  summary and notes), ``div#chapters`` (per chapter a ``div.meta.group`` with an
  ``h2.heading``, then ``div.userstuff``, then end notes) and ``div#afterword``;
* FanFicFare's HTML: an ``h1`` title and byline, a title page of ``Label: value`` entries,
  a table of contents under ``a[name=TOCTOP]``, and chapters after ``a[name=sectionNNNN]``;
* anything else: ``h1``–``h3`` headings (the level that repeats) split chapters.
"""

from __future__ import annotations

import codecs
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from operator import attrgetter
from typing import Any

from reader.formats.decoding import DecodeError, decode
from reader.formats.errors import StoryError
from reader.formats.text import paragraphs
from reader.model import LIST_KEYS, METADATA_KEYS, Block, Chapter, Span, Story
from reader.structure import MAX_BLOCK_CHARS, Para, build_chapters, split_long

# --------------------------------------------------------------------------------------------
# Bytes to text


def parse(data: bytes, fallback_title: str) -> Story:
    text, encoding = _decode(data)
    # A long page makes a great many small objects and no reference cycles: the cyclic
    # collector would only walk them again and again (a third of the time on a 4 MB page).
    collecting = gc.isenabled()
    gc.disable()
    try:
        story = _read(text, fallback_title)
    except StoryError:
        raise
    except Exception as error:  # a bad file is a reason shown to the reader, never a traceback
        raise StoryError(f"the HTML could not be read ({type(error).__name__})") from None
    finally:
        if collecting:
            gc.enable()
    story.encoding = encoding
    return story


_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
#: Codecs a page may name that are not text encodings, or that UTF-8 and cp1252 already cover.
_IGNORED_CODECS = frozenset(
    {"utf-8", "cp1252", "iso8859-1", "latin-1", "ascii", "undefined", "idna", "punycode", "mbcs"}
)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: a byte-order mark, else UTF-8, else the page's declared charset."""
    if data[:2] in (b"<\x00", b"\x00<"):  # UTF-16 without a byte-order mark, starting with "<"
        codec = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
        text = data.decode(codec, errors="replace")
        sample = text[:8192]
        if sum(1 for c in sample if c < " " and c not in "\n\r\t\f") > len(sample) // 100:
            raise StoryError("this looks like a binary file, not text")
        return text.replace("\r\n", "\n").replace("\r", "\n"), codec
    try:
        text, encoding = decode(data)
    except DecodeError as error:
        raise StoryError(str(error)) from None
    if encoding == "cp1252":  # not UTF-8: the page may say what it is
        declared = _declared_encoding(data)
        if declared:
            try:
                text = data.decode(declared, errors="replace")
            except Exception:  # a codec that cannot decode after all: keep cp1252
                return text, encoding
            return text.replace("\r\n", "\n").replace("\r", "\n"), declared
    return text, encoding


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED.search(data, 0, 4096)
    if match is None:
        return None
    name = (match.group(1) or match.group(2) or b"").decode("ascii", errors="replace")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    codec = info.name
    if (
        codec in _IGNORED_CODECS
        or codec.startswith(("utf-16", "utf-32", "utf-7"))
        or "escape" in codec
        or not getattr(info, "_is_text_encoding", True)
    ):
        return None
    return codec


# --------------------------------------------------------------------------------------------
# Text to an element tree

_VOID = frozenset(
    "area base basefont br col embed frame hr img input keygen link meta param source track wbr".split()
)
#: Elements whose content is raw text, up to their end tag.
_RAW = ("script", "style", "title", "textarea")
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in _RAW}
#: What may stand in <head>; anything else closes it (a page that forgot </head> and <body>).
_HEAD_TAGS = frozenset("base basefont bgsound link meta title style script noscript template head".split())
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section table ul dd dt".split()
)
_INLINE = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark nobr q s samp small span "
    "strike strong sub sup time tt u var".split()
)
#: A start tag that closes an open sibling of its kind: (tags it closes, tags that stop the search).
_SIBLINGS = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "dl", "table", "td", "th", "body", "html"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl", "ul", "ol", "table", "td", "th", "body", "html"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl", "ul", "ol", "table", "td", "th", "body", "html"})),
    "tr": (frozenset({"tr"}), frozenset({"table", "tbody", "thead", "tfoot", "body", "html"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table", "body", "html"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table", "body", "html"})),
}
#: A tag, or the start of a comment, CDATA section or declaration. No part of a tag may hold a
#: "<", and a name ends where its attributes begin, so a "<" that starts no tag costs one scan to
#: the next "<", without backtracking: no page makes this quadratic.
_TOKEN = re.compile(
    r"<(?:(/?)([A-Za-z][^\t\n\f\r /<>]*)"
    r"""((?:[\t\n\f\r /][^<>"']*(?:(?:"[^<"]*"|'[^<']*')[^<>"']*)*)?)>"""
    r"|!--|!\[CDATA\[|[!?])"
)
_CUT_TAG = re.compile(r"</?[A-Za-z][^<>]{0,8192}$")
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")
_MAX_DEPTH = 300
_INDEXED = frozenset({"title", "h1", "meta", "link"})
#: Start tags that need more than being added to the tree.
_SLOW_TAGS = frozenset(_SIBLINGS) | _INDEXED | frozenset(_RAW)


class _Node:
    __slots__ = ("tag", "raw", "_attrs", "children")

    def __init__(self, tag: str, raw: str = "") -> None:
        self.tag = tag
        self.raw = raw
        self._attrs: dict[str, str] | None = None
        self.children: list[_Node | str] = []

    @property
    def attrs(self) -> dict[str, str]:
        if self._attrs is None:
            self._attrs = {}
            for match in _ATTR.finditer(self.raw):
                name, value = match.group(1).lower(), match.group(2) or ""
                if value[:1] in ("'", '"'):
                    value = value[1:-1]
                self._attrs.setdefault(name, unescape(value) if "&" in value else value)
        return self._attrs

    def get(self, name: str) -> str:
        return self.attrs.get(name, "") if self.raw else ""

    @property
    def classes(self) -> list[str]:
        return self.get("class").split()


class _Tree:
    """A forgiving element tree, with an index of the elements the readers look for."""

    def __init__(self, doc: str) -> None:
        self.root = _Node("#root")
        self.ids: dict[str, _Node] = {}
        self.anchors: list[_Node] = []  # <a name=…>
        self.heads: list[_Node] = []  # <meta> and <link>
        self.titles: list[_Node] = []
        self.h1: list[_Node] = []
        self.tags = 0
        self._stack = [self.root]
        self._open: dict[str, int] = {}  # how many of each tag are open
        self._build(doc)

    def _build(self, doc: str) -> None:
        n = len(doc)
        search, stack, open_ = _TOKEN.search, self._stack, self._open
        pos = tags = 0
        while pos < n:
            match = search(doc, pos)
            if match is None:
                self._tail(doc[pos:])
                break
            start = match.start()
            if start > pos:
                text = doc[pos:start]
                if "&" in text or open_.get("head"):
                    self._text(text)
                else:
                    stack[-1].children.append(text)
            pos = match.end()
            closing, name, raw = match.groups()
            if name is None:
                pos = self._other(doc, start, pos)
                continue
            name = name.lower()
            tags += 1
            if closing:
                if stack[-1].tag == name and len(stack) > 1 and name not in ("body", "html"):
                    stack.pop()
                    open_[name] -= 1
                elif open_.get(name) and name not in ("body", "html"):
                    self._close(name)
                continue
            if raw or name in _SLOW_TAGS or open_.get("head") or (name in _CLOSES_P and open_.get("p")):
                node = self._start(name, raw.strip())
                if name in _RAW and not node.raw.endswith("/"):
                    pos = self._raw_text(doc, node, pos)
            else:  # the common case, <p> or <i>, kept short
                node = _Node(name)
                stack[-1].children.append(node)
                if name not in _VOID and len(stack) < _MAX_DEPTH:
                    stack.append(node)
                    open_[name] = open_.get(name, 0) + 1
        self.tags = tags

    def _raw_text(self, doc: str, node: _Node, pos: int) -> int:
        """Skip a script or style; keep a title's text. Returns where to go on."""
        name = node.tag
        close = _RAW_END[name].search(doc, pos)
        if close is None:
            self._close(name)  # an unclosed <title> must not swallow the page
            return len(doc) if name in ("script", "style") else pos  # as a browser does with a script
        if name in ("title", "textarea") and close.start() > pos:
            content = doc[pos : close.start()]
            node.children.append(unescape(content) if "&" in content else content)
        self._close(name)
        return close.end()

    def _other(self, doc: str, start: int, pos: int) -> int:
        """A comment, CDATA section, declaration or processing instruction. Returns where to go on."""
        n = len(doc)
        token = doc[start:pos]
        if token == "<!--":
            if doc.startswith(">", pos) or doc.startswith("->", pos):  # <!--> and <!--->
                return doc.find(">", pos) + 1
            end = doc.find("-->", pos)
            if end >= 0:
                return end + 3
            end = doc.find(">", pos)  # never closed: end it at the next ">" rather than lose the rest
            return n if end < 0 else end + 1
        if token == "<![CDATA[":
            end = doc.find("]]>", pos)
            end = n if end < 0 else end
            self._text(doc[pos:end], escaped=False)
            return end + 3
        end = doc.find(">", pos)  # <!DOCTYPE …>, <?xml …?>
        return n if end < 0 else end + 1

    def _tail(self, text: str) -> None:
        """The text after the last tag, less a tag cut off by the end of the file."""
        cut = _CUT_TAG.search(text)
        self._text(text[: cut.start()] if cut else text)

    def _text(self, text: str, escaped: bool = True) -> None:
        if not text:
            return
        if escaped and "&" in text:
            text = unescape(text)
        if self._open.get("head") and not text.isspace():
            self._close("head")
        self._stack[-1].children.append(text)

    def _start(self, name: str, raw: str) -> _Node:
        open_ = self._open
        if open_.get("head") and name not in _HEAD_TAGS:
            self._close("head")
        if name in _CLOSES_P and open_.get("p"):
            self._close_p()
        sibling = _SIBLINGS.get(name)
        if sibling is not None and any(open_.get(tag) for tag in sibling[0]):
            self._close_sibling(*sibling)
        node = _Node(name, raw)
        stack = self._stack
        stack[-1].children.append(node)
        if raw:
            if ("id" in raw or "ID" in raw) and node.get("id"):
                self.ids.setdefault(node.get("id"), node)
            if name == "a" and ("name" in raw or "NAME" in raw) and node.get("name"):
                self.anchors.append(node)
        if name in _INDEXED:
            if name == "title":
                self.titles.append(node)
            elif name == "h1":
                self.h1.append(node)
            else:
                self.heads.append(node)
        if name not in _VOID and not raw.endswith("/") and len(stack) < _MAX_DEPTH:
            stack.append(node)
            open_[name] = open_.get(name, 0) + 1
        return node

    def _close(self, name: str) -> None:
        """Pop elements up to and including the innermost open ``name``."""
        stack, open_ = self._stack, self._open
        if not open_.get(name):
            return
        while len(stack) > 1:
            node = stack.pop()
            open_[node.tag] -= 1
            if node.tag == name:
                return

    def _close_p(self) -> None:
        stack = self._stack
        for index in range(len(stack) - 1, 0, -1):
            tag = stack[index].tag
            if tag == "p":
                self._close("p")
                return
            if tag not in _INLINE:
                return

    def _close_sibling(self, targets: frozenset[str], stops: frozenset[str]) -> None:
        stack = self._stack
        for index in range(len(stack) - 1, 0, -1):
            tag = stack[index].tag
            if tag in targets:
                self._close(tag)
                return
            if tag in stops:
                return


def _iter(node: _Node) -> Iterator[_Node]:
    """``node`` and the elements inside it, in document order."""
    stack: list[_Node | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, _Node):
            yield item
            stack.extend(reversed(item.children))


def _find(node: _Node | None, test: Callable[[_Node], bool]) -> _Node | None:
    if node is None:
        return None
    return next((item for item in _iter(node) if test(item)), None)


def _text(node: _Node | None) -> str:
    """The element's text on one line, white space collapsed."""
    if node is None:
        return ""
    parts: list[str] = []
    stack: list[_Node | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item is node or item.tag not in _SKIP:
            if item.tag == "br" or item.tag in _BLOCK or item.tag in ("td", "th"):
                parts.append(" ")
            stack.extend(reversed(item.children))
    return " ".join("".join(parts).split())


# --------------------------------------------------------------------------------------------
# An element tree to paragraphs with inline styles

_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu ol p pre "
    "section summary table tbody tfoot thead tr ul".split()
)
_SKIP = frozenset(
    "head script style title nav noscript template svg math iframe object embed select textarea button "
    "canvas audio video map".split()
)
_HEADING_LEVEL = {f"h{level}": level for level in range(1, 7)}
_STYLE_TAGS = {"i": "italic", "em": "italic", "b": "bold", "strong": "bold"}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*(?:italic|oblique)", re.I)


@dataclass(slots=True)
class _Item:
    """A paragraph (or heading, scene break, marker) as the page lays it out."""

    kind: str  # "paragraph", "heading", "scene_break", or a reader's marker ("chapter", "toc")
    text: str
    spans: tuple[Span, ...] = ()
    level: int = 0  # a heading's level, 1 to 6
    gap: int = 1  # as Para.gap: more than usual before it (empty paragraphs, <br>s) is a scene break


_Work = _Node | str | tuple[_Node, tuple[str, ...], int]


class _Flow:
    """Walks elements in document order, cutting their text into :class:`_Item` paragraphs."""

    def __init__(self, skip: Callable[[_Node], bool] | None = None) -> None:
        self.items: list[_Item] = []
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

    def feed(self, node: _Node | str) -> _Flow:
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
            elif type(item) is _Node and item.tag not in _SKIP and (skip is None or not skip(item)):
                styles = self._enter(item)
                if item.children:
                    push((item, styles, len(self.items)))
                    stack.extend(reversed(item.children))
                else:
                    self._leave(item, styles, len(self.items))
        return self

    def marker(self, kind: str, text: str = "") -> None:
        self._flush()
        self.items.append(_Item(kind, text))

    def finish(self) -> list[_Item]:
        self._flush()
        if self._pre:
            self._pre = 0
            self._flush_pre()
        return self.items

    def _enter(self, node: _Node) -> tuple[str, ...]:
        tag = node.tag
        if tag in _BLOCK:
            self._flush()
            if tag == "hr":
                self.items.append(_Item("scene_break", "", gap=self._gap))
                self._gap = 1
            elif tag in _HEADING_LEVEL:
                self._level = _HEADING_LEVEL[tag]
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

    def _leave(self, node: _Node, styles: tuple[str, ...], items_before: int) -> None:
        for style in styles:
            self._close_style(style)
        tag = node.tag
        if tag not in _BLOCK:
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
            if not self._pre:
                self._flush_pre()
            return
        emitted = self._flush()
        if tag in _HEADING_LEVEL:
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
        return text, _clean_spans(text, spans) if spans else ()

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
        self.items.append(_Item(kind, text, spans, self._level, self._gap))
        self._gap = 1
        return True

    def _flush_pre(self) -> None:
        """Preformatted text: paragraphs at blank lines, as in a plain text file."""
        text, _ = self._take()
        for index, para in enumerate(paragraphs(text)):
            if para.text.strip():
                gap = self._gap if index == 0 else para.gap
                self.items.append(_Item("paragraph", para.text.strip(), gap=gap))
                self._gap = 1


def _clean_spans(text: str, spans: list[Span]) -> tuple[Span, ...]:
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


def _flow(node: _Node | None, skip: Callable[[_Node], bool] | None = None) -> list[_Item]:
    return _Flow(skip).feed(node).finish() if node is not None else []


# --------------------------------------------------------------------------------------------
# Paragraphs to blocks


def _bolded(item: _Item) -> tuple[Span, ...]:
    """A heading that does not start a chapter stays a paragraph, in bold."""
    text = item.text
    return (Span(0, len(text), "bold"), *(s for s in item.spans if s.style != "bold"))


def _prose_paras(items: list[_Item]) -> list[Para]:
    paras = []
    for item in items:
        if item.kind == "scene_break":
            paras.append(Para("", item.gap, "scene_break"))
        elif item.kind == "heading":
            paras.append(Para(item.text, item.gap, "paragraph", _bolded(item)))
        elif item.kind == "paragraph":
            paras.append(Para(item.text, item.gap, None, item.spans))
    return paras


def _prose_blocks(items: list[_Item]) -> list[Block]:
    """Story text: scene breaks (rules, ``* * *``, wide gaps) and notes found as in plain text."""
    chapters = build_chapters(_prose_paras(items), "", detect_headings=False)
    return [block for chapter in chapters for block in chapter.blocks]


def _note_blocks(items: list[_Item]) -> list[Block]:
    blocks: list[Block] = []
    for item in items:
        if item.kind in ("paragraph", "heading") and item.text:
            if len(item.text) > MAX_BLOCK_CHARS:
                blocks.extend(Block("note", text, spans) for text, spans in split_long(item.text, item.spans))
            else:
                blocks.append(Block("note", item.text, item.spans))
    return blocks


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy(blocks: list[Block]) -> list[Block]:
    """No scene break first, last, or twice in a row."""
    result: list[Block] = []
    for block in blocks:
        if block.kind == "scene_break" and (not result or result[-1].kind in ("scene_break", "heading")):
            continue
        result.append(block)
    while result and result[-1].kind == "scene_break":
        result.pop()
    return result


@dataclass
class _Draft:
    """A chapter being put together: notes before, story text, notes after."""

    title: str
    before: list[Block] = field(default_factory=list)
    prose: _Flow = field(default_factory=_Flow)
    after: list[Block] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)

    def chapter(self) -> Chapter:
        title = _one_line(self.title)
        prose = _tidy(_prose_blocks(self.items + self.prose.finish()))
        return Chapter(title, [Block("heading", title), *self.before, *prose, *self.after])


@dataclass
class _Result:
    title: str
    author: str
    chapters: list[Chapter]
    metadata: dict[str, Any]


# --------------------------------------------------------------------------------------------
# The three kinds of page


def _read(doc: str, fallback_title: str) -> Story:
    """The story in an HTML document (no safety net: tests call this to find bugs)."""
    tree = _Tree(doc)
    if not tree.tags:  # plain text named .html (its entities read, its comments left out)
        plain = "".join(child for child in tree.root.children if isinstance(child, str))
        paras = [Para(p.text.strip(), p.gap) for p in paragraphs(plain) if p.text.strip()]
        if not paras:
            raise StoryError("no story text in the file")
        return Story(id="", title=fallback_title, author="", chapters=build_chapters(paras, fallback_title))
    result = _ao3(tree, fallback_title) or _fanficfare(tree, fallback_title) or _generic(tree, fallback_title)
    if not any(
        block.text for chapter in result.chapters for block in chapter.blocks if block.kind != "heading"
    ):
        raise StoryError("no story text in the file")
    return Story(
        id="",
        title=result.title or fallback_title,
        author=result.author,
        chapters=result.chapters,
        metadata=_clean_metadata(result.metadata),
    )


def _clean_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key in METADATA_KEYS:
        value = metadata.get(key)
        if key in LIST_KEYS:
            values = value if isinstance(value, list) else str(value or "").split(",")
            items = list(dict.fromkeys(_one_line(str(v)) for v in values))
            items = [item for item in items if item]
            if items:
                clean[key] = items
        elif value:
            text = str(value).strip() if key == "summary" else _one_line(str(value))
            if text:
                clean[key] = text
    return clean


def _title_tag(tree: _Tree) -> str:
    return _text(tree.titles[0]) if tree.titles else ""


# AO3 ----------------------------------------------------------------------------------------

_WORK_URL = re.compile(r"^https?://(?:www\.)?([^/\s?#]+)/works/(\d+)", re.I)
_AO3_LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tag": "tags",
    "additional tags": "tags",
    "language": "language",
    "series": "series",
    "stats": "stats",
}
_STATS = re.compile(r"(Published|Updated|Completed|Words|Chapters)\s*:\s*(\S+)", re.I)


def _ao3(tree: _Tree, fallback_title: str) -> _Result | None:
    chapters_node, preface = tree.ids.get("chapters"), tree.ids.get("preface")
    if chapters_node is None or preface is None:
        return None
    metadata: dict[str, Any] = {}
    for node in _iter(preface):
        match = _WORK_URL.match(node.get("href").strip()) if node.tag == "a" else None
        if match:
            metadata["source_url"] = f"https://{match.group(1).lower()}/works/{match.group(2)}"
            break
    tags = _find(preface, lambda n: n.tag == "dl" and "tags" in n.classes)
    if tags is not None:
        _ao3_tags(tags, metadata)
    title = _text(_find(preface, lambda n: n.tag == "h1"))
    if not title:
        message = _find(preface, lambda n: "message" in n.classes)
        title = _text(_find(message, lambda n: n.tag == "b")) or _title_tag(tree) or fallback_title
    byline = _find(preface, lambda n: "byline" in n.classes)
    authors = [_text(a) for a in _iter(byline) if a.tag == "a"] if byline is not None else []
    author = ", ".join(a for a in authors if a) or re.sub(r"^by\s+", "", _text(byline), flags=re.I)
    container = _find(preface, lambda n: n is not preface and "meta" in n.classes) or preface
    work_notes = _ao3_preface(container, metadata)

    drafts: list[_Draft] = []

    def current() -> _Draft:
        if not drafts:
            drafts.append(_Draft(title))
        return drafts[-1]

    afterword = tree.ids.get("afterword")
    for child in chapters_node.children:
        if isinstance(child, str):
            if not child.isspace():
                current().prose.feed(child)
            continue
        if child is afterword or child is preface:
            continue
        classes = child.classes
        if child.tag == "div" and "meta" in classes:
            heading = _find(child, lambda n: n.tag in ("h2", "h3") and "heading" in n.classes)
            skip = _skipper(heading, "endnote-link")
            if heading is not None or "group" in classes:
                drafts.append(_Draft(_text(heading) or f"Chapter {len(drafts) + 1}"))
                drafts[-1].before.extend(_note_blocks(_flow(child, skip)))
            else:  # a chapter's end notes
                current().after.extend(_note_blocks(_flow(child, skip)))
            continue
        current().prose.feed(child)
    current()
    drafts[0].before[:0] = work_notes
    drafts[-1].after.extend(_note_blocks(_flow(afterword, _skipper(None, "toc-heading", "message"))))
    return _Result(title, author, [draft.chapter() for draft in drafts], metadata)


def _skipper(node: _Node | None, *classes: str) -> Callable[[_Node], bool]:
    """Skip ``node`` and elements of any of these classes."""
    wanted = set(classes)
    return lambda n: n is node or (bool(n.raw) and not wanted.isdisjoint(n.classes))


def _ao3_tags(tags: _Node, metadata: dict[str, Any]) -> None:
    key = None
    for child in tags.children:
        if isinstance(child, str):
            continue
        if child.tag == "dt":
            key = _AO3_LABELS.get(_text(child).rstrip(":").strip().lower())
        elif child.tag == "dd" and key:
            if key == "stats":
                _ao3_stats(_text(child), metadata)
            elif key in LIST_KEYS:
                links = [_text(a) for a in _iter(child) if a.tag == "a"]
                metadata[key] = links or _text(child).split(",")
            else:
                metadata[key] = _text(child)
            key = None


def _ao3_stats(stats: str, metadata: dict[str, Any]) -> None:
    for label, value in _STATS.findall(stats):
        label = label.lower()
        if label == "published":
            metadata["published"] = value
        elif label in ("updated", "completed"):
            metadata["updated"] = value
            if label == "completed":
                metadata["status"] = "Complete"
        elif label == "words":
            metadata["words"] = value
        else:
            metadata["chapter_count"] = value
            done, _, total = value.partition("/")
            metadata["status"] = "Complete" if total and done == total else "In Progress"


def _ao3_preface(container: _Node, metadata: dict[str, Any]) -> list[Block]:
    """The summary (into metadata) and the work's notes (note blocks for chapter one)."""
    notes: list[Block] = []
    label = ""
    for child in container.children:
        if isinstance(child, str):
            continue
        classes = child.classes
        if child.tag in ("dl", "h1", "h2") or {"byline", "endnote-link", "message", "tags"} & set(classes):
            continue
        if child.tag == "p":
            label = _text(child)
            continue
        items = _flow(child)
        if child.tag == "blockquote" and (
            "summary" in label.lower() or (not label and "summary" not in metadata)
        ):
            metadata["summary"] = "\n\n".join(item.text for item in items if item.text)
        else:
            if label and child.tag == "blockquote":
                notes.append(Block("note", label))
            notes.extend(_note_blocks(items))
        label = ""
    return notes


# FanFicFare --------------------------------------------------------------------------------

_SECTION = re.compile(r"section\d+$", re.I)
_LABEL = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*(.*)$")
#: FanFicFare's title-page labels (its defaults.ini) and the metadata key each fills ("" = none).
_FFF_LABELS = {
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
    "characters": "characters",
    "relationships": "relationships",
    "pairings": "relationships",
    "ships": "relationships",
    "series": "series",
    "status": "status",
    "published": "published",
    "updated": "updated",
    "rating": "rating",
    "warnings": "warnings",
    "chapters": "chapter_count",
    "words": "words",
    "story url": "source_url",
    "summary": "summary",
    "description": "summary",
    "packaged": "",
    "publisher": "",
    "site": "",
    "site abbrev": "",
    "author url": "",
    "series url": "",
    "extra tags": "",
    "story id": "",
    "author id": "",
    "file format": "",
    "file extension": "",
    "downloader version": "",
    "ffdl version": "",
}


def _fanficfare(tree: _Tree, fallback_title: str) -> _Result | None:
    markers: dict[int, str] = {}
    for anchor in tree.anchors:
        name = anchor.get("name")
        if name == "TOCTOP":
            markers[id(anchor)] = "toc"
        elif _SECTION.match(name):
            markers[id(anchor)] = "chapter"
    if "chapter" not in markers.values():
        return None
    h1 = tree.h1[0] if tree.h1 else None
    flow = _Flow()

    def skip(node: _Node) -> bool:
        if node is h1:
            return True
        kind = markers.get(id(node)) if node.tag == "a" else None
        if kind is None:
            return False
        flow.marker(kind, _text(node) if kind == "chapter" else "")
        return True

    flow.skip = skip
    items = flow.feed(tree.root).finish()
    start = next((i for i, item in enumerate(items) if item.kind == "chapter"), None)
    if start is None:  # the anchors were somewhere the text is not read from
        return None
    start = next(i for i, item in enumerate(items) if item.kind in ("toc", "chapter"))
    metadata = _labelled(items[:start])

    drafts: list[_Draft] = []
    in_toc = False
    for item in items[start:]:
        if item.kind == "toc":
            in_toc = True
        elif item.kind == "chapter":
            in_toc = False
            drafts.append(_Draft(item.text))
        elif drafts and not in_toc:
            draft = drafts[-1]
            if not draft.title and not draft.items and item.kind == "heading":
                draft.title = item.text  # an empty anchor before the chapter's own heading
            else:
                draft.items.append(item)
    for number, draft in enumerate(drafts, 1):
        draft.title = draft.title or f"Chapter {number}"

    title, author, url = _fff_byline(h1, tree)
    if url and not metadata.get("source_url"):
        metadata["source_url"] = url
    title = str(metadata.pop("title", "") or title or fallback_title)
    author = str(metadata.pop("author", "") or author)
    return _Result(title, author, [draft.chapter() for draft in drafts], metadata)


def _fff_byline(h1: _Node | None, tree: _Tree) -> tuple[str, str, str]:
    """Title, author and story URL from ``<h1><a href=URL>Title</a> by Author</h1>``."""
    title = author = url = ""
    if h1 is not None:
        link = _find(h1, lambda n: n.tag == "a")
        title = _text(link)
        href = link.get("href").strip() if link is not None else ""
        url = href if href.lower().startswith(("http://", "https://")) else ""
        full = _text(h1)
        if title and full.startswith(title):
            rest = full[len(title) :].strip()
            author = rest[3:].strip() if rest.lower().startswith("by ") else ""
        elif not title:
            title = full
    if not title or not author:
        page_title, _, page_author = _title_tag(tree).rpartition(" by ")
        title = title or page_title
        author = author or page_author.strip()
    return title, author, url


def _labelled(items: list[_Item]) -> dict[str, Any]:
    """``Label: value`` entries (a table's rows, or lines split by ``<br>``); values may run on."""
    entries: list[tuple[str, str]] = []
    key: str | None = None
    value = ""
    for item in items:
        if item.kind not in ("paragraph", "heading"):
            continue
        offset = 0
        for number, line in enumerate(item.text.split("\n")):
            match = _LABEL.match(line)
            label = match.group(1).strip().lower() if match else ""
            bold = any(s.style == "bold" and s.start <= offset < s.end for s in item.spans)
            if match and (label in _FFF_LABELS or bold):
                if key is not None:
                    entries.append((key, value))
                key, value = _FFF_LABELS.get(label, ""), match.group(2).strip()
            elif key is not None and line.strip():
                separator = "\n\n" if number == 0 else "\n"
                value = f"{value}{separator}{line.strip()}" if value else line.strip()
            offset += len(line) + 1
    if key is not None:
        entries.append((key, value))
    metadata: dict[str, Any] = {}
    for name, text in entries:
        if name and text:
            metadata[name] = text.split(",") if name in LIST_KEYS else text
    return metadata


# Any other page ----------------------------------------------------------------------------

_BY = re.compile(r"^by\s+(\S.{0,79})$", re.I)


def _generic(tree: _Tree, fallback_title: str) -> _Result:
    items = _flow(tree.root)
    headings = [item for item in items if item.kind == "heading" and item.level <= 3]
    counts = Counter(item.level for item in headings)
    title_item = next((item for item in headings if item.level == 1), None) if counts[1] == 1 else None
    if title_item is not None:
        counts[1] = 0
    repeating = [level for level in (1, 2, 3) if counts[level] >= 2]
    present = [level for level in (1, 2, 3) if counts[level]]
    chapter_level = repeating[0] if repeating else (present[0] if present else 0)

    metadata: dict[str, Any] = {}
    author = ""
    for node in tree.heads:
        name = (node.get("name") or node.get("property")).lower()
        if node.tag == "meta" and name in ("author", "dc.creator") and not author:
            author = _one_line(node.get("content"))
        elif (node.tag == "link" and "canonical" in node.get("rel").lower().split()) or (
            node.tag == "meta" and name == "og:url"
        ):
            url = node.get("href" if node.tag == "link" else "content").strip()
            if url.lower().startswith(("http://", "https://")):
                metadata.setdefault("source_url", url)

    paras: list[Para] = []
    after_title = False
    for item in items:
        if item is title_item:
            after_title = True
            continue
        if after_title and not author and item.kind == "paragraph" and (match := _BY.match(item.text)):
            author = match.group(1).strip()
            after_title = False
            continue
        after_title = False
        if item.kind == "scene_break":
            paras.append(Para("", item.gap, "scene_break"))
        elif item.kind == "heading" and item.level == chapter_level:
            paras.append(Para(_one_line(item.text), item.gap, "heading"))
        elif item.kind == "heading":
            paras.append(Para(item.text, item.gap, "paragraph", _bolded(item)))
        elif item.kind == "paragraph":
            paras.append(Para(item.text, item.gap, None, item.spans))
    title = _one_line(title_item.text) if title_item is not None else _title_tag(tree)
    title = title or fallback_title
    chapters = build_chapters(paras, default_title=title, detect_headings=not chapter_level)
    chapters = [Chapter(chapter.title, _tidy(chapter.blocks)) for chapter in chapters]
    return _Result(title, author, [chapter for chapter in chapters if chapter.blocks], metadata)
