"""The help screen: every key, by screen, read from the keys as data (``reader.ui.bindings``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.state.status import STATUSES
from reader.ui.bindings import FIND_BAR, HELP, LIBRARY, READING, SEARCH, Group, remappable_bindings
from reader.ui.keymap import key_label

#: The keys of the reading-status dialog: each status's first letter.
STATUS_LETTERS = " ".join(label[0] for label in STATUSES.values())

MOUSE_HELP = [
    ("click right / left half", "Next / previous page"),
    ("mouse wheel", "Turn pages"),
]


def bindings_text(
    title: str,
    bindings: list[BindingType],
    extra: Sequence[tuple[str, str]] = (),
    keymap: Mapping[str, str] | None = None,
) -> Text:
    rows = [(key_label(b, keymap or {}), b.description) for b in bindings if isinstance(b, Binding)]
    rows += list(extra)
    width = max(len(keys) for keys, _ in rows) + 2
    text = Text(title + "\n", style="bold")
    for keys, what in rows:
        text.append(f"  {keys:<{width}}", style="bold")
        text.append(f"{what}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Every key, the keys of the screen it was opened on (``first``) at the top."""

    BINDINGS = HELP.bindings()

    def __init__(self, first: Group | None = None) -> None:
        super().__init__()
        self.first = first

    def compose(self) -> ComposeResult:
        keymap = self.app._keymap
        extras: dict[Group, list[tuple[str, str]]] = {
            LIBRARY: [("Enter ↓", "In the filter: back to the list (letters typed there are text)")],
            READING: MOUSE_HELP,
            FIND_BAR: [("Enter", "Go to the match")],
            SEARCH: [
                ("Enter", "Open the story at the hit"),
                ("query", 'words · "a phrase" · prefix* · author: fandom: tag:'),
            ],
        }
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static("reader — keys", classes="dialog-title")
            groups = sorted(remappable_bindings(), key=lambda pair: pair[0] is not self.first)
            for group, bindings in groups:
                yield Static(bindings_text(group.title, list(bindings), extras.get(group, ()), keymap))
            yield Static(
                bindings_text(
                    "Lists and dialogs (contents, go to, reading status)",
                    [],
                    [
                        ("Up Down", "Move"),
                        ("Enter", "Choose"),
                        ("Esc", "Close"),
                        (STATUS_LETTERS, "Reading status: the first letter sets it"),
                    ],
                )
            )
            yield Static(Text("Everywhere: ctrl+p opens the command palette with every action.", style="dim"))
            yield Static(
                Text("Keys can be changed in config.yaml (keys:); see the README.", style="dim"),
            )
            yield Static("Escape, q or ? closes this help.", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
