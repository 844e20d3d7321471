"""What the library screen says in words: its title bar, its status line, and the line an
empty list shows. Every key named is the key in effect (config.yaml may change them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from rich.text import Text

from reader.formats.files import FORMATS
from reader.library.listing import StoryEntry
from reader.state.status import label
from reader.ui.keymap import key_of


class LibraryScreen(Protocol):
    """What this module reads of the library screen."""

    @property
    def app(self) -> Any: ...
    @property
    def root(self) -> Path: ...
    @property
    def status_filter(self) -> str: ...
    @property
    def loaded(self) -> bool: ...
    @property
    def entries(self) -> list[StoryEntry]: ...
    @property
    def shown(self) -> list[StoryEntry]: ...
    @property
    def sort(self) -> str: ...
    @property
    def reverse(self) -> bool: ...
    @property
    def progress(self) -> tuple[int, int] | None: ...


def _key(screen: LibraryScreen, command: str) -> str:
    return key_of(f"library.{command}", screen.app._keymap)


def _only(screen: LibraryScreen) -> str:
    return label(screen.status_filter).casefold()


def title(screen: LibraryScreen) -> str:
    only = _only(screen)
    return f"Library — {screen.root}" + (f" · only {only}" if only else "")


def empty_view(screen: LibraryScreen, query: str) -> str:
    """Why the list is empty, and what brings the stories back."""
    if not screen.loaded and not screen.entries:
        return "Reading the library…"
    if not screen.entries:
        return f"No stories in {screen.root}: the reader reads {', '.join(FORMATS)} and story folders."
    only = _only(screen)
    clear = _key(screen, "clear_filter")
    if query.strip():
        which = f"No {only} story" if only else "No story"
        return f"{which} matches “{query.strip()}”. {clear}: clear the filter."
    return (
        f"No story is marked {only}. {_key(screen, 'status_filter')}: the next status · {clear}: every story."
    )


def status_line(screen: LibraryScreen, entry: StoryEntry | None) -> Text:
    """The line under the list: the count and order, then the most useful keys that fit."""
    width = screen.app.size.width
    if screen.progress is not None:
        done, total = screen.progress
        return Text(f" Reading the library… {done:,} of {total:,}", style="bold")
    if entry is not None and entry.error:
        return Text(f" {entry.error}", style="red")
    if not screen.entries:  # the list says why
        return Text(
            " Reading the library…" if not screen.loaded else f" 0 stories · {_key(screen, 'help')} help"
        )
    shown, every = len(screen.shown), len(screen.entries)
    count = f"{shown:,} of {every:,} stories" if shown != every else f"{every:,} stories"
    only = _only(screen)
    kept = [count] + ([f"only {only} ({_key(screen, 'status_filter')})"] if only else [])
    order = f"{screen.sort}{' (reversed)' if screen.reverse else ''}"
    hints = [
        f"by {order}",
        f"{_key(screen, 'open')} read",
        f"{_key(screen, 'filter')} filter",
        f"{_key(screen, 'continue')} continue",
        f"{_key(screen, 'sort')} sort",
        f"{_key(screen, 'set_status')} status",
    ]
    if not screen.shown:
        hints.insert(0, f"{_key(screen, 'clear_filter')} clears the filter")
    help_key = f"{_key(screen, 'help')} help"
    while hints and len(" · ".join([*kept, *hints, help_key])) + 2 > width:
        hints.pop()  # the least needed hints go first; the count, the filter and help stay
    return Text(" " + " · ".join([*kept, *hints, help_key]))
