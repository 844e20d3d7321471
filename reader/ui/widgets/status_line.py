"""A one-row line of plain text (the reading screen's status line), drawn as one strip."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult
from textual.color import Color
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from reader.ui.widgets.rows import finished, plain_box


class StatusLine(Widget):
    """Plain text on one row, ``pad`` cells in from each side, cut with "…" where it does
    not fit. A Static re-laid its text out and drew it through the styles cache at every
    page turn, the title's too (0.3 ms of a turn, measured: issue 16); this draws one strip,
    its style worked out once per size and CSS change, and the same strip while the text
    stays."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, text: str = "", *, pad: int = 0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text
        self.pad = pad
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
        width, pad = size.width, " " * self.pad
        first = Strip([Segment(f"{pad}{fitted(self.text, width - 2 * self.pad)}{pad}", style)])
        first = first.adjust_cell_length(width, style)
        strips = [first if y == 0 else Strip.blank(width, style) for y in crop.line_range]
        strips = finished(self, strips, crop, width, background)
        self._drawn = ((self.text, look, crop), strips)
        return strips


def fitted(text: str, width: int) -> str:
    """``text``, ending in "…" where it is more than ``width`` cells wide."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""
