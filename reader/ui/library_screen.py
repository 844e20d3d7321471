"""The library: every story in a table, most recently read first; type to filter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from reader.library import Entry, matches, missing_entries, recent_first, scan
from reader.ui.late_keys import TextBox, type_into
from reader.ui.library_rows import COLUMNS, cells, column_widths, details, new_chapters

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

#: Sort orders, in the order ``s`` cycles through them.
SORTS = ("recent", "title", "author", "length", "progress")
#: The details pane shows when the terminal is at least this tall.
DETAILS_MIN_HEIGHT = 20


class LibraryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open the story", show=False, id="library.open"),
        Binding("c", "continue", "Continue the last story read", id="library.continue"),
        Binding("n", "new_chapters", "Open at the first new chapter", id="library.new_chapters"),
        Binding("S", "search", "Search every story in the library", id="library.search"),
        Binding("i", "details", "Show or hide the details pane", id="library.details"),
        Binding("s", "sort", "Next sort order (recent, title, author, length, progress)", id="library.sort"),
        Binding("r", "reverse", "Reverse the order", id="library.reverse"),
        Binding("slash", "filter", "Filter", key_display="/", id="library.filter"),
        Binding("escape", "clear_filter", "Clear the filter", id="library.clear_filter"),
        Binding("question_mark", "app.help", "Help", key_display="?", id="library.help"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    class Scanned(Message):
        def __init__(self, entries: list[Entry]) -> None:
            super().__init__()
            self.entries = entries

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.entries: list[Entry] = []
        self.shown: list[Entry] = []
        self.sort = "recent"
        self.reverse = False
        self.show_details = True

    @property
    def reader_app(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(f"Library — {self.root}", id="title-bar")
        yield TextBox(
            id="filter",
            placeholder="Type to filter: title, author, fandom, rating, status, relationships, tags…",
            select_on_focus=False,
        )
        yield DataTable(id="stories", cursor_type="row", zebra_stripes=True)
        yield Static("", id="details")
        yield Static("Reading the library…", id="status-bar")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Scanned(scan(self.root)))

    @on(Scanned)
    def _scanned(self, message: Scanned) -> None:
        state = self.reader_app.state
        moved = state.reconcile([(e.id, e.title, e.author) for e in message.entries if not e.error])
        self.entries = message.entries + missing_entries(self.root, message.entries, state.stories)
        if moved:
            self.reader_app.save_now()
            self.app.notify(
                f"{len(moved)} stor{'ies' if len(moved) > 1 else 'y'} renamed or moved: the place is kept.",
                timeout=5,
            )
        self.refresh_rows()

    def on_screen_resume(self) -> None:
        if self.entries:
            self.refresh_rows()

    # Rows ----------------------------------------------------------------------------

    def sort_key(self, entry: Entry) -> tuple:
        state = self.reader_app.state
        if self.sort == "title":
            return (entry.title.casefold(),)
        if self.sort == "author":
            return (entry.author.casefold(), entry.title.casefold())
        if self.sort == "length":
            return (-entry.words,)
        if self.sort == "progress":
            return (-state.progress(entry.id), entry.title.casefold())
        return recent_first(entry.title, state.last_read(entry.id))

    def on_resize(self) -> None:
        if self.entries:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        keep = self.highlighted()
        columns = column_widths(self.app.size.width)
        if [(str(c.label), c.width) for c in table.columns.values()] != columns:
            table.clear(columns=True)
            for label, width in columns:
                table.add_column(label, width=width, key=label)
        query = self.query_one("#filter", TextBox).value
        shown = [e for e in self.entries if matches(e, query)]
        shown.sort(key=self.sort_key, reverse=self.reverse)
        self.shown = shown
        table.clear()
        state = self.reader_app.state
        for entry in shown:
            row = cells(entry, state)
            table.add_row(*(row.get(label, "") for label, _ in columns), key=entry.id)
        if keep is not None and keep in shown:
            table.move_cursor(row=shown.index(keep))
        self.update_status()

    def update_status(self) -> None:
        status = self.query_one("#status-bar", Static)
        entry = self.highlighted()
        pane = self.query_one("#details", Static)
        pane.display = self.show_details and self.app.size.height >= DETAILS_MIN_HEIGHT and bool(self.entries)
        if pane.display:
            pane.update(details(entry, self.reader_app.state))
        order = f"{self.sort}{' (reversed)' if self.reverse else ''}"
        count = (
            f"{len(self.shown)} of {len(self.entries)} stories"
            if len(self.shown) != len(self.entries)
            else f"{len(self.entries)} stories"
        )
        if entry is not None and entry.error:
            text = Text(f" {entry.error}", style="red")
        elif not self.entries:
            text = Text(f" No stories found in {self.root} (.txt, .md, .html, .epub, story folders)")
        else:
            parts = [count, f"by {order}", "Enter read", "c continue", "s sort", "? help"]
            while len(parts) > 2 and len(" · ".join(parts)) + 2 > self.app.size.width:
                parts.pop(-2)  # the least needed hints go first; "? help" stays
            text = Text(" " + " · ".join(parts))
        status.update(text)

    def highlighted(self) -> Entry | None:
        row = self.query_one(DataTable).cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.update_status()

    # Actions -------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        if entry.error:
            if entry.missing:
                self.app.notify(entry.error, title="Story file missing", severity="warning", timeout=6)
            else:
                self.app.notify(entry.error, title="Cannot open story", severity="error", timeout=6)
            return
        from reader.ui.reading import ReadingScreen

        self.app.push_screen(ReadingScreen(entry.path, self.root))

    def action_continue(self) -> None:
        state = self.reader_app.state
        read = [e for e in self.entries if not e.error and state.last_read(e.id)]
        if not read:
            self.app.notify("Nothing read yet: pick a story and press Enter.", timeout=4)
            return
        latest = min(read, key=lambda e: recent_first(e.title, state.last_read(e.id)))
        from reader.ui.reading import ReadingScreen

        self.app.push_screen(ReadingScreen(latest.path, self.root))

    def action_new_chapters(self) -> None:
        entry = self.highlighted()
        if entry is None or entry.error:
            return
        if not new_chapters(entry, self.reader_app.state):
            self.app.notify("No new chapters in this story since you last read it.", timeout=3)
            return
        from reader.ui.reading import ReadingScreen

        seen = self.reader_app.state.chapters_seen(entry.id)
        self.app.push_screen(ReadingScreen(entry.path, self.root, start_chapter=seen))

    def action_search(self) -> None:
        from reader.ui.search_screen import SearchScreen

        self.app.push_screen(SearchScreen(self.reader_app.library_index(self.root), self.root))

    def action_details(self) -> None:
        self.show_details = not self.show_details
        self.update_status()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reverse = False
        self.refresh_rows()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.refresh_rows()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        sort = {label: order for label, order, _, _ in COLUMNS}[str(event.column_key.value)]
        self.reverse = not self.reverse if sort == self.sort else False
        self.sort = sort
        self.refresh_rows()

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#filter", TextBox))

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", TextBox)
        filter_input.value = ""
        self.set_focus(self.query_one(DataTable))

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.set_focus(self.query_one(DataTable))
        if len(self.shown) == 1:
            self.action_open()

    def on_key(self, event: events.Key) -> None:
        """Typing a letter in the list starts the filter with it.

        Keys typed faster than the focus moves (a quick typist, a paste over ssh) reach
        this screen through the list even though the filter has the focus by then: they
        are typed into the filter here, so none is lost or taken for a command.
        """
        table = self.query_one(DataTable)
        filter_input = self.query_one("#filter", TextBox)
        character = event.character
        if self.focused is not table and event.key == "down":
            self.set_focus(table)  # from the filter back to the list
            event.stop()
            return
        if self.focused is filter_input:
            type_into(filter_input, event)
            return
        if self.focused is table and character and character.isprintable() and not character.isspace():
            if event.key in self._own_keys():
                return
            self.set_focus(filter_input)
            filter_input.insert_text_at_cursor(character)
        else:
            return
        event.stop()
        event.prevent_default()

    def _own_keys(self) -> set[str]:
        return {key.strip() for b in self.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}
