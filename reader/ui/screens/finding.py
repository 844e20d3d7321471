"""Finding in the story being read: the find bar, the matches, and n / N between them."""

from __future__ import annotations

from textual import on
from textual.screen import Screen

from reader.search.in_story import FindError, Matches, compile_pattern
from reader.layout import PageRef, StoryLayout
from reader.model import Position, Story
from reader.ui.widgets.find_bar import FindBar


class FindingScreen(Screen[None]):
    """The reading screen's finding half; the reading screen provides the story and paging."""

    story: Story | None
    book: StoryLayout | None
    place: Position
    matches: Matches | None
    match_index: int | None

    def go(self, ref: PageRef | None) -> None:
        raise NotImplementedError

    def jump(self, ref: PageRef | None) -> None:
        raise NotImplementedError

    def show_page(self) -> None:
        raise NotImplementedError

    async def mount_find_bar(self) -> FindBar:
        """The find bar, mounted when first wanted: not in the first frame, which it would slow."""
        bars = self.query(FindBar)
        if bars:
            return bars.first()
        bar = FindBar()
        await self.mount(bar, before="#status-bar")
        return bar

    async def action_find(self) -> None:
        (await self.mount_find_bar()).open()
        self.query_one("#status-bar").display = False

    def _find(self, text: str, regex: bool, quiet: bool = False) -> None:
        """Find ``text`` in the story; the count shows in the find bar (once there is one)."""
        bars = self.query(FindBar)
        bar = bars.first() if bars else None
        self.match_index = None
        if self.story is None or not text.strip():
            self.matches = None
            if bar is not None:
                bar.show_count("type to find")
        else:
            try:
                self.matches = Matches(self.story, compile_pattern(text, regex))
            except FindError as error:
                self.matches = None
                if bar is not None:
                    bar.show_count(str(error))
            else:
                if bar is not None:
                    bar.show_count(f"{len(self.matches)} match{'es' if len(self.matches) != 1 else ''}")
        if not quiet and self.book is not None:
            self.show_page()

    @on(FindBar.Changed)
    def _find_changed(self, message: FindBar.Changed) -> None:
        self._find(message.text, message.regex)

    @on(FindBar.Go)
    def _find_go(self) -> None:
        self._close_bar()
        if self.matches is None or not len(self.matches):
            self.app.notify("Not found in this story.", timeout=3)
            return
        self._go_to_match(self.matches.first_from(self.place))

    @on(FindBar.Closed)
    def _find_closed(self) -> None:
        self._close_bar()
        self.matches = self.match_index = None
        if self.book is not None:
            self.show_page()

    def _close_bar(self) -> None:
        for bar in self.query(FindBar):
            bar.display = False
        self.query_one("#status-bar").display = True
        self.set_focus(self.query_one("#page"))

    def _go_to_match(self, index: int | None) -> None:
        if self.matches is None or index is None or self.book is None:
            return
        first = self.match_index is None  # leaving the reading for the found text: a jump
        self.match_index = index
        match = self.matches.all[index]
        ref = self.book.page_for(match.chapter, match.start)
        if first:
            self.jump(ref)
        else:
            self.go(ref)

    def action_next_match(self) -> None:
        self._step_match(1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        if self.matches is None or not len(self.matches):
            self.app.notify("Nothing to find yet: press / and type.", timeout=3)
            return
        if self.match_index is None:
            first = self.matches.first_from(self.place)
            index = first if step > 0 or first is None else self.matches.next(first, -1)
        else:
            index = self.matches.next(self.match_index, step)
        self._go_to_match(index)
