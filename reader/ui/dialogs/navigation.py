"""Moving around a story: the table of contents, and "go to" a chapter, per cent or page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.model import Story, numbered_title
from reader.ui.bindings import CONTENTS, GO_TO


@dataclass(frozen=True)
class Target:
    """Where "go to" leads: a chapter (0-based), a fraction of the story, or a page of the chapter."""

    chapter: int | None = None
    fraction: float | None = None
    page: int | None = None


_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%$")
_PAGE = re.compile(r"^p(?:age)?\.?\s*(\d{1,6})$", re.I)
_CHAPTER = re.compile(r"^(?:c(?:h(?:apter)?)?\.?\s*)?(\d{1,5})$", re.I)


def parse_target(text: str, chapters: int) -> Target | str:
    """The place ``text`` names, or a one-line reason it names none."""
    text = text.strip()
    if match := _PERCENT.match(text):
        value = float(match.group(1))
        return Target(fraction=value / 100) if value <= 100 else "a per cent is at most 100"
    if match := _PAGE.match(text):
        return Target(page=int(match.group(1)))
    if match := _CHAPTER.match(text):
        number = int(match.group(1))
        if 1 <= number <= chapters:
            return Target(chapter=number - 1)
        return f"there {'is one chapter' if chapters == 1 else f'are {chapters} chapters'}"
    return "type a chapter number (12), a per cent (40%) or a page of this chapter (p 7)"


class TocScreen(ModalScreen[int | None]):
    """The chapters, with their words and what is read; Enter goes to one."""

    BINDINGS = CONTENTS.bindings()

    def __init__(self, story: Story, current: int) -> None:
        super().__init__()
        self.story = story
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="toc-box", classes="dialog"):
            yield Static(f"Contents — {self.story.title}", classes="dialog-title")
            yield OptionList(id="toc")
            yield Static("✓ read · ▶ reading · Enter: go · Escape: close", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, chapter in enumerate(self.story.chapters):
            mark = "✓" if index < self.current else "▶" if index == self.current else " "
            # "1. The Callout" and "Chapter 1: Dead Air" say their number already: not again.
            line = Text(f"{mark} ", style="dim" if index < self.current else "")
            line.append(
                numbered_title(index + 1, chapter.title), style="bold" if index == self.current else ""
            )
            line.append(f"  {chapter.words_between(0):,} words", style="dim")
            options.add_option(Option(line))
        options.highlighted = self.current
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_close(self) -> None:
        self.dismiss(None)


class GoToScreen(ModalScreen[Target | None]):
    """One line: a chapter number, a per cent of the story, or a page of this chapter."""

    BINDINGS = GO_TO.bindings()

    def __init__(self, chapters: int) -> None:
        super().__init__()
        self.chapters = chapters

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box", classes="dialog"):
            yield Static("Go to", classes="dialog-title")
            yield Input(id="goto", placeholder="chapter 12 · 40% · p 7")
            yield Static("", id="goto-error", classes="dialog-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        target = parse_target(event.value, self.chapters)
        if isinstance(target, str):
            self.query_one("#goto-error", Static).update(Text(target, style="red"))
            return
        self.dismiss(target)

    def action_close(self) -> None:
        self.dismiss(None)
