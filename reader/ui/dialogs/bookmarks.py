"""The bookmarks of a story: jump to one, rename it or delete it (and undo that)."""

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
from reader.ui.keymap import key_of
from reader.ui.services import services


class BookmarksScreen(ModalScreen[Position | None]):
    BINDINGS = BOOKMARKS.bindings()

    def __init__(self, story: Story) -> None:
        super().__init__()
        self.story = story
        #: The bookmarks as listed: the state may gain some from another reader meanwhile.
        self.shown: list[Bookmark] = []
        #: Bookmarks deleted while the list is open, the last last (``u`` brings it back).
        self.deleted: list[tuple[int, Bookmark]] = []

    @property
    def marks(self) -> list[Bookmark]:
        return services(self).state.bookmarks(self.story.id)

    def compose(self) -> ComposeResult:
        with Vertical(id="bookmarks-box", classes="dialog"):
            yield Static(f"Bookmarks — {self.story.title}", classes="dialog-title")
            yield OptionList(id="bookmark-list")
            yield Input(id="rename", placeholder="New name, Enter to keep, Escape to cancel")
            yield Static(self._hint(), id="bookmarks-hint", classes="dialog-hint")

    def _hint(self) -> str:
        keys = {
            name: key_of(f"bookmarks.{name}", self.app._keymap)
            for name in ("rename", "delete", "undo", "close")
        }
        undo = f" · {keys['undo']}: undo" if self.deleted else ""
        delete, close = f"{keys['delete']}: delete", f"{keys['close']}: close"
        return f"Enter: jump · {keys['rename']}: rename · {delete}{undo} · {close}"

    def on_mount(self) -> None:
        self.query_one("#rename", Input).display = False
        self.refill()

    def refill(self, highlight: int = 0) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        marks = self.shown = self.marks
        self.query_one("#bookmarks-hint", Static).update(self._hint())
        if not marks:
            add = key_of("reading.add_bookmark", self.app._keymap)
            options.add_option(
                Option(f"No bookmarks yet — press {add} while reading to add one.", disabled=True)
            )
            return
        for mark in marks:
            options.add_option(Option(self.row(mark)))
        options.highlighted = min(highlight, len(marks) - 1)
        options.focus()

    def row(self, mark: Bookmark) -> Text:
        """One line: the name, the chapter (unless the name says it) and the words there."""
        chapter = self.story.chapters[min(max(mark.position.chapter, 0), len(self.story.chapters) - 1)]
        line = Text(mark.name, style="bold", no_wrap=True, overflow="ellipsis")
        if chapter.title.casefold() not in mark.name.casefold():
            line.append(f" · {chapter.title}", style="dim")
        words = " ".join(mark.position.snippet.split())
        if words:
            line.append(f" · “{words}…”", style="dim")
        line.truncate(self.row_width(), overflow="ellipsis")  # one screen row, never two
        return line

    def row_width(self) -> int:
        """The cells a row has in the list: the dialog (94 % of the terminal, at most 96)
        less its border, padding and the list's own."""
        return max(10, min(96, self.app.size.width * 94 // 100) - 8)

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
        self.deleted.append((index, gone))
        undo = key_of("bookmarks.undo", self.app._keymap)
        services(self).save_and_say(f"Deleted bookmark: {gone.name} ({undo}: undo)")
        self.refill(index)

    def action_undo(self) -> None:
        """The bookmark deleted last comes back (as a new bookmark: same name, same place)."""
        if not self.deleted:
            self.app.notify("Nothing to undo.", timeout=2)
            return
        index, mark = self.deleted.pop()
        services(self).state.add_bookmark(self.story.id, mark.name, mark.position)
        services(self).save_and_say(f"Bookmark back: {mark.name}")
        back = next((i for i, m in enumerate(self.marks) if m.position == mark.position), index)
        self.refill(back)

    def action_close(self) -> None:
        rename = self.query_one("#rename", Input)
        if rename.display:
            rename.display = False
            self.set_focus(self.query_one(OptionList))
            return
        self.dismiss(None)
