"""What the library screen's actions open: a story in the reading screen (the one chosen,
the one read last, or its new chapters), and the status picker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from reader.library.listing import StoryEntry
from reader.library.shelf import recent_first
from reader.ui.keymap import key_of
from reader.ui.services import services
from reader.ui.widgets.story_rows import new_chapters


def _read(screen: Screen[Any], path: Path, root: Path, start_chapter: int | None = None) -> None:
    from reader.ui.screens.reading import ReadingScreen

    screen.app.push_screen(ReadingScreen(path, root, start_chapter=start_chapter))


def open_story(screen: Screen[Any], root: Path, entry: StoryEntry | None) -> None:
    """Read ``entry``; a story that cannot be opened (or is missing) says why instead."""
    if entry is None:
        return
    if entry.error:
        if entry.missing:
            screen.app.notify(entry.error, title="Story file missing", severity="warning", timeout=6)
        else:
            screen.app.notify(entry.error, title="Cannot open story", severity="error", timeout=6)
        return
    _read(screen, entry.path, root)


def continue_latest(screen: Screen[Any], root: Path, entries: list[StoryEntry]) -> None:
    """Read on in the story read last."""
    state = services(screen).state
    state.freshen()  # typed ahead of the app's first look at the state folder: look now
    read = [e for e in entries if not e.error and state.last_read(e.id)]
    if not read:
        enter = key_of("library.open", screen.app._keymap)
        screen.app.notify(f"Nothing read yet: pick a story and press {enter}.", timeout=4)
        return
    latest = min(read, key=lambda e: recent_first(e.title, state.last_read(e.id)))
    _read(screen, latest.path, root)


def open_new_chapters(screen: Screen[Any], root: Path, entry: StoryEntry | None) -> None:
    """Read ``entry`` from the first chapter it gained since it was last read."""
    if entry is None or entry.error:
        return
    if not new_chapters(entry, services(screen).state):
        screen.app.notify("No new chapters in this story since you last read it.", timeout=3)
        return
    _read(screen, entry.path, root, start_chapter=services(screen).state.chapters_seen(entry.id))


def pick_status(screen: Screen[Any], entry: StoryEntry, then: Callable[[str], None]) -> None:
    """The status picker for ``entry`` (not for a story that cannot be read); a status chosen
    goes to ``then``."""
    if entry.error and not entry.missing:
        return
    from reader.ui.dialogs.status_picker import StatusPicker

    def chosen(status: str | None) -> None:
        if status:
            then(status)

    screen.app.push_screen(StatusPicker(entry.title, services(screen).state.status(entry.id)), chosen)
