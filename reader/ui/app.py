"""The Textual application: holds the state and settings, and starts on the right screen."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.driver import Driver
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from reader.clean import PLACEHOLDER, clean
from reader.config import Config
from reader.opening import Preload
from reader.state import LockBusy, State
from reader.ui.autosave import Autosave
from reader.ui.typeahead import TypeAhead, straight_to_bindings

if TYPE_CHECKING:
    from reader.search.index import SearchIndex

#: A warm, light theme for long reading, like a paper page under a lamp.
PAPER = Theme(
    name="paper",
    primary="#8a5a2b",
    secondary="#6b7b4f",
    accent="#a0522d",
    warning="#c08a1e",
    error="#a23b2a",
    success="#4f7a3a",
    foreground="#3b3025",
    background="#f4ecd8",
    surface="#ece2c9",
    panel="#e2d5b5",
    dark=False,
)

#: How often the state folder is looked at for files another reader changed (seconds).
CHECK_INTERVAL = 2.0


class ReaderApp(App[None]):
    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    ENABLE_COMMAND_PALETTE = True

    #: The last save runs once at a time: on the way out, and in a hang-up's last resort.
    _final_save: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        *,
        library: Path | None = None,
        story: Path | None = None,
        preload: Preload | None = None,
        state_path: Path | None = None,
        state: State | None = None,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.story_path = story
        self.preload = preload
        if state is None:
            assert state_path is not None, "the app needs a state, or the folder to load it from"
            state = State.load(state_path, look_soon=True)  # the app looks once it is shown
        self.state = state
        self.config = config or Config()
        self.autosave = Autosave(self.state, self._report, self._state_changed)
        self._checking = self._settled = False
        self._index: SearchIndex | None = None
        self.typeahead = TypeAhead(self)
        self._kinds: dict[str, str] = {}  # notice → its kind (see say)
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"  # nothing slides: a page is one redraw, even over ssh

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal; on Linux and macOS, one that writes frames at
        once (see :mod:`reader.ui.driver`)."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__ == "textual.drivers.linux_driver":
            from reader.ui.driver import PromptDriver

            return PromptDriver
        return driver

    def get_default_screen(self) -> Screen:
        """The first screen: the story given on the command line, else the library."""
        if self.story_path is not None:
            from reader.ui.screens.reading import ReadingScreen

            root = self.preload.root if self.preload is not None else None
            return ReadingScreen(
                self.story_path, root or self.story_path.parent, direct=True, preload=self.preload
            )
        from reader.ui.screens.library import LibraryScreen

        assert self.library is not None
        return LibraryScreen(self.library)

    def on_mount(self) -> None:
        self.register_theme(PAPER)
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(self._started)
        for warning in (self.state.warning, self.config.problem):
            if warning:
                self.notify(warning, title="Reading state", severity="warning", timeout=15)
        self._show_state_notices()
        self._apply_keymap()
        self._handle_signals()
        self.autosave.start()
        self.set_interval(CHECK_INTERVAL, self._check_disk)

    def _apply_keymap(self) -> None:
        """Keys remapped in config.yaml; what cannot be used is said once, in one notice."""
        notes = list(self.config.notes)
        if self.config.keys:
            from reader.ui.keymap import check_keymap

            keymap, problems = check_keymap(self.config.keys)
            notes += problems
            self.set_keymap(keymap)
        if notes:
            self.notify("\n".join(notes), title="config.yaml: not used", severity="warning", timeout=15)

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal go one at a time (see :mod:`reader.ui.typeahead`)."""
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            await super().on_event(event)
            return
        if self.typeahead.arriving(event):
            return  # typed ahead: it goes once the key before it is handled
        target = self.focused or self.screen
        if straight_to_bindings(event, target) and await self._keys_to_bindings(event):
            self.typeahead.sent(event, None)  # handled all the way up: one round of the app
            return
        await super().on_event(event)
        self.typeahead.sent(event, target if event.is_forwarded else None)

    async def _keys_to_bindings(self, event: events.Event) -> bool:
        """What Textual does with a key that no widget takes (see ``straight_to_bindings``),
        without the rounds: True when a binding took it, else Textual passes it on as ever."""
        assert isinstance(event, events.Key)
        if self.screen.maximized is not None:
            return False  # Textual's own escape-to-minimize comes first
        self.app_focus = True
        return await self._check_bindings(event.key, priority=True) or await self._check_bindings(event.key)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notice. Its kind is its title and the words before its first colon
        ("Bookmark added: …", "Text column: …"): a notice of the same kind replaces it
        instead of piling up over the text. Not read as markup unless asked: a notice may
        quote a file name (one with "[@click=…]" in it)."""
        kind = f"{title}\n{str(message).partition(':')[0]}"
        self.say(message, kind=kind, title=title, severity=severity, timeout=timeout, markup=markup)

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
        """A notice that replaces the last one of its ``kind`` ("text-style": six presses of
        ``-`` leave one notice, saying the last width)."""
        seconds = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        message, title = clean(str(message), PLACEHOLDER), clean(title, PLACEHOLDER)  # no control bytes
        notice = Notification(message, title, severity, seconds, markup=markup)
        self._kinds[notice.identity] = kind
        self.post_message(Notify(notice))

    def on_notify(self, event: Notify) -> None:
        """Before a notice is shown, the one of its kind on screen goes."""
        kind = self._kinds.get(event.notification.identity)
        shown = list(self._notifications)
        for notice in shown:
            if self._kinds.get(notice.identity) == kind:
                self._unnotify(notice, refresh=False)
        kept = {notice.identity for notice in self._notifications} | {event.notification.identity}
        self._kinds = {identity: k for identity, k in self._kinds.items() if identity in kept}

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        """Clashes were reported once at start (see :func:`check_keymap`): not on every key."""

    def _theme_changed(self, theme: Theme) -> None:
        """A theme chosen in the palette is the theme next time too."""
        if self.config.theme != theme.name:
            self.config.theme = theme.name
            self.save_config()

    def _started(self) -> None:
        """The first frame is on screen: start-up objects are kept for good, so freeze them.
        A story opened directly settles now; the library once its list is shown."""
        gc.freeze()
        if self.library is None or self.story_path is not None:
            self.settle()
        gc.enable()

    def settle(self) -> None:
        if not self._settled:
            self._settled = True
            self.state.prefetch()
            self.call_later(self._check_disk)

    def _handle_signals(self) -> None:
        """A closed terminal (SIGHUP) or a kill (SIGTERM) saves the state and ends the reader
        within 2 s, whatever Textual's shutdown does with the terminal gone (``hangup``)."""
        from reader.ui import hangup

        if self.is_headless:  # a test's app: the test process keeps its own signal handlers
            return
        try:
            hangup.install(self._signalled, self.save_now_quietly)
        except (NotImplementedError, RuntimeError, AttributeError, ValueError):
            pass

    def _signalled(self) -> None:
        self.save_now()
        self.exit()

    # Saving --------------------------------------------------------------------------

    def request_save(self) -> None:
        """Save soon (debounced), off the UI thread: a key press never waits on the disk."""
        self.autosave.request()

    def save_now(self, then: Callable[[bool], None] | None = None) -> None:
        """Save what changed now, off the UI thread; ``then(saved)`` runs once it is on disk."""
        self.autosave.flush(then)

    def save_and_say(self, message: str, title: str = "") -> None:
        """Save now, and say ``message`` once it is on disk (a confirmation is a promise)."""

        def said(saved: bool) -> None:
            if saved:
                self.notify(message, title=title, timeout=3)

        self.save_now(said)

    def save_now_quietly(self) -> bool:
        """The last save on the way out, after the terminal is restored; errors go to stderr.

        Waits for the writer, then writes what is left here, waiting at most 2 s for another
        reader's lock; what still cannot be written goes to an emergency copy, and the
        message says where. False when the last save failed. Safe to call from two threads
        (the way out and the hang-up's last resort): the second waits for the first.
        """
        with self._final_save:
            return self._save_last()

    def _save_last(self) -> bool:
        self.autosave.stop()
        try:
            self.state.save(timeout=2.0)
            saved = True
        except (OSError, LockBusy) as error:
            saved = False
            reason = getattr(error, "strerror", None) or error
            _stderr(f"reader: could not save your place in {self.state.folder}: {reason}")
            try:
                for copy in self.state.emergency_copies():
                    _stderr(f"reader: an emergency copy of it is in {copy}")
            except OSError as again:
                _stderr(f"reader: and no emergency copy could be written ({again})")
        for notice in self.state.pop_notices():
            _stderr(f"reader: {notice}")
        return saved

    def _report(self, message: str, error: bool) -> None:
        self.notify(
            message,
            title="Not saved" if error else "Reading state",
            severity="error" if error else "warning",
            timeout=10 if error else 15,
        )

    def _show_state_notices(self) -> None:
        notices = self.state.pop_notices()
        if notices:
            shown = notices[:5] + ([f"… and {len(notices) - 5} more"] if len(notices) > 5 else [])
            self.notify("\n".join(shown), title="Reading state", severity="warning", timeout=15)

    def _state_changed(self) -> None:
        """Memory took what another reader wrote: the library shows it."""
        from reader.ui.screens.library import LibraryScreen

        screen = self.screen
        if isinstance(screen, LibraryScreen) and screen.entries:
            screen.refresh_rows()

    async def _check_disk(self) -> None:
        """Merge in story files another reader (or a synced folder) changed, and the sync
        tools' conflict copies: a look at the folder in a thread every
        :data:`CHECK_INTERVAL` seconds; only changed files are read."""
        state = self.state
        if self._checking or state.read_only:
            return
        self._checking = True
        try:
            look = state.look()
            changes = await asyncio.to_thread(state.changes, look)
            changed = state.absorb(changes)
            state.unlooked = False  # every file as it was at the look
        finally:
            self._checking = False
        self._show_state_notices()
        if state.dirty:
            self.request_save()
        if changed:
            self._state_changed()

    def library_index(self, root: Path) -> SearchIndex:
        """The search index of the library at ``root`` (one per app, opened when first needed)."""
        from reader.search.index import SearchIndex

        if self._index is None or self._index.root != root:
            self._index = SearchIndex(root)
        return self._index

    def save_config(self) -> None:
        try:
            self.config.save()
        except OSError as error:
            self.notify(f"Could not save settings: {error.strerror or error}", severity="warning")

    # Actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        from reader.ui.bindings import group_of
        from reader.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(group_of(self.screen)))  # its keys first

    def action_statistics(self) -> None:
        """Open the reading statistics (with a line for the story being read, if any)."""
        from reader.ui.screens.reading import ReadingScreen
        from reader.ui.screens.stats import StatsScreen

        if isinstance(self.screen, StatsScreen):
            return
        story = self.screen.story if isinstance(self.screen, ReadingScreen) else None
        self.push_screen(StatsScreen(story.id, story.title) if story is not None else StatsScreen())

    async def action_quit(self) -> None:
        self.save_now()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette lists every action of the screen it was opened from (its keys as data)."""
        from reader.ui.bindings import group_of
        from reader.ui.keymap import key_label

        group = group_of(screen)
        for binding in group.bindings() if group is not None else ():
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                target = self if action.startswith("app.") else screen
                name = action.removeprefix("app.")
                yield SystemCommand(
                    binding.description,
                    f"key: {key_label(binding, self._keymap)}",
                    partial(target.run_action, name),
                )
        yield from super().get_system_commands(screen)


if TYPE_CHECKING:
    from reader.ui.services import Services

    def _provides_services(app: ReaderApp) -> Services:
        return app  # mypy checks here that ReaderApp gives screens all they may ask for


def _stderr(message: str) -> None:
    """A line on stderr, which may be a closed terminal by now: then it is lost, quietly."""
    import sys

    try:
        print(message, file=sys.stderr)
    except (OSError, ValueError):
        pass
