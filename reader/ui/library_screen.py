"""The library: every story in a table, most recently read first; type to filter."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from reader.library import Entry, scan

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

#: Sort orders, in the order ``s`` cycles through them.
SORTS = ("recent", "title", "author", "length", "progress")
#: Columns: label, the sort its header selects, fixed width (None: shares what is left),
#: and the narrowest terminal that still shows it.
COLUMNS = (
    ("Title", "title", None, 0),
    ("Author", "author", None, 50),
    ("Words", "length", 7, 0),
    ("Ch.", "length", 3, 70),
    ("Progress", "progress", 8, 0),
    ("Last read", "recent", 10, 60),
)


class LibraryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open the story", show=False),
        Binding("c", "continue", "Continue the last story read"),
        Binding("s", "sort", "Next sort order (recent, title, author, length, progress)"),
        Binding("r", "reverse", "Reverse the order"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear the filter"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
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

    @property
    def reader_app(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(f"Library — {self.root}", id="title-bar")
        yield Input(
            id="filter", placeholder="Type to filter by title, author or fandom…", select_on_focus=False
        )
        yield DataTable(id="stories", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the library…", id="status-bar")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.post_message(self.Scanned(scan(self.root)))

    @on(Scanned)
    def _scanned(self, message: Scanned) -> None:
        self.entries = message.entries
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
        last = state.last_read(entry.id)
        return (0 if last else 1, _negate(last), entry.title.casefold())

    def visible_columns(self) -> list[tuple[str, int]]:
        """The columns that fit this terminal, with their widths: the title gets the most."""
        width = self.app.size.width
        shown = [(label, fixed) for label, _, fixed, narrowest in COLUMNS if width >= narrowest]
        room = width - 2 - 2 * len(shown) - sum(fixed or 0 for _, fixed in shown)  # padding, scrollbar
        flexible = [label for label, fixed in shown if fixed is None]
        author = min(24, max(8, room // 3)) if "Author" in flexible else 0
        return [
            (label, fixed or (author if label == "Author" else max(8, room - author)))
            for label, fixed in shown
        ]

    def on_resize(self) -> None:
        if self.entries:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        columns = self.visible_columns()
        if [(str(c.label), c.width) for c in table.columns.values()] != columns:
            table.clear(columns=True)
            for label, width in columns:
                table.add_column(label, width=width, key=label)
        keep = (
            self.shown[table.cursor_row].id
            if self.shown and 0 <= table.cursor_row < len(self.shown)
            else None
        )
        needle = self.query_one("#filter", Input).value.strip().casefold()
        shown = [e for e in self.entries if not needle or needle in _haystack(e)]
        shown.sort(key=self.sort_key, reverse=self.reverse)
        self.shown = shown
        table.clear()
        state = self.reader_app.state
        labels = [label for label, _ in columns]
        for entry in shown:
            cells = dict(zip([c[0] for c in COLUMNS], self._cells(entry, state), strict=True))
            table.add_row(*(cells[label] for label in labels), key=entry.id)
        if keep is not None:
            ids = [e.id for e in shown]
            if keep in ids:
                table.move_cursor(row=ids.index(keep))
        self.update_status()

    def _cells(self, entry: Entry, state) -> list[Text | str]:
        if entry.error:
            return [
                Text("⚠ " + entry.title, style="bold red"),
                Text("unreadable", style="red"),
                "",
                "",
                "",
                "",
            ]
        progress = state.progress(entry.id)
        return [
            Text(entry.title, overflow="ellipsis"),
            Text(entry.author, overflow="ellipsis"),
            Text(f"{entry.words:,}", justify="right"),
            Text(str(entry.chapters), justify="right"),
            Text(f"{progress:.0%}" if state.position(entry.id) else "new", justify="right"),
            _when(state.last_read(entry.id)),
        ]

    def update_status(self) -> None:
        status = self.query_one("#status-bar", Static)
        entry = self.highlighted()
        order = f"{self.sort}{' (reversed)' if self.reverse else ''}"
        count = (
            f"{len(self.shown)} of {len(self.entries)} stories"
            if len(self.shown) != len(self.entries)
            else f"{len(self.entries)} stories"
        )
        if entry is not None and entry.error:
            text = Text(f" {entry.error}", style="red")
        elif not self.entries:
            text = Text(f" No stories found in {self.root} (.txt, .md)")
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
        latest = max(read, key=lambda e: state.last_read(e.id))
        from reader.ui.reading import ReadingScreen

        self.app.push_screen(ReadingScreen(latest.path, self.root))

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
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        self.query_one(DataTable).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()
        if len(self.shown) == 1:
            self.action_open()

    def on_key(self, event: events.Key) -> None:
        """Typing a letter in the list starts the filter with it."""
        table = self.query_one(DataTable)
        if self.focused is not table and event.key == "down":
            table.focus()  # from the filter back to the list
            event.stop()
            return
        bound = {key.strip() for b in self.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}
        if event.key in bound:
            return
        if (
            self.focused is table
            and event.character
            and event.character.isprintable()
            and not event.character.isspace()
        ):
            filter_input = self.query_one("#filter", Input)
            filter_input.focus()
            filter_input.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()


def _haystack(entry: Entry) -> str:
    meta = entry.metadata
    parts = [entry.title, entry.author, str(meta.get("fandom", "")), str(meta.get("tags", ""))]
    return " ".join(parts).casefold()


def _negate(text: str) -> tuple[int, ...]:
    """Sort newest first while the rest of the key sorts ascending."""
    return tuple(-ord(c) for c in text)


def _when(iso: str) -> str:
    if not iso:
        return "—"
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return "—"
    now = datetime.now(then.tzinfo)
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} days ago"
    return then.strftime("%Y-%m-%d")
