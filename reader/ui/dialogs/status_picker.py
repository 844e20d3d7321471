"""A small dialog to set a story's reading status."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.state.status import STATUSES
from reader.ui.bindings import STATUS_PICKER


class StatusPicker(ModalScreen[str | None]):
    """The five statuses, the current one marked; Enter (or its first letter) sets one.

    Dismisses with the status key chosen, or ``None`` when closed without a choice.
    ``highlight`` starts the cursor on another status than the current one (the end of
    a story offers "finished").
    """

    BINDINGS = STATUS_PICKER.bindings()

    def __init__(self, title: str, current: str, prompt: str = "", highlight: str = "") -> None:
        super().__init__()
        self.highlight = highlight or current
        self.story_title = title
        self.current = current
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="status-box", classes="dialog"):
            yield Static(self.prompt or f"Reading status — {self.story_title}", classes="dialog-title")
            yield OptionList(id="status-options")
            yield Static("Enter or the underlined letter: set · Escape: close", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for key, label in STATUSES.items():
            line = Text("● " if key == self.current else "  ")
            line.append(label[0], style="underline bold")
            line.append(label[1:])
            options.add_option(Option(line, id=key))
        keys = list(STATUSES)
        options.highlighted = keys.index(self.highlight) if self.highlight in keys else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: events.Key) -> None:
        character = (event.character or "").casefold()
        for key, label in STATUSES.items():
            if character and label[0].casefold() == character:
                event.stop()
                self.dismiss(key)
                return

    def action_close(self) -> None:
        self.dismiss(None)
