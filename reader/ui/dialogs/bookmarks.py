"""The bookmarks of a story: jump to one, rename it or delete it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.model import Bookmark, Position, Story
from reader.ui.bindings import BOOKMARKS
from reader.ui.services import services


class BookmarksScreen(ModalScreen[Position | None]):
    BINDINGS = BOOKMARKS.bindings()

    def __init__(self, story: Story) -> None:
        super().__init__()
        self.story = story
        #: The bookmarks as listed: the state may gain some from another reader meanwhile.
        self.shown: list[Bookmark] = []

    @property
    def marks(self) -> list[Bookmark]:
        return services(self).state.bookmarks(self.story.id)

    def compose(self) -> ComposeResult:
        with Vertical(id="bookmarks-box", classes="dialog"):
            yield Static(f"Bookmarks — {self.story.title}", classes="dialog-title", markup=False)
            yield OptionList(id="bookmark-list")
            yield Input(id="rename", placeholder="New name, Enter to keep, Escape to cancel")
            yield Static("Enter: jump · r: rename · d: delete · Escape: close", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#rename", Input).display = False
        self.refill()

    def refill(self, highlight: int = 0) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        marks = self.shown = self.marks
        if not marks:
            options.add_option(Option("No bookmarks yet — press m while reading to add one.", disabled=True))
            return
        for mark in marks:
            chapter = self.story.chapters[min(mark.position.chapter, len(self.story.chapters) - 1)]
            line = Text(mark.name, style="bold")
            line.append(f"\n  {chapter.title} · “{mark.position.snippet.strip()[:50]}…”", style="dim")
            options.add_option(Option(line))
        options.highlighted = min(highlight, len(marks) - 1)
        options.focus()

    def _selected(self) -> int | None:
        index = self.query_one(OptionList).highlighted
        return index if index is not None and index < len(self.shown) else None

    @on(OptionList.OptionSelected)
    def action_jump(self) -> None:
        index = self._selected()
        if index is not None:
            self.dismiss(self.shown[index].position)

    def action_rename(self) -> None:
        index = self._selected()
        if index is None:
            return
        rename = self.query_one("#rename", Input)
        rename.value = self.shown[index].name
        rename.display = True
        self.set_focus(rename)  # at once: the name typed next must not run d or r

    @on(Input.Submitted, "#rename")
    def _renamed(self, event: Input.Submitted) -> None:
        index = self._selected()
        name = event.value.strip()
        if index is not None and name:
            services(self).state.rename_bookmark(self.story.id, self.shown[index], name)
            services(self).save_now()
        event.input.display = False
        self.refill(index or 0)

    def action_delete(self) -> None:
        index = self._selected()
        if index is None:
            return
        gone = self.shown[index]
        services(self).state.delete_bookmark(self.story.id, gone)
        services(self).save_and_say(f"Deleted bookmark: {gone.name}")
        self.refill(index)

    def action_close(self) -> None:
        rename = self.query_one("#rename", Input)
        if rename.display:
            rename.display = False
            self.set_focus(self.query_one(OptionList))
            return
        self.dismiss(None)
