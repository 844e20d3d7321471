"""Rows a widget draws itself, handed to Textual's compositor without its styles cache.

Textual's styles cache draws a widget's border, padding, tint and the like around its rows;
a widget with none of them may give the compositor its rows as they are, after Textual's
colour filters: what :class:`~reader.ui.widgets.page_view.PageView` and
:class:`~reader.ui.widgets.status_line.StatusLine` do, for a cheaper page turn (issue 16).
"""

from __future__ import annotations

from textual.color import Color
from textual.geometry import Region
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
