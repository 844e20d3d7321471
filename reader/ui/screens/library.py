"""The library: every story in a table, most recently read first; type to filter."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from reader.clean import display_name
from reader.library.listing import StoryEntry, missing_entries
from reader.library.scanning import scan_batches
from reader.library.shelf import Facts, Shelf, facts
from reader.state import Found
from reader.state.status import STATUSES
from reader.state.status import label as status_label
from reader.ui.bindings import LIBRARY, STORY_TABLE
from reader.ui.screens import library_actions
from reader.ui.services import services
from reader.ui.widgets.story_rows import (
    COLUMNS,
    cells,
    column_widths,
    details,
)
from reader.ui.widgets.story_table import StoryTable
from reader.ui.widgets.text_box import TextBox, type_into

#: Sort orders, in the order ``s`` cycles through them.
SORTS = ("recent", "title", "author", "length", "progress", "status")
#: Status filters, in the order ``f`` cycles through them ("": every story).
STATUS_FILTERS = ("", *STATUSES)
#: The details pane shows when the terminal is at least this tall.
DETAILS_MIN_HEIGHT = 20
#: How often the folder is looked at again for stories added or removed (seconds).
RESCAN_INTERVAL = 5.0
#: How often the rows are drawn afresh, so that "Last read" ("3 min ago") keeps up (seconds).
REDRAW_INTERVAL = 60.0


class LibraryScreen(Screen[None]):
    BINDINGS = LIBRARY.bindings()

    class Scanned(Message):
        """Stories read by the scan: new or changed ones, and on the last batch those gone."""

        def __init__(
            self,
            entries: list[StoryEntry],
            known: dict[Path, Facts],
            done: int,
            total: int,
            final: bool = False,
            gone: frozenset[Path] = frozenset(),
        ) -> None:
            super().__init__()
            self.entries, self.known, self.done, self.total = entries, known, done, total
            self.final, self.gone = final, gone

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.entries: list[StoryEntry] = []
        self.shown: list[StoryEntry] = []
        self.sort = "recent"
        self.reverse = False
        self.status_filter = ""
        self.show_details = True
        self.loaded = False  # the first scan is complete
        self.joined = False  # and the state's records are joined to its stories
        self.scanning = False
        self.progress: tuple[int, int] | None = None  # (done, total) of the first scan
        self._index: Shelf | None = None
        self._last_scan: dict[Path, StoryEntry] = {}  # the scan thread's own copy
        self._scan_changed = False  # the scan going on brought a story new, changed or gone

    @property
    def index(self) -> Shelf:
        if self._index is None:
            self._index = Shelf(services(self).state)
        return self._index

    @property
    def table(self) -> StoryTable:
        return self.query_one(StoryTable)

    def compose(self) -> ComposeResult:
        yield Static(f"Library — {display_name(self.root)}", id="title-bar", markup=False)
        yield TextBox(
            id="filter",
            placeholder="Type to filter: title, author, fandom, rating, status, relationships, tags…",
            select_on_focus=False,
        )
        yield StoryTable(self._cells, lambda entry: entry.path, id="stories")
        yield Static("", id="details")
        yield Static("Reading the library…", id="status-bar")

    def _cells(self, entry: StoryEntry) -> dict[str, Text | str]:
        return cells(entry, services(self).state)

    def on_mount(self) -> None:
        self.table.focus()
        self.table.set_columns(column_widths(self.app.size.width))
        self.rescan()
        self.set_interval(RESCAN_INTERVAL, self._periodic_rescan)
        self.set_interval(REDRAW_INTERVAL, self.table.invalidate)  # only the rows on screen are made

    # Scanning ------------------------------------------------------------------------

    def rescan(self) -> None:
        """Look at the folder again (in a thread): stories added, changed or gone."""
        self.scanning = True
        self._scan()

    def _periodic_rescan(self) -> None:
        if not self.scanning and self.loaded and self.is_current:
            self.rescan()

    @work(thread=True, exclusive=True, group="library-scan", exit_on_error=False)
    def _scan(self) -> None:
        seen: dict[Path, StoryEntry] = {}
        last = self._last_scan
        worker = get_current_worker()
        for batch in scan_batches(self.root, should_stop=lambda: worker.is_cancelled):
            fresh = [e for e in batch.entries if last.get(e.path) != e]
            for entry in batch.entries:
                seen[entry.path] = entry
            known = {e.path: facts(e) for e in fresh}
            if batch.final:
                gone = frozenset(last.keys() - seen.keys())
                self._last_scan = seen
                self.post_message(self.Scanned(fresh, known, batch.done, batch.total, True, gone))
            else:  # also when nothing is new: the count of stories looked at moves on
                self.post_message(self.Scanned(fresh, known, batch.done, batch.total))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A scan that failed (a disk error) leaves the library as it was, and says why."""
        if event.worker.group == "library-scan" and event.state == WorkerState.ERROR:
            self.scanning = False
            self.progress = None
            self.loaded = self.joined = True
            error = event.worker.error
            self.app.notify(f"Could not read the library folder: {error}", severity="error", timeout=8)
            self.show_rows()

    @on(Scanned)
    def _scanned(self, message: Scanned) -> None:
        index = self.index
        changed = index.merge(message.entries, message.known)
        gone = index.drop(message.gone)
        self._scan_changed = self._scan_changed or bool(changed or gone)
        first = not self.loaded
        if not message.final:
            if self.loaded and not changed:
                return  # a re-scan, nothing new so far: the screen stays still
            if not self.loaded:
                self.progress = (message.done, message.total)
        else:
            self.scanning = False
            self.progress = None
            news = self._scan_changed
            self.loaded, self._scan_changed = True, False
            if not (news or first):
                return  # nothing new: leave the screen as it is
            if first:  # the list on screen first; stories known by other ids just after
                self.call_after_refresh(self._join_state)
            else:
                changed += self._join_state(show=False)
        self.table.invalidate([e.path for e in changed + gone])
        self.show_rows(loading=first)

    def _join_state(self, show: bool = True) -> list[StoryEntry]:
        """Join the stories found to the records the state knows them by (moved, renamed,
        re-downloaded: :meth:`State.reconcile`), and list those whose files are gone."""
        index = self.index
        found = [e for e in index.entries.values() if not e.missing]
        state = services(self).state
        moved = state.reconcile(
            Found(e.id, str(e.path), e.title, e.author, str(self.root)) for e in found if not e.error
        )
        index.drop([e.path for e in index.entries.values() if e.missing])
        changed = index.merge(missing_entries(self.root, found, state.stories, state.key))
        if moved:
            index.forget_state()
            self.table.invalidate()
            services(self).save_now()
            stories = f"{len(moved)} stor{'ies' if len(moved) > 1 else 'y'}"
            self.app.notify(f"{stories} renamed or moved: the place is kept.", timeout=5)
        self.joined = True
        if show and (moved or changed):
            self.table.invalidate([e.path for e in changed])
            self.show_rows()
        return changed

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.refresh_rows()

    # Rows ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.table.set_columns(column_widths(self.app.size.width))
        self.update_status()

    def refresh_rows(self) -> None:
        """The reading state changed (a story read, a status set, another reader's save)."""
        self.index.forget_state()
        self.table.invalidate()
        self.show_rows()

    def show_rows(self, loading: bool = False) -> None:
        """Filter and order the stories and hand them to the table; the cursor keeps its story
        (but stays on the first row while the library first comes in, if it is there)."""
        keep = self.highlighted()
        if loading and self.table.cursor == 0:
            keep = None
        self.entries = list(self.index.entries.values())
        query = self.query_one("#filter", TextBox).value
        self.shown = self.index.view(query, self.sort, self.reverse, self.status_filter)
        self.table.set_rows(self.shown, keep=keep.path if keep is not None else None)
        self.update_status()

    def update_status(self) -> None:
        status = self.query_one("#status-bar", Static)
        entry = self.highlighted()
        pane = self.query_one("#details", Static)
        pane.display = self.show_details and self.app.size.height >= DETAILS_MIN_HEIGHT and bool(self.entries)
        if pane.display:
            pane.update(details(entry, services(self).state))
        order = f"{self.sort}{' (reversed)' if self.reverse else ''}"
        count = (
            f"{len(self.shown):,} of {len(self.entries):,} stories"
            if len(self.shown) != len(self.entries)
            else f"{len(self.entries):,} stories"
        )
        only = status_label(self.status_filter).casefold()
        self.query_one("#title-bar", Static).update(
            Text(f"Library — {display_name(self.root)}" + (f" · only {only}" if only else ""))
        )
        if self.progress is not None:
            done, total = self.progress
            text = Text(f" Reading the library… {done:,} of {total:,}", style="bold")
        elif entry is not None and entry.error:
            text = Text(f" {entry.error}", style="red")
        elif not self.entries:
            text = Text(
                " Reading the library…"
                if not self.loaded
                else f" No stories found in {self.root} (.txt, .md, .html, .epub, story folders)"
            )
        else:
            kept = [count] + ([f"only {only} (f)"] if only else [])
            hints = [f"by {order}", "Enter read", "c continue", "s sort", "x status"]
            if not self.shown:
                typed = self.query_one("#filter", TextBox).value
                hints.insert(0, "Esc clears the filter" if typed else "f: the next status")
            while hints and len(" · ".join([*kept, *hints, "? help"])) + 2 > self.app.size.width:
                hints.pop()  # the least needed hints go first; the count, the filter and help stay
            text = Text(" " + " · ".join([*kept, *hints, "? help"]))
        status.update(text)

    def highlighted(self) -> StoryEntry | None:
        if not self.is_mounted:
            return None
        entry: StoryEntry | None = self.table.highlighted
        return entry

    @on(StoryTable.Highlighted)
    def _highlighted(self) -> None:
        self.update_status()

    # Actions -------------------------------------------------------------------------

    @on(StoryTable.Selected)
    def action_open(self) -> None:
        library_actions.open_story(self, self.root, self.highlighted())

    def action_continue(self) -> None:
        library_actions.continue_latest(self, self.root, self.entries)

    def action_new_chapters(self) -> None:
        library_actions.open_new_chapters(self, self.root, self.highlighted())

    def action_search(self) -> None:
        from reader.ui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(services(self).library_index(self.root), self.root))

    def action_details(self) -> None:
        self.show_details = not self.show_details
        self.update_status()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reverse = False
        self.show_rows()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.show_rows()

    @on(StoryTable.HeaderSelected)
    def _header(self, event: StoryTable.HeaderSelected) -> None:
        sort = {label: order for label, order, _, _ in COLUMNS}[event.label]
        self.reverse = not self.reverse if sort == self.sort else False
        self.sort = sort
        self.show_rows()

    def action_status_filter(self) -> None:
        following = (STATUS_FILTERS.index(self.status_filter) + 1) % len(STATUS_FILTERS)
        self.status_filter = STATUS_FILTERS[following]
        self.show_rows()

    def action_set_status(self) -> None:
        entry = self.highlighted()
        if entry is not None:
            library_actions.pick_status(self, entry, lambda status: self.set_status(entry, status))

    def set_status(self, entry: StoryEntry, status: str) -> None:
        """Record the story's reading status, and save it soon."""
        state = services(self).state
        state.set_status(entry.id, status)
        saved = state.entry(entry.id)
        saved.setdefault("title", entry.title)  # so a story never opened is still known by name
        if not entry.missing:
            saved.setdefault("path", str(entry.path))
        services(self).request_save()
        self.refresh_rows()

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#filter", TextBox))

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", TextBox)
        filter_input.value = ""
        self.set_focus(self.table)

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.show_rows()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.set_focus(self.table)
        if len(self.shown) == 1:
            self.action_open()

    def on_key(self, event: events.Key) -> None:
        """Typing a letter in the list starts the filter with it.

        Keys typed faster than the focus moves (a quick typist, a paste over ssh) reach
        this screen through the list even though the filter has the focus by then: they
        are typed into the filter here, so none is lost or taken for a command.
        """
        table = self.table
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
        """Keys that are commands in the list (the screen's and the table's), not filter text."""
        from reader.ui.keymap import own_keys

        return own_keys([*LIBRARY.bindings(), *STORY_TABLE.bindings()], self.app._keymap)
