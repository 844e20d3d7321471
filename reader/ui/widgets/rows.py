"""Rows a widget draws itself, handed to Textual's compositor without its styles cache.

Textual's styles cache draws a widget's border, padding, tint and the like around its rows;
a widget with none of them may give the compositor its rows as they are, after Textual's
colour filters: what :class:`~reader.ui.widgets.page_view.PageView` and
:class:`~reader.ui.widgets.status_line.StatusLine` do, for a cheaper page turn (issue 16).
"""

from __future__ import annotations

from typing import Any

from textual.color import Color
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

#: CSS that Textual's styles cache draws around or over a widget's rows.
_BOX_EFFECTS = ("tint", "hatch", "outline_top", "outline_right", "outline_bottom", "outline_left")


def plain_box(widget: Widget) -> bool:
    """True when CSS gives ``widget`` nothing for the styles cache to draw around its rows."""
    styles = widget.styles
    return not (styles.gutter or widget.opacity != 1.0 or styles.has_any_rules(*_BOX_EFFECTS))


def finished(widget: Widget, strips: list[Strip], crop: Region, width: int, background: Color) -> list[Strip]:
    """``strips`` (the rows of ``crop``, ``width`` cells wide) through Textual's colour filters,
    cut to the columns asked for."""
    for line_filter in widget.get_line_filters():
        strips = [strip.apply_filter(line_filter, background) for strip in strips]
    if crop.column_span != (0, width):
        strips = [strip.crop(*crop.column_span) for strip in strips]
    return strips


class CoveredScreen(Screen[None]):
    """A screen whose widgets cover it. Textual's compositor draws a screen's own rows under
    its widgets at every frame, through its styles cache (0.08 ms of a page turn: issue 16);
    these rows are kept instead, until the screen's size, CSS or a refresh of it changes them."""

    _kept: tuple[Region, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        kept = self._kept
        if kept is None or kept[0] != crop:
            kept = self._kept = (crop, super().render_lines(crop))
        return kept[1]

    def refresh(self, *regions: Region, **how: Any) -> CoveredScreen:
        self._kept = None
        return super().refresh(*regions, **how)

    def notify_style_update(self) -> None:
        self._kept = None
        super().notify_style_update()
