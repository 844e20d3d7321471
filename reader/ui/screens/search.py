"""Search the whole library: results as you type, Enter opens the story at the hit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from reader.model import Position
from reader.search import hits_count
from reader.ui.bindings import SEARCH
from reader.ui.keymap import key_of
from reader.ui.widgets.text_box import TextBox

if TYPE_CHECKING:
    from reader.search.index import Hit, SearchIndex

#: Seconds of quiet typing before the query runs: short, so results follow the fingers.
DEBOUNCE = 0.03
HINT = 'words (all must match) · "a phrase" · prefix* · author: fandom: tag: title: · {regex}: regex'
#: Hits shown at most (one more is asked for, to know whether there are more).
LIMIT = 100


class SearchScreen(Screen[None]):
    BINDINGS = SEARCH.bindings()

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Indexed(Message):
        def __init__(self, error: str | None) -> None:
            super().__init__()
            self.error = error

    class Results(Message):
        def __init__(self, query: str, hits: list[Hit], seconds: float, error: str | None) -> None:
            super().__init__()
            self.query, self.hits, self.seconds, self.error = query, hits, seconds, error

    def __init__(self, index: SearchIndex, root: Path) -> None:
        super().__init__()
        self.index = index
        self.root = root
        self.hits: list[Hit] = []
        self.regex = False
        self._timer: Timer | None = None

    def hint(self) -> str:
        return HINT.format(regex=key_of("search.toggle_regex", self.app._keymap))

    def compose(self) -> ComposeResult:
        yield Static(f"Search — {self.root}", id="title-bar")
        yield TextBox(id="query", placeholder="Search every story…", select_on_focus=False)
        yield ProgressBar(id="indexing", show_eta=False)
        yield OptionList(id="hits")
        yield Static(self.hint(), id="status-bar")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.set_focus(self.query_one("#query", TextBox))
        self.build_index()

    # The index -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="index")
    def build_index(self) -> None:
        worker = get_current_worker()
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last > 0.1 or done == total:
                last = now
                self.post_message(self.Progress(done, total))

        try:
            self.index.update(progress=progress, should_stop=lambda: worker.is_cancelled)
        except Exception as error:  # a full or read-only cache: search what is there
            self.post_message(self.Indexed(f"The search index could not be updated: {error}"))
            return
        self.post_message(self.Indexed(None))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        bar = self.query_one(ProgressBar)
        if message.total and message.done < message.total:
            bar.display = True
            bar.update(total=message.total, progress=message.done)
            self.query_one("#status-bar", Static).update(
                f" Indexing the library: {message.done} of {message.total}"
            )

    @on(Indexed)
    def _indexed(self, message: Indexed) -> None:
        self.query_one(ProgressBar).display = False
        if message.error:
            self.app.notify(message.error, severity="warning", timeout=8)
        self.run_query()

    # Queries -------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.run_query)

    def run_query(self) -> None:
        self._timer = None
        text = self.query_one("#query", TextBox).value
        if not text.strip():
            self.query_one(OptionList).clear_options()
            self.hits = []
            self.query_one("#status-bar", Static).update(self.hint())
            return
        self.search(text, self.regex)

    @work(thread=True, exclusive=True, group="query")
    def search(self, text: str, regex: bool) -> None:
        from reader.search.index import QueryError

        start = time.perf_counter()
        try:
            hits = self.index.search(text, limit=LIMIT + 1, regex=regex)
        except QueryError as error:
            self.post_message(self.Results(text, [], 0.0, str(error)))
            return
        except Exception as error:  # a damaged index: say so, never a traceback
            self.post_message(self.Results(text, [], 0.0, f"search failed: {error}"))
            return
        self.post_message(self.Results(text, hits, time.perf_counter() - start, None))

    @on(Results)
    def _results(self, message: Results) -> None:
        if message.query != self.query_one("#query", TextBox).value:
            return  # typed on since: a newer query is on its way
        capped = len(message.hits) > LIMIT
        self.hits = message.hits[:LIMIT]
        options = self.query_one(OptionList)
        options.clear_options()
        for hit in self.hits:
            options.add_option(Option(_hit_text(hit)))
        stories = len({hit.id for hit in self.hits})
        if message.error:
            status = Text(f" {message.error}", style="red")
        elif not message.hits:
            status = Text(" Nothing found.")
        else:
            status = Text(
                f" {hits_count(len(self.hits), stories, capped)} · {message.seconds * 1000:.0f} ms"
                f" · ↓ then Enter: open · {key_of('search.back', self.app._keymap)}: back"
            )
        if self.regex:
            status.append(" · regex", style="bold")
        self.query_one("#status-bar", Static).update(status)
        if message.hits:
            options.highlighted = 0

    # Actions -------------------------------------------------------------------------

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        if self.hits:
            self.open_hit(self.hits[self.query_one(OptionList).highlighted or 0])

    @on(OptionList.OptionSelected, "#hits")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.open_hit(self.hits[event.option_index])

    def open_hit(self, hit: Hit) -> None:
        from reader.ui.screens.reading import ReadingScreen

        place = Position(hit.chapter, hit.offset, "")
        found = hit.snippet[hit.marks[0][0] : hit.marks[0][1]] if hit.marks else ""
        self.app.push_screen(ReadingScreen(Path(hit.path), self.root, start=place, find=found or None))

    def action_results(self) -> None:
        if self.hits:
            self.set_focus(self.query_one(OptionList))

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self.run_query()

    def action_back(self) -> None:
        self.dismiss(None)


def _hit_text(hit: Hit) -> Text:
    text = Text(hit.title, style="bold")
    text.append(f" · {hit.chapter_title}", style="dim")
    snippet = Text("\n  " + hit.snippet)
    for start, end in hit.marks:
        snippet.stylize("reverse bold", start + 3, end + 3)
    text.append_text(snippet)
    return text
