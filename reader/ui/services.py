"""What screens may ask of the app, as a Protocol, so that no screen imports ``app.py``.

A screen reaches the reader's own services through :func:`services` (``services(self).state``);
what every Textual app has (``notify``, ``push_screen``, ``size``, ``exit``) it asks of
``self.app`` as usual. ``ReaderApp`` provides all of it (mypy checks that in ``app.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel

    from reader.config import Config
    from reader.search.index import SearchIndex
    from reader.state import State


class Services(Protocol):
    """The reader's services a screen, dialog or widget may use."""

    @property
    def state(self) -> State:
        """Every story's reading state (position, bookmarks, status, log)."""
        ...

    @property
    def config(self) -> Config:
        """The settings from config.yaml (text width, alignment, theme, keys)."""
        ...

    def request_save(self) -> None:
        """Save soon (debounced), off the UI thread."""
        ...

    def save_now(self, then: Callable[[bool], None] | None = None) -> None:
        """Save what changed now, off the UI thread; ``then(saved)`` runs once it is on disk."""
        ...

    def save_and_say(self, message: str, title: str = "") -> None:
        """Save now, and say ``message`` once it is on disk."""
        ...

    def say(
        self,
        message: str,
        *,
        kind: str,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notice that replaces the last one of its ``kind`` on screen."""
        ...

    def save_config(self) -> None:
        """Write config.yaml (a failure is said, not raised)."""
        ...

    def settle(self) -> None:
        """The first screen is usable: look at the state folder for files changed since the
        cache was written, and read what the cache keeps apart (on threads)."""
        ...

    def library_index(self, root: Path) -> SearchIndex:
        """The search index of the library at ``root``."""
        ...


def services(node: DOMNode) -> Services:
    """The services of the app ``node`` runs in."""
    return cast("Services", node.app)
