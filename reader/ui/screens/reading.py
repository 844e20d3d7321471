"""The reading screen: a page between a title bar and a status line."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from reader.search.in_story import Matches
from reader.formats import Preload, StoryError, load_story, neighbour_ids
from reader.layout import PageRef, StoryLayout
from reader.model import Position, Story, resolve_position
from reader.reading_footer import footer_text
from reader.state import Found
from reader.state.stats import DEFAULT_WPM, Speed, speed, turn_time, words_read
from reader.ui.widgets.page_view import MIN_PAGE, PageView
from reader.ui.screens.text_settings import TextSettingsScreen

#: The measured reading speed is worked out again after this many page turns.
SPEED_EVERY = 20
#: Cells of a paragraph's first-line indent, when paragraphs are indented.
INDENT = 3
#: Seconds after a page of a long chapter is shown before its other pages are counted.
COUNT_DELAY = 0.5


def clock() -> float:
    """The clock page turns are timed by (seconds; tests replace it)."""
    return time.monotonic()


class StoryPage(PageView):
    """The page view, telling its screen when its size changes. It holds the focus while
    reading, so that keys come to the screen through it as they do in the library."""

    can_focus = True

    class Resized(Message):
        pass

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


class ReadingScreen(TextSettingsScreen):
    BINDINGS = [
        Binding("space,pagedown,right,l,j,down,f", "next_page", "Next page", id="reading.next_page"),
        Binding("pageup,left,h,k,up,b", "previous_page", "Previous page", id="reading.previous_page"),
        Binding(
            "right_square_bracket", "next_chapter", "Next chapter", key_display="]", id="reading.next_chapter"
        ),
        Binding(
            "left_square_bracket",
            "previous_chapter",
            "Previous chapter",
            key_display="[",
            id="reading.previous_chapter",
        ),
        Binding("home", "chapter_start", "Start of chapter", id="reading.chapter_start"),
        Binding("end", "chapter_end", "End of chapter", id="reading.chapter_end"),
        Binding("m", "add_bookmark", "Add bookmark", id="reading.add_bookmark"),
        Binding("a", "toggle_notes", "Hide or show author's notes", id="reading.toggle_notes"),
        Binding("J", "toggle_justify", "Justified or left-aligned text", id="reading.toggle_justify"),
        Binding(
            "P",
            "toggle_paragraphs",
            "Paragraphs: blank line or first-line indent",
            id="reading.toggle_paragraphs",
        ),
        Binding("B", "bookmarks", "Bookmarks", id="reading.bookmarks"),
        Binding("x", "status", "Set the reading status", id="reading.status"),
        Binding(
            "number_sign",
            "app.statistics",
            "Reading statistics",
            key_display="#",
            id="reading.statistics",
        ),
        Binding("plus,equals_sign", "wider", "Wider text column", key_display="+", id="reading.wider"),
        Binding("minus", "narrower", "Narrower text column", key_display="-", id="reading.narrower"),
        Binding("t", "contents", "Table of contents", id="reading.contents"),
        Binding(
            "g,colon", "go_to", "Go to a chapter, per cent or page", key_display="g :", id="reading.go_to"
        ),
        Binding("backspace", "back", "Back to where you were before the last jump", id="reading.back"),
        Binding("slash", "find", "Find in this story", key_display="/", id="reading.find"),
        Binding("n", "next_match", "Next match", id="reading.next_match"),
        Binding("N", "previous_match", "Previous match", id="reading.previous_match"),
        Binding("question_mark", "app.help", "Help", key_display="?", id="reading.help"),
        Binding(
            "escape",
            "escape",
            "Clear the found text, else back to the library",
            key_display="Esc",
            id="reading.escape",
        ),
        Binding("q", "close", "Back to the library", id="reading.close"),
    ]

    class Loaded(Message):
        def __init__(self, story: Story) -> None:
            super().__init__()
            self.story = story

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
        self.preload = preload
        self.start_chapter = start_chapter
        self.start = start
        self.find_first = find
        self.matches: Matches | None = None
        self.match_index: int | None = None
        #: Where the reader was before each jump (contents, go to, bookmark, found text).
        self.history: list[Position] = []
        self.path = path
        self.root = root
        self.direct = direct
        self.story: Story | None = None
        self.book: StoryLayout | None = None
        self.ref = PageRef(0, 0, 0)
        self.place = Position()
        self._last_turn = clock()
        #: Words after each chapter (estimated), for the time left in the book.
        self._words_after: list[int] = []
        self._speed = Speed(DEFAULT_WPM)
        self._turns = 0
        #: Marking the story finished was offered at its end, this session.
        self._end_offered = False
        self._counting: tuple[StoryLayout, int] | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.path.name, id="title-bar")
        yield StoryPage(id="page")
        yield Static("Opening…", id="status-bar")

    def on_mount(self) -> None:
        self.call_after_refresh(self.mount_find_bar)  # after the first frame, not in it
        if self.preload is not None and self.preload.done:
            # Read while Textual started: show the page in the very first frame.
            try:
                self._loaded(self.Loaded(self.preload.result()))
            except StoryError as error:
                self._failed(self.Failed(str(error)))
            return
        self.query_one(StoryPage).show(None, None, 0, f"Opening {self.path.name}…")
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        try:
            story = self.preload.result() if self.preload else load_story(self.path, self.root)
        except StoryError as error:
            self.post_message(self.Failed(str(error)))
            return
        except Exception as error:  # a bug in a reader of formats: say so, keep the app up
            self.post_message(
                self.Failed(f"{self.path.name}: could not be read ({type(error).__name__}: {error})")
            )
            return
        self.post_message(self.Loaded(story))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one(StoryPage).show(None, None, 0, message.reason)
        self.query_one("#status-bar", Static).update("This story could not be opened · q: back")
        self.app.notify(message.reason, title="Cannot open story", severity="error", timeout=8)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        story = self.story = message.story
        state = self.reader_app.state
        found = Found(story.id, story.path, story.title, story.author)
        story.id = state.identify(found, lambda: neighbour_ids(Path(story.path)))
        self._last_turn = clock()  # reading starts with the first page, not while loading
        byline = f" — {story.author}" if story.author else ""
        self.query_one("#title-bar", Static).update(
            Text(f"{story.title}{byline}", overflow="ellipsis", no_wrap=True)
        )
        state = self.reader_app.state
        counts = [chapter.estimate_words(0) for chapter in story.chapters]
        self._words_after = [sum(counts[index + 1 :]) for index in range(len(counts))]
        self._speed = speed(state.stories)
        saved = state.position(story.id)
        self.place = resolve_position(story, saved) if saved else Position(0, 0, story.chapters[0].snippet(0))
        seen = state.chapters_seen(story.id)
        if self.start is not None:  # a search hit: its page, its words highlighted
            if saved:
                self.history.append(self.place)  # Backspace returns to where reading was
            self.place = resolve_position(story, self.start)
        elif self.start_chapter is not None and 0 <= self.start_chapter < len(story.chapters):
            self.place = Position(self.start_chapter, 0, story.chapters[self.start_chapter].snippet(0))
        elif seen and len(story.chapters) > seen:
            new = len(story.chapters) - seen
            self.app.notify(
                f"{new} new chapter{'s' if new > 1 else ''} since you last read, from "
                f"“{story.chapters[seen].title}”.",
                title=story.title,
                timeout=6,
            )
        if self.find_first:
            self._find(self.find_first, regex=False, quiet=True)
            if self.matches is not None:
                self.match_index = self.matches.index_of(self.place.chapter, self.place.offset)
        self.relayout()
        if self.start_chapter is not None or self.start is not None:
            self.remember()

    # Layout --------------------------------------------------------------------------

    def relayout(self) -> None:
        """Lay out for the page's current size, keeping the anchor text on screen."""
        if self.story is None:
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
        width = min(self.reader_app.config.text_width, size.width - 2)
        config = self.reader_app.config
        hide = frozenset() if config.show_notes else frozenset({"note"})
        indent = INDENT if config.paragraphs == "indent" else 0
        book = self.book
        if book is None or (book.width, book.height, book.hide, book.indent) != (
            width,
            size.height,
            hide,
            indent,
        ):
            book = self.book = StoryLayout(self.story, width, size.height, hide, indent)
        elif book.page_for(self.place.chapter, self.place.offset) == self.ref and page.page is not None:
            return  # nothing moved
        self.ref = book.page_for(self.place.chapter, self.place.offset)
        self.show_page()

    @on(StoryPage.Resized)
    def _resized(self) -> None:
        self.relayout()

    def show_page(self) -> None:
        assert self.story is not None and self.book is not None
        chapter = self.story.chapters[self.ref.chapter]
        page = self.book.page(self.ref)
        marks: list[tuple[int, int]] = []
        current = None
        if self.matches is not None:
            marks = [
                (m.start, m.end) for m in self.matches.in_chapter(self.ref.chapter, page.start, page.end)
            ]
            if self.match_index is not None:
                match = self.matches.all[self.match_index]
                current = (match.start, match.end) if match.chapter == self.ref.chapter else None
        self.query_one(StoryPage).show(
            chapter,
            page,
            self.book.width,
            marks=marks,
            current=current,
            indent=self.book.indent,
            justify=self.reader_app.config.align == "justify",
        )
        self.update_status()
        chapter_layout = self.book.chapter(self.ref.chapter)
        if not chapter_layout.complete and self._counting != (self.book, self.ref.chapter):
            # Count the rest of a long chapter's pages once the page is painted and the
            # reader idle: the count must not compete with drawing the page.
            self._counting = (self.book, self.ref.chapter)
            self.set_timer(COUNT_DELAY, partial(self.count_pages, self.book, self.ref.chapter))

    @work(thread=True, exclusive=True, group="count")
    def count_pages(self, layout: StoryLayout, chapter: int) -> None:
        worker = get_current_worker()
        if layout.chapter(chapter).lay_out_all(stop=lambda: worker.is_cancelled or layout is not self.book):
            self.post_message(self.PagesCounted(layout))

    @on(PagesCounted)
    def _counted(self, message: PagesCounted) -> None:
        if message.book is self.book:
            self.update_status()

    def update_status(self) -> None:
        if self.story is None or self.book is None:
            return
        chapter = self.story.chapters[self.ref.chapter]
        page = self.book.page(self.ref)
        n, m, exact = self.book.chapter(self.ref.chapter).page_number(self.ref.section, self.ref.page)
        pages = f"p. {n}/{m if exact else f'~{m}'}"
        if self.matches is not None and len(self.matches):
            number = self.match_index + 1 if self.match_index is not None else 0
            pages = f"match {number} of {len(self.matches)} · {pages}"
        in_chapter = chapter.estimate_words(page.end) if page.end < len(chapter) else 0
        after = self._words_after[self.ref.chapter] if self.ref.chapter < len(self._words_after) else 0
        status = self.query_one("#status-bar", Static)
        width = status.size.width or self.app.size.width
        text = footer_text(
            chapter.title, width, pages, int(self.progress() * 100), in_chapter, after, self._speed.wpm
        )
        status.update(Text(text, no_wrap=True, overflow="crop"))

    def progress(self) -> float:
        """How far through the story the page on screen starts, 0.0 to 1.0."""
        if self.story is None or self.book is None:
            return 0.0
        return self.story.progress(Position(self.ref.chapter, self.book.page(self.ref).start))

    # Moving --------------------------------------------------------------------------

    def go(self, ref: PageRef | None, words: int = 0) -> None:
        """Show the page ``ref`` and remember it as the reading position.

        ``words``: the words on the page just left, when it was turned forward (read).
        """
        if ref is None or self.book is None or self.story is None:
            return
        self.ref = ref
        page = self.book.page(ref)
        self.place = Position(ref.chapter, page.start, self.story.chapters[ref.chapter].snippet(page.start))
        self.show_page()
        self.remember(words)

    def jump(self, ref: PageRef | None) -> None:
        """Go to ``ref`` as a jump: Backspace comes back to the page left."""
        if ref is None:
            return
        if ref != self.ref:
            self.history.append(self.place)
            del self.history[:-100]
        self.go(ref)

    def remember(self, words: int = 0) -> None:
        """Record the position in the state (in memory now, on disk debounced), and the
        time since the last turn, with the ``words`` read in it, in the reading log."""
        if self.story is None:
            return
        now = clock()
        seconds = turn_time(now - self._last_turn)
        self._last_turn = now
        state = self.reader_app.state
        state.log_reading(self.story.id, seconds, words_read(words, seconds))
        self._turns += 1
        if self._turns % SPEED_EVERY == 0:
            self._speed = speed(state.stories)
        state.save_position(
            self.story.id,
            self.place,
            progress=self.progress(),
            title=self.story.title,
            path=self.story.path,
            seconds=seconds,
            author=self.story.author,
            chapters=len(self.story.chapters),
        )
        self.reader_app.request_save()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("close", "escape"):  # app.help and app.statistics are the app's to check
            return True
        return self.book is not None

    def action_next_page(self) -> None:
        if self.book is None:
            return
        page = self.book.page(self.ref)
        words = self.story.chapters[self.ref.chapter].words_between(page.start, page.end) if self.story else 0
        ref = self.book.next(self.ref)
        if ref is None:
            self.at_the_end(words)
        else:
            self.go(ref, words)

    def action_previous_page(self) -> None:
        if self.book is None:
            return
        ref = self.book.previous(self.ref)
        if ref is None:
            self.app.notify("The start of the story.", timeout=3)
        self.go(ref)

    def action_next_chapter(self) -> None:
        if self.book and self.story and self.ref.chapter + 1 < len(self.story.chapters):
            self.go(self.book.first_of(self.ref.chapter + 1))
        else:
            self.app.notify("This is the last chapter.", timeout=3)

    def action_previous_chapter(self) -> None:
        if self.book is None:
            return
        if self.ref.section or self.ref.page:
            self.go(self.book.first_of(self.ref.chapter))
        elif self.ref.chapter > 0:
            self.go(self.book.first_of(self.ref.chapter - 1))
        else:
            self.app.notify("This is the first chapter.", timeout=3)

    def action_chapter_start(self) -> None:
        if self.book:
            self.go(self.book.first_of(self.ref.chapter))

    def action_chapter_end(self) -> None:
        if self.book:
            self.go(self.book.last_of(self.ref.chapter))

    @on(PageView.Turn)
    def _turn(self, message: PageView.Turn) -> None:
        if message.step > 0:
            self.action_next_page()
        else:
            self.action_previous_page()

    def action_escape(self) -> None:
        if self.matches is not None:
            self._find_closed()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.reader_app.save_now()
        if self.direct:
            self.app.exit()
        else:
            self.dismiss(None)
