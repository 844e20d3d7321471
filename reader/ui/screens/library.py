"""The library: every story in a table, most recently read first; `/` filters."""

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
from reader.config import SORTS
from reader.library.listing import StoryEntry, missing_entries
from reader.library.scanning import scan_batches
from reader.library.shelf import Facts, Shelf, facts
from reader.state import Found
from reader.state.status import STATUSES
from reader.ui.bindings import LIBRARY
from reader.ui.keymap import key_of
from reader.ui.screens import library_actions, library_status
from reader.ui.services import services
from reader.ui.widgets.story_rows import COLUMNS, cells, column_widths, details, title_width
from reader.ui.widgets.story_table import StoryTable
from reader.ui.widgets.text_box import TextBox

#: Status filters, in the order ``f`` cycles through them ("": every story).
STATUS_FILTERS = ("", *STATUSES)
#: The details pane shows when the terminal is at least this tall.
DETAILS_MIN_HEIGHT = 20
#: How often the folder is looked at again for stories added or removed (seconds).
RESCAN_INTERVAL = 5.0
#: Seconds from showing the list to joining its stories to the state's records (moved,
#: re-downloaded, missing): work on every story (40–50 ms at 5,000). Measured: run from
#: ``call_after_refresh``, it still reached the terminal before the list did.
JOIN_DELAY = 0.1
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
        self.sort = "recent"  # as the settings say, once mounted
        self.reverse = False
        self.title_needs = 0  # cells of the longest title
        self._measure = True  # stories came or went: measure the titles again
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
        slash = key_of("library.filter", self.app._keymap)
        yield TextBox(
            id="filter",
            placeholder=f"{slash} to filter: title, author, fandom, rating, status, relationships, tags…",
            select_on_focus=False,
        )
        yield StoryTable(self._cells, lambda entry: entry.path, id="stories")
        yield Static("", id="details")
        yield Static("Reading the library…", id="status-bar")

    def _cells(self, entry: StoryEntry) -> dict[str, Text | str]:
        return cells(entry, services(self).state)

    def on_mount(self) -> None:
        config = services(self).config
        if config.sort in SORTS:
            self.sort, self.reverse = config.sort, config.sort_reversed
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
        self._measure = self._measure or bool(changed or gone)
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
                self.set_timer(JOIN_DELAY, self._join_state)
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
        self._measure = True
        if moved:
            index.forget_state()
            self.table.invalidate()
            services(self).save_now()
            stories = f"{len(moved)} stor{'ies' if len(moved) > 1 else 'y'}"
            self.app.notify(f"{stories} renamed or moved: the place is kept.", timeout=5)
        self.joined = True
        services(self).settle()
        if show and (moved or changed):
            self.table.invalidate([e.path for e in changed])
            self.show_rows()
        return changed

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.refresh_rows()

    # Rows ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.table.set_columns(column_widths(self.app.size.width, self.title_needs))
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
        if self._measure:  # not on every key typed in the filter
            self._measure = False
            self.title_needs = title_width(self.entries)
            self.table.set_columns(column_widths(self.app.size.width, self.title_needs))
        query = self.query_one("#filter", TextBox).value
        self.shown = self.index.view(query, self.sort, self.reverse, self.status_filter)
        empty = library_status.empty_view(self, query) if not self.shown else ""
        self.table.set_rows(self.shown, keep=keep.path if keep is not None else None, empty=empty)
        self.update_status()

    def update_status(self) -> None:
        entry = self.highlighted()
        pane = self.query_one("#details", Static)
        pane.display = self.show_details and self.app.size.height >= DETAILS_MIN_HEIGHT and bool(self.entries)
        if pane.display:
            new_key = key_of("library.new_chapters", self.app._keymap)
            pane.update(details(entry, services(self).state, new_key))
        self.query_one("#title-bar", Static).update(library_status.title(self))
        self.query_one("#status-bar", Static).update(library_status.status_line(self, entry))

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
        self.order(SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)], False)

    def action_reverse(self) -> None:
        self.order(self.sort, not self.reverse)

    @on(StoryTable.HeaderSelected)
    def _header(self, event: StoryTable.HeaderSelected) -> None:
        sort = {label: order for label, order, _, _ in COLUMNS}[event.label]
        self.order(sort, not self.reverse if sort == self.sort else False)

    def order(self, sort: str, reverse: bool) -> None:
        """Show the stories in this order, and remember it for the next start."""
        self.sort, self.reverse = sort, reverse
        self.show_rows()
        config = services(self).config
        if (config.sort, config.sort_reversed) != (sort, reverse):
            config.sort, config.sort_reversed = sort, reverse
            services(self).save_config()

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
        """Every story again: the words typed and the status shown go."""
        filter_input = self.query_one("#filter", TextBox)
        self.status_filter = ""
        if filter_input.value:
            filter_input.value = ""  # shows the rows again
        else:
            self.show_rows()
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
        if self.focused is not self.table and event.key == "down":
            self.set_focus(self.table)  # from the filter back to the list
            event.stop()
