"""How the text looks while reading: author's notes, alignment, paragraphs, column width.

Each is a setting of ``config.yaml``, changed from the reading screen (which shows the page
again and saves the settings at once); each change returns the sentence that says it. The
line the reader was at stays on screen and is marked for a moment (:func:`restyle`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from textual.timer import Timer

from reader.config import Config
from reader.session import ReadingSession
from reader.ui.services import services


class ReadingScreen(Protocol):
    """What :func:`restyle` asks of the reading screen."""

    flash_timer: Timer | None

    @property
    def app(self) -> Any: ...
    @property
    def session(self) -> ReadingSession | None: ...
    def relayout(self) -> None: ...
    def show_page(self, flash: tuple[int, int] | None = None) -> None: ...
    def set_timer(self, delay: float, callback: Callable[[], Any]) -> Timer: ...


#: The narrowest and widest text column (cells).
MIN_WIDTH, MAX_WIDTH = 20, 400
#: How long the line the reader was at stays marked after the text changed (seconds).
FLASH_SECONDS = 1.5


def restyle(screen: ReadingScreen, change: Callable[[Config], str], *, layout: bool = True) -> None:
    """Change how the text looks, show the page again (laid out anew if ``layout``) with the
    line the reader was at marked for a moment, say what changed (one notice, replacing the
    last of its kind), and save the settings."""
    app = services(screen.app)
    said = change(app.config)
    if layout:
        screen.relayout()
    session = screen.session
    flash = session.reading_line() if session is not None else None
    screen.show_page(flash=flash)
    if screen.flash_timer is not None:
        screen.flash_timer.stop()  # a mark from an earlier change must not end this one early
    screen.flash_timer = screen.set_timer(FLASH_SECONDS, screen.show_page) if flash is not None else None
    app.say(said, kind="text-style", timeout=2)
    app.save_config()


def toggle_notes(config: Config) -> str:
    config.show_notes = not config.show_notes
    return "Author's notes shown." if config.show_notes else "Author's notes hidden."


def toggle_justify(config: Config) -> str:
    config.align = "left" if config.align == "justify" else "justify"
    return f"Text {'justified' if config.align == 'justify' else 'left-aligned'}."


def toggle_paragraphs(config: Config) -> str:
    config.paragraphs = "blank" if config.paragraphs == "indent" else "indent"
    return "Paragraphs: first-line indent." if config.paragraphs == "indent" else "Paragraphs: a blank line."


def widen(config: Config, cells: int, widest: int = MAX_WIDTH) -> str:
    """The text column ``cells`` wider (narrower when negative), within bounds: at most
    ``widest``, what the terminal shows (and it says so)."""
    widest = max(MIN_WIDTH, min(widest, MAX_WIDTH))
    shown = min(config.text_width, widest)  # a column set wider elsewhere is this wide here
    config.text_width = max(MIN_WIDTH, min(shown + cells, widest))
    if cells > 0 and config.text_width == widest:
        return f"Text column: {config.text_width} cells, as wide as this terminal shows"
    if cells < 0 and config.text_width == MIN_WIDTH:
        return f"Text column: {config.text_width} cells, the narrowest"
    return f"Text column: {config.text_width} cells"
