"""The page: the lines of one laid-out page, drawn through Textual's line API."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from reader.layout import Line, Page
from reader.model import Chapter
from reader.ui.widgets.rows import finished, plain_box

SCENE_BREAK = "*   *   *"
#: Smaller than this, the page shows a note instead of text.
MIN_PAGE = (20, 3)


class Look(NamedTuple):
    """What every line of a page is drawn with, worked out once a frame rather than once a line
    (Textual's ``size`` and ``rich_style`` walk the DOM: most of a page turn's cost, measured)."""

    outer: Size  # the widget's size when this was worked out: the key
    width: int
    height: int
    base: Style
    heading: Style
    note: Style
    scene_break: Style
    match: Style
    current: Style
    background: Color  # what Textual's colour filters are given
    plain: bool  # CSS draws nothing around the rows (see rows.plain_box)


class Shown(NamedTuple):
    """A page and how it is drawn: the key of a drawn page."""

    chapter: Chapter
    page: Page
    text_width: int
    marks: tuple[tuple[int, int], ...]
    current: tuple[int, int] | None
    indent: int
    justify: bool


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
        self._look: Look | None = None
        self._shown: Shown | None = None
        self._drawn: list[tuple[Shown, Look, list[Strip]]] = []  # the last few pages drawn

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
        self._shown = None if chapter is None or page is None else Shown(chapter, page, *self._how())
        self.refresh()

    def _how(self) -> tuple[int, tuple[tuple[int, int], ...], tuple[int, int] | None, int, bool]:
        return self.text_width, tuple(self.marks), self.current, self.indent, self.justify

    def prepare(self, chapter: Chapter, page: Page) -> None:
        """Draw ``page`` (the one the reader will likely turn to) ahead, as the shown one is
        drawn, so that showing it costs no drawing. Call when idle."""
        if self.size.area:
            self._strips(Shown(chapter, page, self.text_width, (), None, self.indent, self.justify))

    def _strips(self, shown: Shown) -> list[Strip]:
        look = self.look()
        for drawn in self._drawn:
            if drawn[1] is look and drawn[0].chapter is shown.chapter and drawn[0] == shown:
                return drawn[2]
        strips = [self._draw(shown, look, line) for line in shown.page.lines]
        filters, console = self.get_line_filters(), self.app.console
        for strip in strips:  # Textual's colour filters keep what they made in the strip: now
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, look.background)
            strip.render(console)  # and so does the strip its terminal codes, which a frame writes
        self._drawn = [*self._drawn[-2:], (shown, look, strips)]
        return strips

    @property
    def too_small(self) -> bool:
        look = self.look()
        return look.width < MIN_PAGE[0] or look.height < MIN_PAGE[1]

    def look(self) -> Look:
        """The size and styles lines are drawn with, kept while the size and the CSS stay."""
        look = self._look
        if look is None or look.outer != self.outer_size:
            size, base = self.size, self.rich_style

            def part(name: str) -> Style:
                return self.get_component_rich_style(name, partial=True)

            look = self._look = Look(
                self.outer_size,
                size.width,
                size.height,
                base,
                base + part("pageview--heading"),
                base + part("pageview--note"),
                base + part("pageview--break"),
                part("pageview--match"),
                part("pageview--current"),
                self.background_colors[1],
                plain_box(self),
            )
        return look

    def notify_style_update(self) -> None:
        self._look = None
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        """The page's rows as drawn ahead or now; through Textual's styles cache only when CSS
        gives the page a border, padding, tint or opacity that the rows do not carry."""
        look = self.look()
        if not look.plain:
            return super().render_lines(crop)
        if self._shown is None or self.message or self.too_small:
            rows = [self.render_line(y) for y in crop.line_range]
        else:  # the page's rows, looked up once rather than once a row
            strips, blank = self._strips(self._shown), Strip.blank(look.width, look.base)
            rows = [strips[y] if y < len(strips) else blank for y in crop.line_range]
        return finished(self, rows, crop, look.width, look.background)

    def render_line(self, y: int) -> Strip:
        look = self.look()
        width, base = look.width, look.base
        if self.message or width < MIN_PAGE[0] or look.height < MIN_PAGE[1]:
            text = self.message or ("Terminal too small" if width >= 20 else "Too small")
            if y == look.height // 2:
                return Strip([Segment(text[:width].center(width), base)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if self._shown is None:
            return Strip.blank(width, base)
        strips = self._strips(self._shown)
        return strips[y] if y < len(strips) else Strip.blank(width, base)

    def _draw(self, shown: Shown, look: Look, line: Line) -> Strip:
        width, base = look.width, look.base
        column = min(shown.text_width, width)
        margin = (width - column) // 2
        segments = [Segment(" " * margin, base)] if margin else []
        segments.extend(_line_segments(shown, line, column, look))
        strip = Strip(segments).adjust_cell_length(width, base)
        # Runs of one style as one segment: each segment costs the compositor a cut and the
        # terminal an SGR sequence (a plain row: one instead of three, half the bytes written).
        return Strip(Segment.simplify(strip), width)

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Turn(1 if event.x >= self.size.width // 2 else -1))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.post_message(self.Turn(1))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.post_message(self.Turn(-1))


class StoryPage(PageView):
    """The reading screen's page view, telling its screen when its size changes. It holds
    the focus while reading, so that keys come to the screen through it as they do in the
    library."""

    can_focus = True

    class Resized(Message):
        pass

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


ITALIC = Style(italic=True)
BOLD = Style(bold=True)


def _line_segments(shown: Shown, line: Line, column: int, look: Look) -> list[Segment]:
    """The segments of one row of text in a column ``column`` cells wide."""
    chapter = shown.chapter
    if line.kind == "blank":
        return []
    base = look.base
    if line.kind == "scene_break":
        return [Segment(SCENE_BREAK.center(column).rstrip(), look.scene_break)]
    text = chapter.text[line.start : line.end]
    pad: list[Segment] = []
    style = base
    if line.kind == "heading":
        style = look.heading
        pad = [Segment(" " * max(0, (column - cell_len(text)) // 2), base)]
    elif line.kind == "note":
        style = look.note
    block = chapter.blocks[line.block]
    block_start = chapter.block_starts[line.block]
    if line.kind == "paragraph" and shown.indent and line.start == block_start:
        pad = [Segment(" " * shown.indent, base)]
    ranges = [
        (span.start + block_start, span.end + block_start, ITALIC if span.style == "italic" else BOLD)
        for span in block.spans
    ]
    if shown.marks:
        ranges.extend(
            (start, end, look.current if (start, end) == shown.current else look.match)
            for start, end in shown.marks
            if end > line.start and start < line.end
        )
    segments = [Segment(text, style)] if not ranges else _styled(text, line.start, ranges, style)
    last = line.end >= block_start + len(block.text)
    if shown.justify and line.kind in ("paragraph", "note") and not last:
        used = sum(len(s.text) for s in pad) + cell_len(text)
        segments = _justified(segments, column - used)
    return pad + segments


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
