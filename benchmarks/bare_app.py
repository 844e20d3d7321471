"""The baseline: a bare Textual app that shows one line, for start-up comparisons."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("BARE-APP-READY")


if __name__ == "__main__":
    Bare().run()
