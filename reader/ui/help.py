"""The help screen: every key, by screen, taken from the screens' own bindings."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

MOUSE_HELP = [
    ("click right / left half", "Next / previous page"),
    ("mouse wheel", "Turn pages"),
]


def key_names(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {"question_mark": "?", "space": "Space", "pagedown": "PgDn", "pageup": "PgUp", "escape": "Esc"}
    return " ".join(
        names.get(k.strip(), k.strip().replace("ctrl+", "^").title() if len(k.strip()) > 1 else k.strip())
        for k in binding.key.split(",")
    )


def bindings_text(title: str, bindings: list[BindingType], extra: Sequence[tuple[str, str]] = ()) -> Text:
    rows = [(key_names(b), b.description) for b in bindings if isinstance(b, Binding)] + list(extra)
    width = max(len(keys) for keys, _ in rows) + 2
    text = Text(title + "\n", style="bold")
    for keys, what in rows:
        text.append(f"  {keys:<{width}}", style="bold")
        text.append(f"{what}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close help")]

    def compose(self) -> ComposeResult:
        from reader.ui.find_bar import FindBar
        from reader.ui.library_screen import LibraryScreen
        from reader.ui.reading import ReadingScreen
        from reader.ui.search_screen import SearchScreen

        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static("reader — keys", classes="dialog-title")
            yield Static(
                bindings_text(
                    "Library",
                    LibraryScreen.BINDINGS,
                    [("other letters", "Filter the list (type / first for a letter that is a key here)")],
                )
            )
            yield Static(bindings_text("Reading", ReadingScreen.BINDINGS, MOUSE_HELP))
            yield Static(
                bindings_text("Find bar (/ while reading)", FindBar.BINDINGS, [("Enter", "Go to the match")])
            )
            yield Static(
                bindings_text(
                    "Search (S in the library)",
                    SearchScreen.BINDINGS,
                    [
                        ("Enter", "Open the story at the hit"),
                        ("query", 'words · "a phrase" · prefix* · author: fandom: tag:'),
                    ],
                )
            )
            yield Static(Text("Everywhere: ctrl+p opens the command palette with every action.", style="dim"))
            yield Static("Escape, q or ? closes this help.", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
