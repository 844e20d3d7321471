"""A one-row line of plain text (the reading screen's status line), drawn as one strip."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult
from textual.color import Color
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from reader.ui.widgets.rows import finished, plain_box


class StatusLine(Widget):
    """Plain text on one row, cropped to the width. A Static re-laid its text out and drew
    it through the styles cache at every page turn (0.3 ms of it, measured: issue 16); this
    draws one strip, its style worked out once per size and CSS change."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text
        self._look: tuple[Size, Style, Color, bool] | None = None
        self._drawn: tuple[object, list[Strip]] | None = None  # (what it was drawn for, rows)

    def show(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> RenderResult:
        """The text, for Textual's own drawing (CSS with a border, padding…) and for tests."""
        return self.text

    def notify_style_update(self) -> None:
        self._look = None
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        look = self._look
        if look is None or look[0] != self.outer_size:
            look = self._look = (self.outer_size, self.rich_style, self.background_colors[1], plain_box(self))
        size, style, background, plain = look
        if not plain:
            return super().render_lines(crop)
        if self._drawn is not None and self._drawn[0] == (self.text, look, crop):
            return self._drawn[1]  # the same rows: the compositor's cuts and codes are kept in them
        width = size.width
        first = Strip([Segment(self.text, style)]).adjust_cell_length(width, style)
        strips = [first if y == 0 else Strip.blank(width, style) for y in crop.line_range]
        strips = finished(self, strips, crop, width, background)
        self._drawn = ((self.text, look, crop), strips)
        return strips
