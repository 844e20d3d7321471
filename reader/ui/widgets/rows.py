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
    its widgets at every frame, through its styles cache, and cuts them up at every row, only
    for the widgets' rows to win (0.15 ms of a page turn: issue 16). Where the widgets, as
    laid out, cover the screen, it has no rows to give; elsewhere its rows are kept until
    its size, CSS or a refresh of it changes them."""

    _kept: tuple[Region, object, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        kept, widgets = self._kept, self._compositor.visible_widgets
        if kept is None or kept[0] != crop or kept[1] is not widgets:  # a new layout: a new map
            rows = [] if covered(self, widgets, crop) else super().render_lines(crop)
            kept = self._kept = (crop, widgets, rows)
        return kept[2]

    def refresh(self, *regions: Region, **how: Any) -> CoveredScreen:
        self._kept = None
        return super().refresh(*regions, **how)

    def notify_style_update(self) -> None:
        self._kept = None
        super().notify_style_update()


def covered(screen: Screen[Any], widgets: dict[Widget, tuple[Region, Region]], crop: Region) -> bool:
    """Whether the ``widgets`` (region, clip) of ``screen`` leave no cell of ``crop`` uncovered."""
    shown = [region.intersection(clip) for widget, (region, clip) in widgets.items() if widget is not screen]
    for y in crop.line_range:
        reach = crop.x
        for region in sorted((r for r in shown if r.y <= y < r.bottom), key=lambda r: r.x):
            if region.x > reach:
                break
            reach = max(reach, region.right)
        if reach < crop.right:
            return False
    return True
