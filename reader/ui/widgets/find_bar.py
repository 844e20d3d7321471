"""The find bar of the reading screen: a line to type in, and how many matches there are."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from reader.ui.bindings import FIND_BAR
from reader.ui.keymap import key_of
from reader.ui.widgets.text_box import TextBox

#: Seconds of quiet typing before the story is searched again.
DEBOUNCE = 0.12


class FindBar(Horizontal):
    """Type to find; Enter goes to the first match, ctrl+r switches to regular expressions."""

    DEFAULT_CSS = """
    FindBar {
        dock: bottom;
        height: 1;
        background: $panel;
        display: none;
    }
    FindBar #find-text {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
        background: $panel;
    }
    FindBar > Static {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    FindBar > #find-label {
        color: $text;
        text-style: bold;
        padding: 0 0 0 1;
    }
    """
    BINDINGS = FIND_BAR.bindings()

    class Changed(Message):
        """The text to find (or the regex switch) changed."""

        def __init__(self, text: str, regex: bool) -> None:
            super().__init__()
            self.text = text
            self.regex = regex

    class Go(Message):
        """Enter: go to the first match from here."""

    class Closed(Message):
        """Escape: the reader is done finding; highlights go."""

    def __init__(self) -> None:
        super().__init__(id="find-bar")
        self.regex = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Find", id="find-label")
        yield TextBox(placeholder="in this story…", id="find-text", select_on_focus=False)
        yield Static(self._hint(), id="find-count")

    def _hint(self) -> str:
        keymap = self.app._keymap
        regex, close = key_of("find.toggle_regex", keymap), key_of("find.close", keymap)
        return f"Enter: go · {regex}: regex · {close}: close"

    @property
    def text(self) -> str:
        return self.query_one("#find-text", TextBox).value

    def open(self) -> None:
        self.display = True
        self.screen.set_focus(self.query_one("#find-text", TextBox))

    def show_count(self, message: str) -> None:
        mode = "regex · " if self.regex else ""
        self.query_one("#find-count", Static).update(f"{mode}{message}")

    @on(Input.Changed, "#find-text")
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._announce)

    def _announce(self) -> None:
        self._timer = None
        self.post_message(self.Changed(self.text, self.regex))

    @on(Input.Submitted, "#find-text")
    def _submitted(self) -> None:
        if self._timer is not None:  # typed and pressed Enter at once: search first
            self._timer.stop()
            self._announce()
        self.post_message(self.Go())

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._announce()

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())
