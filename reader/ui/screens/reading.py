"""The reading screen: a page between a title bar and a status line, over a reading session.

What the reader's keys decide (pages, jumps, finding, status, time left) is the session's
(:mod:`reader.session`); this screen loads the story, draws the page and asks the dialogs.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from reader.clean import display_name
from reader.formats import StoryError
from reader.formats.errors import too_slow_reason
from reader.layout import PageRef, StoryLayout
from reader.model import Position, Story
from reader.opening import Preload, read_story
from reader.session import OFFER_FINISHED, Moved, ReadingSession
from reader.ui.bindings import READING
from reader.ui.keymap import key_of
from reader.ui.paint import paint_now
from reader.ui.screens import reading_dialogs, reading_open, text_style
from reader.ui.screens.reading_pages import draw_next, keep_when_idle
from reader.ui.services import services
from reader.ui.widgets.page_view import MIN_PAGE, PageView, StoryPage
from reader.ui.widgets.rows import CoveredScreen
from reader.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from reader.ui.widgets.find_bar import FindBar

#: Cells of a paragraph's first-line indent, when paragraphs are indented.
INDENT = 3
#: Seconds after a page is shown before: the next page is drawn ahead (once the frame is
#: written: drawing sooner holds the interpreter while Textual's writer thread waits for it);
#: a long chapter's other pages are counted.
PREPARE_DELAY, COUNT_DELAY = 0.02, 0.5
#: The find bar, by its type's name (the type is imported with the bar's first mount).
FIND_BAR = "FindBar"


def clock() -> float:
    """The clock page turns are timed by (seconds; tests replace it)."""
    return time.monotonic()


class ReadingScreen(CoveredScreen):
    BINDINGS = READING.bindings()

    class Loaded(Message):
        def __init__(self, story: Story, keep: Callable[[], None] | None = None) -> None:
            super().__init__()
            self.story = story
            self.keep = keep  # when the story was parsed: keeps it parsed, for the next opening

    class Failed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class PagesCounted(Message):
        def __init__(self, layout: StoryLayout) -> None:
            super().__init__()
            self.book = layout

    def __init__(
        self,
        path: Path,
        root: Path | None = None,
        *,
        direct: bool = False,
        preload: Preload | None = None,
        start_chapter: int | None = None,
        start: Position | None = None,
        find: str | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.root = root
        self.direct = direct
        self.preload = preload
        self._deadline: Timer | None = None
        self.opening: Preload | None = None  # the story being read, until it is in
        self._abandoned = False
        self.start_chapter = start_chapter
        self.start = start
        self.find_first = find
        #: The story being read, once loaded.
        self.session: ReadingSession | None = None
        self._counting: tuple[StoryLayout, int] | None = None
        self._moved = time.monotonic()  # when the reader last moved (see keep_when_idle)
        #: Ends the mark on the line the reader was at, after the text changed.
        self.flash_timer: Timer | None = None

    @property
    def story(self) -> Story | None:
        return self.session.story if self.session else None

    @property
    def book(self) -> StoryLayout | None:
        return self.session.book if self.session else None

    @property
    def ref(self) -> PageRef:
        return self.session.ref if self.session else PageRef(0, 0, 0)

    @property
    def place(self) -> Position:
        return self.session.place if self.session else Position()

    def compose(self) -> ComposeResult:
        yield StatusLine(display_name(self.path.name), pad=1, id="title-bar")
        yield StoryPage(id="page")
        yield StatusLine("Opening…", id="status-bar")

    def on_mount(self) -> None:
        self.call_after_refresh(self.mount_find_bar)  # after the first frame, not in it
        if self.preload is not None and self.preload.done:
            # Read while Textual started: show the page in the very first frame.
            try:
                self._loaded(self.Loaded(self.preload.result(), self.preload.keep))
            except StoryError as error:
                self._failed(self.Failed(str(error)))
            return
        self.query_one(StoryPage).show(None, None, 0, f"Opening {display_name(self.path.name)}…")
        reading = self.opening = self.preload or read_story(self.path, self.root)
        self._deadline = reading_open.wait_for(self, reading, services(self).config.parse_seconds)

    def too_slow(self, limit: int) -> None:
        """The story took longer than ``limit`` seconds to read: abandoned, with a message."""
        if self.session is None and not self._abandoned:
            self._failed(self.Failed(too_slow_reason(self.path, limit)))
            self._abandoned = True  # what its parse says later is not heard

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if self._abandoned:
            return
        self._deadline = reading_open.stop(self._deadline)
        self.query_one(StoryPage).show(None, None, 0, message.reason)
        back = key_of("reading.close", self.app._keymap)
        self.query_one("#status-bar", StatusLine).show(f"This story could not be opened · {back}: back")
        self.app.notify(message.reason, title="Cannot open story", severity="error", timeout=8)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if self._abandoned:
            return  # it came after the message said it was abandoned
        self._deadline = reading_open.stop(self._deadline)
        story = message.story
        session = self.session = reading_open.start_session(self, story, clock)
        session.record_later = self.call_after_refresh  # once the page is on screen
        byline = f" — {story.author}" if story.author else ""
        self.query_one("#title-bar", StatusLine).show(f"{story.title}{byline}")
        news = session.start_at(self.start, self.start_chapter, self.find_first or "")
        if news:
            self.app.notify(news, title=story.title, timeout=6)
        self.relayout()
        reading_open.opened(self, session)
        gc.freeze()  # see _counted
        if message.keep is not None:
            keep_when_idle(self, message.keep, lambda: time.monotonic() - self._moved)

    # The page ------------------------------------------------------------------------

    def relayout(self) -> None:
        """Lay out for the page's current size, keeping the place on screen."""
        if self.session is None:
            return
        page = self.query_one(StoryPage)
        size = page.size
        if not size.area:
            # Not laid out yet (the first frame): the page is the screen less the title
            # and status lines. Laying out now puts the text in the first frame; the
            # Resize that follows corrects the guess if the CSS ever makes it wrong.
            size = Size(self.app.size.width, self.app.size.height - 2)
        if size.width < MIN_PAGE[0] or size.height < MIN_PAGE[1]:
            page.show(None, None, 0, "")  # says "terminal too small"; the place is kept
            return
        config = services(self).config
        width = min(config.text_width, size.width - 2)
        hide = frozenset() if config.show_notes else frozenset({"note"})
        indent = INDENT if config.paragraphs == "indent" else 0
        if self.session.lay_out(width, size.height, hide, indent) or page.page is None:
            self.show_page()

    @on(StoryPage.Resized)
    def _resized(self) -> None:
        self.relayout()

    def show_page(self, flash: tuple[int, int] | None = None, *, now: bool = False) -> None:
        """Draw the page; ``flash``: a line to mark (where the reader was, after a new layout);
        ``now``: the frame at once (a page turn: see :func:`paint_now`), before what follows."""
        session = self.session
        if session is None or session.book is None:
            return
        book, ref = session.book, session.ref
        marks, current = session.marks()
        if flash is not None:
            marks, current = [*marks, flash], current or flash
        view = self.query_one(StoryPage)
        view.show(
            session.story.chapters[ref.chapter],
            book.page(ref),
            book.width,
            marks=marks,
            current=current,
            indent=book.indent,
            justify=services(self).config.align == "justify",
        )
        self.update_status()
        if now:
            paint_now(self, view, self.query_one("#status-bar", StatusLine))
        self.set_timer(PREPARE_DELAY, lambda: draw_next(view, self.session))
        if not book.chapter(ref.chapter).complete and self._counting != (book, ref.chapter):
            # Count the rest of a long chapter's pages once the page is painted and the
            # reader idle: the count must not compete with drawing the page.
            self._counting = (book, ref.chapter)
            self.set_timer(COUNT_DELAY, partial(self.count_pages, book, ref.chapter))

    @work(thread=True, exclusive=True, group="count")
    def count_pages(self, layout: StoryLayout, chapter: int) -> None:
        worker = get_current_worker()
        if layout.chapter(chapter).lay_out_all(stop=lambda: worker.is_cancelled or layout is not self.book):
            self.post_message(self.PagesCounted(layout))

    @on(PagesCounted)
    def _counted(self, message: PagesCounted) -> None:
        if message.book is self.book:
            self.update_status()
        # The story and its pages live as long as the screen: out of the collector's sight, a
        # full collection no longer walks them (measured: 40 ms, in the middle of a page turn).
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()  # what this story held may be collected again
        if self.session is None and self.opening is not None:
            self.opening.cancel()  # left before it was in: its process is killed

    def update_status(self) -> None:
        if self.session is None or self.session.book is None:
            return
        status = self.query_one("#status-bar", StatusLine)
        help_key = key_of("reading.help", self.app._keymap)
        status.show(self.session.footer(status.size.width or self.app.size.width, help_key))

    # Moving ----------------------------------------------------------------------------

    def move(self, step: Callable[[ReadingSession], Moved]) -> None:
        """Make the move ``step`` of the session, once there is a page to move from."""
        if self.session is not None and self.session.book is not None:
            self.moved(step(self.session))

    def moved(self, said: Moved) -> None:
        """After a move: show the new page (``None``), else say what the session said."""
        self._moved = time.monotonic()
        if said is None:
            self.show_page(now=True)
        elif said == OFFER_FINISHED and self.session is not None:
            reading_dialogs.offer_finished(self, self.session)
        elif said:
            self.app.notify(said, timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("close", "escape"):  # app.help and app.statistics are the app's to check
            return True
        return self.book is not None

    def action_next_page(self) -> None:
        self.move(ReadingSession.next_page)

    def action_previous_page(self) -> None:
        self.move(ReadingSession.previous_page)

    def action_next_chapter(self) -> None:
        self.move(ReadingSession.next_chapter)

    def action_previous_chapter(self) -> None:
        self.move(ReadingSession.previous_chapter)

    def action_chapter_start(self) -> None:
        self.move(ReadingSession.chapter_start)

    def action_chapter_end(self) -> None:
        self.move(ReadingSession.chapter_end)

    def action_back(self) -> None:
        self.move(ReadingSession.back)

    @on(PageView.Turn)
    def _turn(self, message: PageView.Turn) -> None:
        self.move(ReadingSession.next_page if message.step > 0 else ReadingSession.previous_page)

    # Dialogs ---------------------------------------------------------------------------

    def dialog(
        self, open_dialog: Callable[[Screen[None], ReadingSession, reading_dialogs.Then], None]
    ) -> None:
        if self.session is not None and self.session.book is not None:
            open_dialog(self, self.session, self.moved)

    def action_contents(self) -> None:
        self.dialog(reading_dialogs.contents)

    def action_go_to(self) -> None:
        self.dialog(reading_dialogs.go_to)

    def action_bookmarks(self) -> None:
        self.dialog(reading_dialogs.bookmarks)

    def action_status(self) -> None:
        self.dialog(reading_dialogs.status)

    def action_add_bookmark(self) -> None:
        if self.session is not None and self.session.book is not None:
            name = self.session.add_bookmark()
            services(self).save_and_say(f"Bookmark added: {name}")  # once on disk: confirmed is kept

    # How the text looks ----------------------------------------------------------------

    def action_toggle_notes(self) -> None:
        text_style.restyle(self, text_style.toggle_notes)

    def action_toggle_justify(self) -> None:
        text_style.restyle(self, text_style.toggle_justify, layout=False)

    def action_toggle_paragraphs(self) -> None:
        text_style.restyle(self, text_style.toggle_paragraphs)

    def action_wider(self) -> None:
        text_style.restyle(self, partial(text_style.widen, cells=5, widest=self.widest()))

    def action_narrower(self) -> None:
        text_style.restyle(self, partial(text_style.widen, cells=-5, widest=self.widest()))

    def widest(self) -> int:
        """The widest text column the page can show."""
        return max(text_style.MIN_WIDTH, (self.query_one(StoryPage).size.width or self.app.size.width) - 2)

    # Finding ---------------------------------------------------------------------------

    async def mount_find_bar(self) -> FindBar:
        """The find bar, mounted when first wanted: not in the first frame, which it would slow
        (nor is it imported before: its messages are handled by name, below)."""
        from reader.ui.widgets.find_bar import FindBar

        bars = self.query(FindBar)
        if bars:
            return bars.first()
        bar = FindBar()
        await self.mount(bar, before="#status-bar")
        return bar

    async def action_find(self) -> None:
        (await self.mount_find_bar()).open()
        self.query_one("#status-bar").display = False

    def on_find_bar_changed(self, message: FindBar.Changed) -> None:
        if self.session is None:
            return
        from reader.ui.widgets.find_bar import FindBar  # imported by now: it sent this

        said = self.session.find(message.text, message.regex)
        for bar in self.query(FindBar):
            bar.show_count(said)
        self.show_page()

    def on_find_bar_go(self) -> None:
        self._close_bar()
        self.move(ReadingSession.first_match)

    def on_find_bar_closed(self) -> None:
        self._close_bar()
        if self.session is not None:
            self.session.clear_find()
        self.show_page()

    def _close_bar(self) -> None:
        for bar in self.query(FIND_BAR):
            bar.display = False
        self.query_one("#status-bar").display = True
        self.set_focus(self.query_one("#page"))

    def action_next_match(self) -> None:
        self.move(lambda session: session.step_match(1))

    def action_previous_match(self) -> None:
        self.move(lambda session: session.step_match(-1))

    def action_escape(self) -> None:
        if self.session is not None and self.session.matches is not None:
            self.on_find_bar_closed()
        else:
            self.action_close()

    def action_close(self) -> None:
        if self.session is not None and self.session.book is not None:
            self.session.remember()  # the page left, as shown: the library's per cent is the footer's
        services(self).save_now()
        if self.direct:
            self.app.exit()
        else:
            self.dismiss(None)
