"""What a reader does to a story besides reading it: jumps (contents, go to, back),
bookmarks, and its reading status. The reading screen provides the story and the paging."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from reader.layout import PageRef, page_ref
from reader.model import Position, resolve_position
from reader.state.status import label
from reader.ui.screens.finding import FindingScreen

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class MarkingScreen(FindingScreen):
    """The reading screen's jumping, bookmarking and status half."""

    ref: PageRef
    history: list[Position]
    _end_offered: bool

    @property
    def reader_app(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    def progress(self) -> float:
        raise NotImplementedError

    def remember(self, words: int = 0) -> None:
        raise NotImplementedError

    # Jumps ---------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.history or self.book is None or self.story is None:
            self.app.notify("No jump to go back from.", timeout=2)
            return
        self.place = resolve_position(self.story, self.history.pop())
        self.go(self.book.page_for(self.place.chapter, self.place.offset))

    def action_contents(self) -> None:
        if self.story is None:
            return
        from reader.ui.dialogs.navigation import TocScreen

        def chosen(chapter: int | None) -> None:
            if chapter is not None and self.book is not None:
                self.jump(self.book.first_of(chapter))

        self.app.push_screen(TocScreen(self.story, self.ref.chapter), chosen)

    def action_go_to(self) -> None:
        if self.story is None:
            return
        from reader.ui.dialogs.navigation import GoToScreen, Target

        def chosen(target: Target | None) -> None:
            if target is None or self.book is None or self.story is None:
                return
            if target.chapter is not None:
                self.jump(self.book.first_of(target.chapter))
            elif target.fraction is not None:
                self.jump(self.book.page_for(*self.story.position_at(target.fraction)))
            elif target.page is not None:
                chapter = self.book.chapter(self.ref.chapter)
                self.jump(PageRef(self.ref.chapter, *page_ref(chapter, target.page)))

        self.app.push_screen(GoToScreen(len(self.story.chapters)), chosen)

    # Reading status ------------------------------------------------------------------

    def action_status(self) -> None:
        if self.story is None:
            return
        from reader.ui.dialogs.status_picker import StatusPicker

        current = self.reader_app.state.status(self.story.id) or "reading"
        self.app.push_screen(StatusPicker(self.story.title, current), self._set_status)

    def _set_status(self, status: str | None) -> None:
        if status is None or self.story is None:
            return
        state = self.reader_app.state
        state.set_status(self.story.id, status)
        entry = state.entry(self.story.id)
        entry.setdefault("title", self.story.title)  # a story marked before a page was turned
        entry.setdefault("path", os.path.abspath(self.story.path))
        self.reader_app.save_and_say(f"Marked as {label(status)}", title=self.story.title)

    def at_the_end(self, words: int) -> None:
        """Next page on the last page: offer to mark the story finished, once a session.

        The last page counts as read (``words``) when the offer is made."""
        if self.story is None:
            return
        if self._end_offered or self.reader_app.state.status(self.story.id) == "finished":
            self.app.notify("The end of the story.", timeout=3)
            return
        from reader.ui.dialogs.status_picker import StatusPicker

        self._end_offered = True  # whatever the answer: the offer, and the last page, count once
        self.remember(words)
        prompt = f"The end of {self.story.title}. Mark it finished?"
        current = self.reader_app.state.status(self.story.id) or "reading"
        self.app.push_screen(
            StatusPicker(self.story.title, current, prompt, highlight="finished"), self._set_status
        )

    # Bookmarks -----------------------------------------------------------------------

    def action_add_bookmark(self) -> None:
        if self.story is None or self.book is None:
            return
        # Named by chapter and per cent: page numbers change with the terminal's size.
        name = (
            f"{self.story.chapters[self.ref.chapter].title} · {int(self.progress() * 100)}%"  # as the footer
        )
        self.reader_app.state.add_bookmark(self.story.id, name, self.place)
        self.reader_app.save_and_say(f"Bookmark added: {name}")  # once on disk: confirmed is kept

    def action_bookmarks(self) -> None:
        if self.story is None:
            return
        from reader.ui.dialogs.bookmarks import BookmarksScreen

        self.app.push_screen(BookmarksScreen(self.story), self._jump)

    def _jump(self, position: Position | None) -> None:
        if position is None or self.story is None or self.book is None:
            return
        target = resolve_position(self.story, position)
        self.jump(self.book.page_for(target.chapter, target.offset))
