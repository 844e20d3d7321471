"""The dialogs the reading screen opens (contents, go to, bookmarks, reading status), and
what their answers do to the reading session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from reader.model import Position
from reader.session import Moved, ReadingSession
from reader.state.status import label
from reader.ui.services import services

#: What the reading screen does after a move: show the page, or say what the session said.
Then = Callable[[Moved], None]


def contents(screen: Screen[Any], session: ReadingSession, then: Then) -> None:
    """The table of contents: a chapter chosen is a jump."""
    from reader.ui.dialogs.navigation import TocScreen

    def chosen(chapter: int | None) -> None:
        if chapter is not None:
            then(session.go_to_chapter(chapter))

    screen.app.push_screen(TocScreen(session.story, session.ref.chapter), chosen)


def go_to(screen: Screen[Any], session: ReadingSession, then: Then) -> None:
    """Go to a chapter, a per cent of the story or a page of the chapter: a jump."""
    from reader.ui.dialogs.navigation import GoToScreen, Target

    def chosen(target: Target | None) -> None:
        if target is None:
            return
        if target.chapter is not None:
            then(session.go_to_chapter(target.chapter))
        elif target.fraction is not None:
            then(session.go_to_fraction(target.fraction))
        elif target.page is not None:
            then(session.go_to_page(target.page))

    screen.app.push_screen(GoToScreen(len(session.story.chapters)), chosen)


def bookmarks(screen: Screen[Any], session: ReadingSession, then: Then) -> None:
    """The story's bookmarks: one chosen is a jump."""
    from reader.ui.dialogs.bookmarks import BookmarksScreen

    def chosen(position: Position | None) -> None:
        if position is not None:
            then(session.go_to_position(position))

    screen.app.push_screen(BookmarksScreen(session.story), chosen)


def status(screen: Screen[Any], session: ReadingSession, then: Then | None = None) -> None:
    """Set the story's reading status."""
    from reader.ui.dialogs.status_picker import StatusPicker

    picker = StatusPicker(session.story.title, session.status())
    screen.app.push_screen(picker, lambda chosen: _set_status(screen, session, chosen))


def offer_finished(screen: Screen[Any], session: ReadingSession) -> None:
    """At the end of the story: mark it finished? (the status picker, "finished" highlighted)."""
    from reader.ui.dialogs.status_picker import StatusPicker

    prompt = f"The end of {session.story.title}. Mark it finished?"
    picker = StatusPicker(session.story.title, session.status(), prompt, highlight="finished")
    screen.app.push_screen(picker, lambda chosen: _set_status(screen, session, chosen))


def _set_status(screen: Screen[Any], session: ReadingSession, chosen: str | None) -> None:
    if chosen is not None:
        session.set_status(chosen)
        services(screen).save_and_say(f"Marked as {label(chosen)}", title=session.story.title)
