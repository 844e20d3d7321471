"""Every screen's keys as data: declared once here, read by the screens (``BINDINGS``),
help, the command palette, the keymap (config.yaml ``keys:``) and the README's keys table.

A :class:`Group` is the keys of one screen, dialog or widget; its ``owner`` names the class
whose ``BINDINGS`` it is, by name, so that nothing has to import a screen to learn its keys.
The commands of a remappable group have ids (``reading.next_page``) that config.yaml may
give other keys; the ids are what users write, so keep them stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from textual.binding import Binding, BindingType


class Command(NamedTuple):
    """One key binding: ``name`` is its id within the group, ``keys`` Textual's spelling."""

    name: str
    keys: str
    action: str
    description: str
    show: bool = True
    key_display: str | None = None


class Group(NamedTuple):
    """The keys of one screen, dialog or widget."""

    name: str  # the prefix of the binding ids: "reading" in reading.next_page
    title: str  # as help shows it
    owner: str  # the name of the class whose BINDINGS these are
    commands: tuple[Command, ...]
    remappable: bool = True  # has ids, is in help, the keymap and the README

    def binding_id(self, command: Command) -> str | None:
        return f"{self.name}.{command.name}" if self.remappable else None

    def bindings(self) -> list[BindingType]:
        """The group as Textual bindings, for a class's ``BINDINGS``."""
        return [
            Binding(
                c.keys,
                c.action,
                c.description,
                show=c.show,
                key_display=c.key_display,
                id=self.binding_id(c),
            )
            for c in self.commands
        ]


LIBRARY = Group(
    "library",
    "Library",
    "LibraryScreen",
    (
        Command("open", "enter", "open", "Open the story", show=False),
        Command("continue", "c", "continue", "Continue the last story read"),
        Command("new_chapters", "n", "new_chapters", "Open at the first new chapter"),
        Command("search", "S", "search", "Search every story in the library"),
        Command("details", "i", "details", "Show or hide the details pane"),
        Command("sort", "s", "sort", "Next sort order (recent, title, author, length, progress, status)"),
        Command("reverse", "r", "reverse", "Reverse the order"),
        Command("set_status", "x", "set_status", "Set the reading status of the story"),
        Command("status_filter", "f", "status_filter", "Show only one reading status (cycles)"),
        Command("filter", "slash", "filter", "Filter", key_display="/"),
        Command("clear_filter", "escape", "clear_filter", "Clear the filter"),
        Command("statistics", "number_sign", "app.statistics", "Reading statistics", key_display="#"),
        Command("help", "question_mark", "app.help", "Help", key_display="?"),
        Command("quit", "q", "app.quit", "Quit"),
    ),
)

READING = Group(
    "reading",
    "Reading",
    "ReadingScreen",
    (
        Command("next_page", "space,pagedown,right,l,j,down,f", "next_page", "Next page"),
        Command("previous_page", "pageup,left,h,k,up,b", "previous_page", "Previous page"),
        Command("next_chapter", "right_square_bracket", "next_chapter", "Next chapter", key_display="]"),
        Command(
            "previous_chapter", "left_square_bracket", "previous_chapter", "Previous chapter", key_display="["
        ),
        Command("chapter_start", "home", "chapter_start", "Start of chapter"),
        Command("chapter_end", "end", "chapter_end", "End of chapter"),
        Command("add_bookmark", "m", "add_bookmark", "Add bookmark"),
        Command("toggle_notes", "a", "toggle_notes", "Hide or show author's notes"),
        Command("toggle_justify", "J", "toggle_justify", "Justified or left-aligned text"),
        Command("toggle_paragraphs", "P", "toggle_paragraphs", "Paragraphs: blank line or first-line indent"),
        Command("bookmarks", "B", "bookmarks", "Bookmarks"),
        Command("status", "x", "status", "Set the reading status"),
        Command("statistics", "number_sign", "app.statistics", "Reading statistics", key_display="#"),
        Command("wider", "plus,equals_sign", "wider", "Wider text column", key_display="+"),
        Command("narrower", "minus", "narrower", "Narrower text column", key_display="-"),
        Command("contents", "t", "contents", "Table of contents"),
        Command("go_to", "g,colon", "go_to", "Go to a chapter, per cent or page", key_display="g :"),
        Command("back", "backspace", "back", "Back to where you were before the last jump"),
        Command("find", "slash", "find", "Find in this story", key_display="/"),
        Command("next_match", "n", "next_match", "Next match"),
        Command("previous_match", "N", "previous_match", "Previous match"),
        Command("help", "question_mark", "app.help", "Help", key_display="?"),
        Command(
            "escape", "escape", "escape", "Clear the found text, else back to the library", key_display="Esc"
        ),
        Command("close", "q", "close", "Back to the library"),
    ),
)

FIND_BAR = Group(
    "find",
    "Find bar (/ while reading)",
    "FindBar",
    (
        Command("toggle_regex", "ctrl+r", "toggle_regex", "Regular expression on/off", show=False),
        Command("close", "escape", "close", "Close the find bar", show=False),
    ),
)

BOOKMARKS = Group(
    "bookmarks",
    "Bookmarks (B while reading)",
    "BookmarksScreen",
    (
        Command("jump", "enter", "jump", "Jump to bookmark", show=False),
        Command("rename", "r", "rename", "Rename bookmark"),
        Command("delete", "d,delete", "delete", "Delete bookmark"),
        Command("undo", "u", "undo", "Undo the last delete"),
        Command("help", "question_mark", "app.help", "Help", key_display="?"),
        Command("close", "escape,q,B", "close", "Close"),
    ),
)

SEARCH = Group(
    "search",
    "Search (S in the library)",
    "SearchScreen",
    (
        Command("back", "escape", "back", "Back to the library"),
        Command("toggle_regex", "ctrl+r", "toggle_regex", "Regular expression on/off"),
        Command("results", "down", "results", "To the results", show=False),
    ),
)

STATISTICS = Group(
    "statistics",
    "Statistics (# in the library or while reading)",
    "StatsScreen",
    (Command("close", "escape,q", "close", "Close the statistics"),),
)

# Lists and dialogs: their keys are not remapped (help sums them up in one section).

STORY_TABLE = Group(
    "story_table",
    "Story list",
    "StoryTable",
    (
        Command("up", "up,k", "cursor(-1)", "Up", show=False),
        Command("down", "down,j", "cursor(1)", "Down", show=False),
        Command("page_up", "pageup", "page(-1)", "Page up", show=False),
        Command("page_down", "pagedown", "page(1)", "Page down", show=False),
        Command("first", "home", "jump(0)", "First", show=False),
        Command("last", "end", "jump(-1)", "Last", show=False),
        Command("select", "enter", "select", "Open", show=False),
    ),
    remappable=False,
)

CONTENTS = Group(
    "contents",
    "Table of contents",
    "TocScreen",
    (Command("close", "escape,q,t", "close", "Close the table of contents"),),
    remappable=False,
)

GO_TO = Group(
    "go_to", "Go to", "GoToScreen", (Command("close", "escape", "close", "Close"),), remappable=False
)

STATUS_PICKER = Group(
    "status_picker",
    "Reading status",
    "StatusPicker",
    (Command("close", "escape,q", "close", "Close"),),
    remappable=False,
)

HELP = Group(
    "help",
    "Help",
    "HelpScreen",
    (Command("close", "escape,q,question_mark", "close", "Close help"),),
    remappable=False,
)

#: The groups whose keys can be remapped, in the order help and the README list them.
REMAPPABLE: tuple[Group, ...] = (LIBRARY, READING, FIND_BAR, BOOKMARKS, SEARCH, STATISTICS)
#: Every group.
GROUPS: tuple[Group, ...] = (*REMAPPABLE, STORY_TABLE, CONTENTS, GO_TO, STATUS_PICKER, HELP)


def group_of(node: object) -> Group | None:
    """The group of a screen or widget: its class's, else the nearest base class's."""
    by_owner = {group.owner: group for group in GROUPS}
    for cls in type(node).__mro__:
        if cls.__name__ in by_owner:
            return by_owner[cls.__name__]
    return None


def remappable_bindings() -> Iterable[tuple[Group, list[Binding]]]:
    """Each remappable group with its bindings (all of them have ids)."""
    for group in REMAPPABLE:
        yield group, [b for b in group.bindings() if isinstance(b, Binding)]
