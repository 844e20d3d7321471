"""The help screen: every key, by screen, taken from the screens' own bindings."""

from __future__ import annotations

from rich.table import Table
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
    return " ".join(names.get(k.strip(), k.strip().replace("ctrl+", "^").title() if len(k.strip()) > 1 else k.strip()) for k in binding.key.split(","))


def bindings_table(title: str, bindings: list[BindingType], extra: list[tuple[str, str]] = ()) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for item in bindings:
        if isinstance(item, Binding):
            table.add_row(key_names(item), item.description)
    for keys, what in extra:
        table.add_row(keys, what)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close help")]

    def compose(self) -> ComposeResult:
        from reader.ui.library_screen import LibraryScreen
        from reader.ui.reading import ReadingScreen

        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static("reader — keys", classes="dialog-title")
            yield Static(bindings_table("Library", LibraryScreen.BINDINGS, [("any letter", "Filter the list")]))
            yield Static(bindings_table("Reading", ReadingScreen.BINDINGS, MOUSE_HELP))
            yield Static(Text("Everywhere: ctrl+p opens the command palette with every action.", style="dim"))
            yield Static("Escape, q or ? closes this help.", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
