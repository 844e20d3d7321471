"""The Textual application: holds the state and settings, and starts on the right screen."""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from reader.config import Config
from reader.formats import Preload
from reader.state import State

if TYPE_CHECKING:
    from reader.search import LibraryIndex

#: The state file is written at most this often while paging.
SAVE_INTERVAL = 1.0


class ReaderApp(App[None]):
    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        *,
        library: Path | None = None,
        story: Path | None = None,
        preload: Preload | None = None,
        state_path: Path,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.story_path = story
        self.preload = preload
        self.state = State.load(state_path)
        self.config = config or Config()
        self._save_timer: Timer | None = None
        self._last_save = 0.0
        self._save_failed = False
        self._index: LibraryIndex | None = None

    def get_default_screen(self) -> Screen:
        """The first screen: the story given on the command line, else the library."""
        if self.story_path is not None:
            from reader.ui.reading import ReadingScreen

            root = self.preload.root if self.preload is not None else None
            return ReadingScreen(
                self.story_path, root or self.story_path.parent, direct=True, preload=self.preload
            )
        from reader.ui.library_screen import LibraryScreen

        assert self.library is not None
        return LibraryScreen(self.library)

    def on_mount(self) -> None:
        self.call_after_refresh(self._started)
        for warning in (self.state.warning, self.config.problem):
            if warning:
                self.notify(warning, title="Reading state", severity="warning", timeout=15)
        self._handle_signals()

    def _started(self) -> None:
        """The first frame is on screen: start-up objects are kept for good, so freeze them."""
        gc.freeze()
        gc.enable()

    def _handle_signals(self) -> None:
        """A closed terminal (SIGHUP) or a kill (SIGTERM) saves the state before exiting."""
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._signalled)
        except (NotImplementedError, RuntimeError, AttributeError, ValueError):
            pass

    def _signalled(self) -> None:
        self.save_now()
        self.exit()

    # Saving --------------------------------------------------------------------------

    def request_save(self) -> None:
        """Save soon: at most once every :data:`SAVE_INTERVAL` seconds, never on the key press."""
        if self._save_timer is not None:
            return
        wait = max(0.05, SAVE_INTERVAL - (time.monotonic() - self._last_save))
        self._save_timer = self.set_timer(wait, self._timed_save)

    def _timed_save(self) -> None:
        self._save_timer = None
        self.save_now()

    def save_now(self) -> bool:
        """Write the state file; on failure warn once, keep reading, and retry on the next save."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self._last_save = time.monotonic()
        try:
            self.state.save()
        except OSError as error:
            if not self._save_failed:
                self.notify(
                    f"Could not save your place to {self.state.path}: {error.strerror or error}. "
                    "Reading goes on; saving will be retried.",
                    title="Not saved",
                    severity="error",
                    timeout=10,
                )
            self._save_failed = True
            return False
        if self._save_failed:
            self.notify("Your place is saved again.", timeout=3)
        self._save_failed = False
        return True

    def save_now_quietly(self) -> None:
        """The last save on the way out, after the terminal is restored: errors go to stderr."""
        try:
            self.state.save()
        except OSError as error:
            import sys

            print(f"reader: could not save your place to {self.state.path}: {error}", file=sys.stderr)

    def library_index(self, root: Path) -> LibraryIndex:
        """The search index of the library at ``root`` (one per app, opened when first needed)."""
        from reader.search import LibraryIndex

        if self._index is None or self._index.root != root:
            self._index = LibraryIndex(root)
        return self._index

    def save_config(self) -> None:
        try:
            self.config.save()
        except OSError as error:
            self.notify(f"Could not save settings: {error.strerror or error}", severity="warning")

    # Actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        from reader.ui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.save_now()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette lists every action of the screen it was opened from."""
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                target = self if action.startswith("app.") else screen
                name = action.removeprefix("app.")
                yield SystemCommand(
                    binding.description,
                    f"key: {binding.key_display or binding.key}",
                    partial(target.run_action, name),
                )
        yield from super().get_system_commands(screen)
