"""One reading session, without Textual: the story, its pages, the place, jumps and back, find
matches, reading speed, time left and the footer's text. The reading screen
(``reader/ui/screens/reading.py``) draws what this holds and sends it the reader's keys; everything
it decides is here, tested in milliseconds without a screen. A move (``next_page``, ``back``,
``step_match``…) returns ``None`` when the place changed (the page is to be shown again), else
what to tell the reader ("": nothing)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from reader.layout import PageRef, StoryLayout, page_ref
from reader.model import Position, Story, percent, resolve_position
from reader.state import State
from reader.state.stats import Speed, duration, minutes_for, speed, turn_time, words_read

if TYPE_CHECKING:
    from reader.search.in_story import Matches

#: The measured reading speed is worked out again after this many page turns.
SPEED_EVERY = 20
#: Jumps remembered for Backspace.
HISTORY = 100
#: What ``next_page`` returns on the last page when marking the story finished is to be offered.
OFFER_FINISHED = "Mark it finished?"

Moved = str | None


class ReadingSession:
    """The story being read and where: a reading screen's logic, without the screen.

    ``state`` records the place and the reading log as the reader moves; ``clock`` (seconds)
    times page turns; ``recorded`` is called after each record (the app saves soon)."""

    def __init__(
        self,
        story: Story,
        state: State,
        *,
        clock: Callable[[], float] = time.monotonic,
        recorded: Callable[[], None] = lambda: None,
    ) -> None:
        self.story = story
        self.state = state
        self.clock = clock
        self.recorded = recorded
        #: Runs a move's recording (0.1 ms); the reading screen's runs it after the frame (issue 16).
        self.record_later: Callable[[Callable[[], None]], object] = lambda record: record()
        self.book: StoryLayout | None = None
        self.ref = PageRef(0, 0, 0)
        saved = self._saved = state.position(story.id)  # as the start found it: see freshen()
        self.resumed = saved is not None
        self.place = resolve_position(story, saved) if saved else Position(0, 0, story.chapters[0].snippet(0))
        #: Where the reader was before each jump (contents, go to, bookmark, found text).
        self.history: list[Position] = []
        self.matches: Matches | None = None
        self.match_index: int | None = None
        self.speed: Speed = speed(state.full_stories())
        #: Marking the story finished was offered at its end, this session.
        self.end_offered = False
        #: The key that finds, as the messages name it (the screen sets the one in effect).
        self.find_key = "/"
        counts = [chapter.estimate_words(0) for chapter in story.chapters]
        after, self._words_after = 0, [0] * len(counts)
        for index in range(len(counts) - 1, -1, -1):  # words after each chapter (estimated)
            self._words_after[index] = after
            after += counts[index]
        self._last_turn = clock()  # reading starts with the first page, not while loading
        self._turns = 0
        self._sent = False  # start_at placed the reader elsewhere than the saved place

    # Opening ---------------------------------------------------------------------------

    def start_at(self, start: Position | None = None, chapter: int | None = None, find: str = "") -> str:
        """Place the reader where they were sent: a search hit's ``start`` (Backspace comes
        back to where reading was), else the beginning of ``chapter``, else the saved place;
        ``find``: the hit's words, highlighted. Returns news of chapters added since the
        story was last read ("" for none)."""
        story = self.story
        seen = self.state.chapters_seen(story.id)
        news = ""
        self._sent = start is not None or chapter is not None
        if start is not None:
            if self.resumed:
                self.history.append(self.place)
            self.place = resolve_position(story, start)
        elif chapter is not None and 0 <= chapter < len(story.chapters):
            self.place = Position(chapter, 0, story.chapters[chapter].snippet(0))
        elif seen and len(story.chapters) > seen:
            new = len(story.chapters) - seen
            news = (
                f"{new} new chapter{'s' if new > 1 else ''} since you last read, from "
                f"“{story.chapters[seen].title}”."
            )
        if find:
            self.find(find)
            if self.matches is not None:
                self.match_index = self.matches.index_of(self.place.chapter, self.place.offset)
        return news

    def freshen(self) -> bool:
        """Look at the story's state file now. A start takes the state's cache on trust (see
        :meth:`State.load`), so a crash or another device may have left a later place there;
        the first page is drawn from the cache, and this follows once it is up. When the
        file holds another place and the reader was neither sent elsewhere nor has moved,
        go there: True. Call it before :meth:`opened` records the place."""
        self.state.freshen(self.story.id)
        now = self.state.position(self.story.id)
        if now is None or now == self._saved or self._sent or self._turns or self.history:
            return False
        self.resumed = True
        self.place = resolve_position(self.story, now)
        return True

    def opened(self) -> None:
        """The story is on screen: that counts as reading it. It is "reading" (unless the
        reader gave it another status than "plan to read"), read now, its place saved; so
        the library shows it read and ``c`` continues it."""
        if self.state.status(self.story.id) == "plan-to-read":
            self.state.set_status(self.story.id, "reading")
        self.remember()

    def lay_out(self, width: int, height: int, hide: frozenset[str] = frozenset(), indent: int = 0) -> bool:
        """Pages of ``width`` × ``height`` cells (laid out again only if one of these changed),
        keeping the place on screen. True when the page to show changed."""
        book = self.book
        changed = book is None or (book.width, book.height, book.hide, book.indent) != (
            width,
            height,
            hide,
            indent,
        )
        if book is None or changed:
            book = self.book = StoryLayout(self.story, width, height, hide, indent)
        ref = book.page_for(self.place.chapter, self.place.offset)
        changed = changed or ref != self.ref
        self.ref = ref
        return changed

    # Moving ------------------------------------------------------------------------------

    def go(self, ref: PageRef | None, words: int = 0) -> Moved:
        """To the page ``ref``, recorded as the reading position; ``words``: the words on
        the page left, when it was turned forward (read)."""
        if ref is None or self.book is None:
            return ""
        self.ref = ref
        start = self.book.page(ref).start
        self.place = Position(ref.chapter, start, self.story.chapters[ref.chapter].snippet(start))
        self.record_later(partial(self.remember, words))
        return None

    def jump(self, ref: PageRef | None) -> Moved:
        """To ``ref`` as a jump: ``back`` returns to the page left."""
        if ref is None or self.book is None:
            return ""
        if ref != self.ref:
            self.history.append(self.place)
            del self.history[:-HISTORY]
        return self.go(ref)

    def back(self) -> Moved:
        """Back to where the reader was before the last jump."""
        if not self.history or self.book is None:
            return "No jump to go back from."
        self.place = resolve_position(self.story, self.history.pop())
        return self.go(self.book.page_for(self.place.chapter, self.place.offset))

    def next_page(self) -> Moved:
        """The next page, the page left counted as read. On the last page: OFFER_FINISHED
        once a session (the last page counted then) unless the story is finished."""
        if self.book is None:
            return ""
        page = self.book.page(self.ref)
        words = self.story.chapters[self.ref.chapter].words_between(page.start, page.end)
        ref = self.book.next(self.ref)
        if ref is not None:
            return self.go(ref, words)
        if self.end_offered or self.state.status(self.story.id) == "finished":
            return "The end of the story."
        self.end_offered = True  # whatever the answer: the offer, and the last page, count once
        self.remember(words)
        return OFFER_FINISHED

    def previous_page(self) -> Moved:
        ref = self.book.previous(self.ref) if self.book else None
        return "The start of the story." if ref is None else self.go(ref)

    def next_chapter(self) -> Moved:
        if self.book is None or self.ref.chapter + 1 >= len(self.story.chapters):
            return "This is the last chapter."
        return self.go(self.book.first_of(self.ref.chapter + 1))

    def previous_chapter(self) -> Moved:
        """The start of this chapter, or of the one before when already there."""
        if self.book is None:
            return ""
        if self.ref != self.book.first_of(self.ref.chapter):
            return self.go(self.book.first_of(self.ref.chapter))
        if self.ref.chapter > 0:
            return self.go(self.book.first_of(self.ref.chapter - 1))
        return "This is the first chapter."

    def chapter_start(self) -> Moved:
        return self.go(self.book.first_of(self.ref.chapter)) if self.book else ""

    def chapter_end(self) -> Moved:
        return self.go(self.book.last_of(self.ref.chapter)) if self.book else ""

    def go_to_chapter(self, chapter: int) -> Moved:
        return self.jump(self.book.first_of(chapter)) if self.book else ""

    def go_to_fraction(self, fraction: float) -> Moved:
        """A jump to ``fraction`` (0.0 to 1.0) of the way through the story."""
        return self.jump(self.book.page_for(*self.story.position_at(fraction))) if self.book else ""

    def go_to_page(self, number: int) -> Moved:
        """A jump to page ``number`` (1-based, clamped) of this chapter."""
        if self.book is None:
            return ""
        chapter = self.book.chapter(self.ref.chapter)
        return self.jump(PageRef(self.ref.chapter, *page_ref(chapter, number)))

    def go_to_position(self, position: Position) -> Moved:
        """A jump to a saved ``position`` (a bookmark), re-anchored on its snippet."""
        if self.book is None:
            return ""
        target = resolve_position(self.story, position)
        return self.jump(self.book.page_for(target.chapter, target.offset))

    # Recording ---------------------------------------------------------------------------

    def remember(self, words: int = 0) -> None:
        """Record the place in the state, and the time since the last turn with the
        ``words`` read in it in the reading log; the speed is measured again now and then."""
        now = self.clock()
        seconds = turn_time(now - self._last_turn)
        self._last_turn = now
        story, state = self.story, self.state
        state.log_reading(story.id, seconds, words_read(words, seconds))
        self._turns += 1
        if self._turns % SPEED_EVERY == 0:
            self.speed = speed(state.full_stories())
        state.save_position(
            story.id,
            self.place,
            progress=self.progress(),
            title=story.title,
            path=story.path,
            seconds=seconds,
            author=story.author,
            chapters=len(story.chapters),
        )
        self.recorded()

    def status(self) -> str:
        """The story's reading status ("reading" when it has none yet)."""
        return self.state.status(self.story.id) or "reading"

    def set_status(self, status: str) -> None:
        self.state.set_status(self.story.id, status)
        entry = self.state.entry(self.story.id)
        entry.setdefault("title", self.story.title)  # a story marked before a page was turned
        entry.setdefault("path", os.path.abspath(self.story.path))

    def add_bookmark(self) -> str:
        """A bookmark at the place; returns its name: chapter and per cent, as the footer
        says them (page numbers change with the terminal's size)."""
        name = f"{self.story.chapters[self.ref.chapter].title} · {percent(self.progress())}%"
        self.state.add_bookmark(self.story.id, name, self.place)
        return name

    # Finding -----------------------------------------------------------------------------

    def find(self, text: str, regex: bool = False) -> str:
        """Find ``text`` (``regex``: a regular expression); returns what the find bar says."""
        self.matches = self.match_index = None
        if not text.strip():
            return "type to find"
        from reader.search.in_story import FindError, Matches, compile_pattern  # at the first find

        try:
            self.matches = Matches(self.story, compile_pattern(text, regex))
        except FindError as error:
            return str(error)
        return f"{len(self.matches)} match{'es' if len(self.matches) != 1 else ''}"

    def clear_find(self) -> None:
        self.matches = self.match_index = None

    def first_match(self) -> Moved:
        """A jump to the first match from the place on (wrapping round)."""
        if self.matches is None or not len(self.matches):
            return "Not found in this story."
        return self._go_to_match(self.matches.first_from(self.place))

    def step_match(self, step: int) -> Moved:
        """To the next match (``step`` 1) or the previous (-1), across pages and chapters."""
        if self.matches is None or not len(self.matches):
            return f"Nothing to find yet: press {self.find_key} and type."
        if self.match_index is None:
            first = self.matches.first_from(self.place)
            index = first if step > 0 or first is None else self.matches.next(first, -1)
        else:
            index = self.matches.next(self.match_index, step)
        return self._go_to_match(index)

    def _go_to_match(self, index: int | None) -> Moved:
        if self.matches is None or index is None or self.book is None:
            return ""
        first = self.match_index is None  # leaving the reading for the found text: a jump
        self.match_index = index
        match = self.matches.all[index]
        ref = self.book.page_for(match.chapter, match.start)
        return self.jump(ref) if first else self.go(ref)

    def marks(self) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
        """The matches on the page (start, end), and the current match if it is in its chapter."""
        if self.matches is None or self.book is None:
            return [], None
        page = self.book.page(self.ref)
        marks = [(m.start, m.end) for m in self.matches.in_chapter(self.ref.chapter, page.start, page.end)]
        current = None
        if self.match_index is not None:
            match = self.matches.all[self.match_index]
            current = (match.start, match.end) if match.chapter == self.ref.chapter else None
        return marks, current

    # Where the reader is -----------------------------------------------------------------

    def progress(self) -> float:
        """How far through the story the page on screen starts, 0.0 to 1.0; the last page
        is 1.0 (the end is on screen: the story is read)."""
        if self.book is None:
            return 0.0
        if self.book.next(self.ref) is None:
            return 1.0
        return self.story.progress(Position(self.ref.chapter, self.book.page(self.ref).start))

    def reading_line(self) -> tuple[int, int] | None:
        """[start, end) of the line on the page that holds the place: the line the reader
        was at, to mark after the text is laid out anew (wider, other paragraphs…)."""
        if self.book is None:
            return None
        offset = self.place.offset
        lines = [line for line in self.book.page(self.ref).lines if line.kind != "blank"]
        line = next((line for line in lines if line.end > offset), None) or (lines[-1] if lines else None)
        return (line.start, line.end) if line is not None else None

    def words_left(self) -> tuple[int, int]:
        """Words (estimated) after the page in its chapter, and in the chapters after it."""
        if self.book is None:
            return 0, 0
        chapter = self.story.chapters[self.ref.chapter]
        end = self.book.page(self.ref).end
        in_chapter = chapter.estimate_words(end) if end < len(chapter) else 0
        return in_chapter, self._words_after[self.ref.chapter]

    def minutes_left(self) -> tuple[int, int]:
        """Minutes left in the chapter and in the book, at the reader's speed."""
        in_chapter, after = self.words_left()
        return minutes_for(in_chapter, self.speed.wpm), minutes_for(in_chapter + after, self.speed.wpm)

    def pages(self) -> str:
        """The footer's page count (``p. 3/12``, ``~12`` until counted), with the match
        number while finding."""
        if self.book is None:
            return ""
        n, m, exact = self.book.chapter(self.ref.chapter).page_number(self.ref.part, self.ref.page)
        pages = f"p. {n}/{m if exact else f'~{m}'}"
        if self.matches is not None and len(self.matches):
            number = self.match_index + 1 if self.match_index is not None else 0
            pages = f"match {number} of {len(self.matches)} · {pages}"
        return pages

    def footer(self, width: int, help_key: str = "?") -> str:
        """The status line under the page, ``width`` cells (``help_key``: the key of help)."""
        title = self.story.chapters[self.ref.chapter].title
        in_chapter, after = self.words_left()
        done = percent(self.progress())
        return footer_text(title, width, self.pages(), done, in_chapter, after, self.speed.wpm, help_key)


def footer_text(
    title: str,
    width: int,
    pages: str,
    percent: int,
    words_in_chapter: int,
    words_after: int,
    wpm: int,
    help_key: str = "?",
) -> str:
    """The status line, ``width`` cells: the chapter ``title`` on the left, and on the right
    ``pages``, ``percent`` and the time left at ``wpm`` in the chapter and in the book.

    On a wide terminal, the longest right part that leaves room for the chapter title (its
    first 20 cells); else the longest that leaves some of it; the title is cut with "…".
    """
    chapter_left = duration(60 * minutes_for(words_in_chapter, wpm))
    book_left = f"{duration(60 * minutes_for(words_in_chapter + words_after, wpm))} in book"
    variants = [
        [pages, f"{percent}%", f"{chapter_left} left in chapter", book_left, f"{help_key} help"],
        [pages, f"{percent}%", f"{chapter_left} left in chapter", book_left],
        [pages, f"{percent}%", f"{chapter_left} left", book_left],
        [pages, f"{percent}%", f"{chapter_left} left"],
        [pages, f"{percent}%"],
    ]
    rights = [" " + " · ".join(parts) + " " for parts in variants]
    wide = [text for text in rights[:3] if width - len(text) > min(len(title), 20)]
    some = [text for text in rights if width - len(text) >= 12]
    right = (wide or some or rights[-1:])[0]
    room = max(0, width - len(right) - 1)
    shown = title if len(title) <= room else title[: max(0, room - 1)] + "…"
    return " " + shown.ljust(room) + right
