"""A table of many rows that renders only the rows on screen (Textual's line API).

The library can hold thousands of stories: a DataTable builds every cell of every row up
front, this widget asks for the cells of a row only when the row scrolls into view, and
keeps them until told they changed. A new order or a filter is just a new list of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.ui.bindings import STORY_TABLE

#: Cells of one row, by column label.
Cells = dict[str, "Text | str"]
#: Blank cells each side of a column.
PADDING = 1


class StoryTable(ScrollView, can_focus=True):
    """Rows of any objects; ``cells(row)`` gives a row's cells and ``key(row)`` its identity.

    Line 0 is the header (it does not scroll); line ``y`` below it shows row
    ``scroll_y + y - 1``.
    """

    BINDINGS: ClassVar[list[BindingType]] = STORY_TABLE.bindings()

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-table--header",
        "story-table--cursor",
        "story-table--even-row",
        "story-table--odd-row",
    }

    DEFAULT_CSS = """
    StoryTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .story-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .story-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .story-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .story-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .story-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowMessage(Message):
        """Something about the row at ``index``."""

        def __init__(self, table: StoryTable, index: int, row: Any) -> None:
            super().__init__()
            self.table, self.index, self.row = table, index, row

        @property
        def control(self) -> StoryTable:
            return self.table

    class Highlighted(RowMessage):
        """The cursor moved to another row (or the rows under it changed)."""

    class Selected(RowMessage):
        """Enter, or a click on the row under the cursor."""

    class HeaderSelected(Message):
        """A click on a column's label."""

        def __init__(self, table: StoryTable, label: str) -> None:
            super().__init__()
            self.table, self.label = table, label

        @property
        def control(self) -> StoryTable:
            return self.table

    def __init__(
        self,
        cells: Callable[[Any], Cells],
        key: Callable[[Any], Hashable],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._cells = cells
        self._key = key
        self.rows: Sequence[Any] = ()
        self.columns: list[tuple[str, int]] = []
        self.cursor = 0
        #: What the table says when it has no rows (why, and what brings them back).
        self.empty = ""
        self._strips: dict[Hashable, Strip] = {}
        #: Rows whose cells were worked out, ever (tests count them).
        self.cells_made = 0

    # Data ----------------------------------------------------------------------------

    def set_columns(self, columns: list[tuple[str, int]]) -> None:
        if columns != self.columns:
            self.columns = list(columns)
            self._strips.clear()
            self.refresh()

    def set_rows(self, rows: Sequence[Any], keep: Hashable | None = None, empty: str = "") -> None:
        """Show ``rows``; the cursor stays on the row whose key is ``keep`` when it is shown.
        ``empty``: the line shown when there are none."""
        old = self.cursor
        self.rows = rows
        self.empty = empty
        index = -1
        if keep is not None:
            index = next((i for i, row in enumerate(rows) if self._key(row) == keep), -1)
        self.cursor = index if index >= 0 else max(0, min(old, len(rows) - 1))
        self._update_size()
        self._scroll_to_cursor()
        self.refresh()
        self._post_highlighted()

    def invalidate(self, keys: Sequence[Hashable] | None = None) -> None:
        """Cells of these rows (all when ``None``) changed: work them out again when shown."""
        if keys is None:
            self._strips.clear()
        else:
            for key in keys:
                self._strips.pop(key, None)
        self.refresh()

    @property
    def highlighted(self) -> Any:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # Cursor --------------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if index == self.cursor:
            return
        old, self.cursor = self.cursor, index
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        self._scroll_to_cursor()
        self._post_highlighted()

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(1, self._page_rows() - 1))

    def action_jump(self, index: int) -> None:
        self.move_cursor(index if index >= 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.cursor, self.highlighted))

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        page = self._page_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True)

    def _post_highlighted(self) -> None:
        self.post_message(self.Highlighted(self, self.cursor, self.highlighted))

    def _update_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)

    # Mouse and focus -----------------------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 0
            for label, width in self.columns:
                x += width + 2 * PADDING
                if offset.x < x:
                    self.post_message(self.HeaderSelected(self, label))
                    break
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor:
                self.action_select()
            else:
                self.move_cursor(index)

    def on_resize(self) -> None:
        self._update_size()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self.refresh()

    # Rendering -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            header = Text.assemble(
                *(_pad(Text(label, no_wrap=True, overflow="ellipsis"), w) for label, w in self.columns)
            )
            style = self.get_component_rich_style("story-table--header")
            return _strip(header, self, width, style)
        index = round(self.scroll_y) + y - 1
        if not self.rows and self.empty:
            said = Text(self.empty, style="italic").wrap(self.app.console, max(8, width - 2 * PADDING))
            if 2 <= y < 2 + len(said):  # under a blank line, wrapped to the width
                line = said[y - 2]
                line.pad(PADDING)
                return _strip(line, self, width, self.rich_style)
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        key = self._key(row)
        strip = self._strips.get(key)
        if strip is None:
            self.cells_made += 1
            cells = self._cells(row)
            line = Text.assemble(*(_pad(_text(cells.get(label, "")), w) for label, w in self.columns))
            strip = self._strips[key] = _strip(line, self, width, None)
        if index == self.cursor:
            component = "story-table--cursor"
        else:
            component = "story-table--even-row" if index % 2 else "story-table--odd-row"
        style = self.rich_style + self.get_component_rich_style(component)
        return strip.adjust_cell_length(width).apply_style(style)


def _text(cell: Text | str) -> Text:
    return cell.copy() if isinstance(cell, Text) else Text(cell)


def _pad(text: Text, width: int) -> Text:
    """The cell ``width`` wide (cut with an ellipsis, aligned as the cell says), padded."""
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis", pad=False)
    room = width - text.cell_len
    if room > 0:
        if text.justify == "right":
            text.pad_left(room)
        else:
            text.pad_right(room)
    text.pad(PADDING)
    return text


def _strip(line: Text, table: StoryTable, width: int, style: Style | None) -> Strip:
    segments = list(line.render(table.app.console, end=""))
    strip = Strip(Segment(s.text.replace("\n", " "), s.style, s.control) for s in segments)
    strip = strip.adjust_cell_length(width)
    return strip.apply_style(style) if style is not None else strip
