"""The page: the lines of one laid-out page, drawn through Textual's line API."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from reader.layout import Line, Page
from reader.model import Chapter

SCENE_BREAK = "*   *   *"
#: Smaller than this, the page shows a note instead of text.
MIN_PAGE = (20, 3)


class PageView(Widget):
    """Shows one page in a centred text column. Clicks and the wheel ask for page turns."""

    DEFAULT_CSS = """
    PageView {
        width: 1fr;
        height: 1fr;
        background: $background;
        color: $foreground;
    }
    PageView > .pageview--heading { text-style: bold; color: $primary; }
    PageView > .pageview--note { color: $text-muted; text-style: italic; }
    PageView > .pageview--break { color: $text-muted; }
    PageView > .pageview--match { background: $warning 40%; }
    PageView > .pageview--current { background: $warning; color: $background; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "pageview--heading",
        "pageview--note",
        "pageview--break",
        "pageview--match",
        "pageview--current",
    }

    class Turn(Message):
        """The reader clicked or scrolled: ``step`` is +1 (forward) or -1 (back)."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page: Page | None = None
        self.chapter: Chapter | None = None
        self.text_width = 70
        self.message = ""
        #: Found text to highlight on this page: [start, end) in the chapter, and the current one.
        self.marks: list[tuple[int, int]] = []
        self.current: tuple[int, int] | None = None
        self.indent = 0  # cells before a paragraph's first line (0: blank lines between them)
        self.justify = False

    def show(
        self,
        chapter: Chapter | None,
        page: Page | None,
        text_width: int,
        message: str = "",
        marks: list[tuple[int, int]] | None = None,
        current: tuple[int, int] | None = None,
        indent: int = 0,
        justify: bool = False,
    ) -> None:
        self.chapter, self.page, self.text_width, self.message = chapter, page, text_width, message
        self.marks, self.current = marks or [], current
        self.indent, self.justify = indent, justify
        self.refresh()

    @property
    def too_small(self) -> bool:
        return self.size.width < MIN_PAGE[0] or self.size.height < MIN_PAGE[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if self.message or self.too_small:
            text = self.message or ("Terminal too small" if width >= 20 else "Too small")
            if y == self.size.height // 2:
                return Strip([Segment(text[:width].center(width), base)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        page, chapter = self.page, self.chapter
        if page is None or chapter is None or y >= len(page.lines):
            return Strip.blank(width, base)
        column = min(self.text_width, width)
        margin = (width - column) // 2
        segments = [Segment(" " * margin, base)] if margin else []
        segments.extend(self._line_segments(chapter, page.lines[y], column, base))
        return Strip(segments).adjust_cell_length(width, base)

    def _line_segments(self, chapter: Chapter, line: Line, column: int, base: Style) -> list[Segment]:
        if line.kind == "blank":
            return []
        if line.kind == "scene_break":
            style = base + self.get_component_rich_style("pageview--break", partial=True)
            return [Segment(SCENE_BREAK.center(column).rstrip(), style)]
        text = chapter.text[line.start : line.end]
        pad: list[Segment] = []
        style = base
        if line.kind == "heading":
            style = base + self.get_component_rich_style("pageview--heading", partial=True)
            pad = [Segment(" " * max(0, (column - cell_len(text)) // 2), base)]
        elif line.kind == "note":
            style = base + self.get_component_rich_style("pageview--note", partial=True)
        block = chapter.blocks[line.block]
        block_start = chapter.block_starts[line.block]
        if line.kind == "paragraph" and self.indent and line.start == block_start:
            pad = [Segment(" " * self.indent, base)]
        ranges = [
            (span.start + block_start, span.end + block_start, ITALIC if span.style == "italic" else BOLD)
            for span in block.spans
        ]
        if self.marks:
            match = self.get_component_rich_style("pageview--match", partial=True)
            current = self.get_component_rich_style("pageview--current", partial=True)
            ranges.extend(
                (start, end, current if (start, end) == self.current else match)
                for start, end in self.marks
                if end > line.start and start < line.end
            )
        segments = [Segment(text, style)] if not ranges else _styled(text, line.start, ranges, style)
        last = line.end >= block_start + len(block.text)
        if self.justify and line.kind in ("paragraph", "note") and not last:
            used = sum(len(s.text) for s in pad) + cell_len(text)
            segments = _justified(segments, column - used)
        return pad + segments

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Turn(1 if event.x >= self.size.width // 2 else -1))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.post_message(self.Turn(1))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.post_message(self.Turn(-1))


ITALIC = Style(italic=True)
BOLD = Style(bold=True)


def _styled(text: str, offset: int, ranges: list[tuple[int, int, Style]], style: Style) -> list[Segment]:
    """Cut ``text`` (which starts at ``offset`` in the chapter) where styled ranges begin and end."""
    cuts = {0, len(text)}
    for start, end, _ in ranges:
        for point in (start - offset, end - offset):
            if 0 < point < len(text):
                cuts.add(point)
    points = sorted(cuts)
    segments = []
    for a, b in zip(points, points[1:], strict=False):
        piece_style = style
        for start, end, extra in ranges:
            if start - offset <= a and b <= end - offset:
                piece_style += extra
        segments.append(Segment(text[a:b], piece_style))
    return segments


def _justified(segments: list[Segment], extra: int) -> list[Segment]:
    """Widen the spaces between words by ``extra`` cells in all, evenly, left gaps first.

    Only spaces grow, inside the segment that holds them, so highlights stay on their words.
    """
    gaps = sum(segment.text.count(" ") for segment in segments)
    if extra <= 0 or not gaps:
        return segments
    each, more = divmod(extra, gaps)
    result = []
    seen = 0
    for segment in segments:
        if " " not in segment.text:
            result.append(segment)
            continue
        pieces = segment.text.split(" ")
        text = pieces[0]
        for piece in pieces[1:]:
            text += " " * (1 + each + (1 if seen < more else 0)) + piece
            seen += 1
        result.append(Segment(text, segment.style))
    return result
