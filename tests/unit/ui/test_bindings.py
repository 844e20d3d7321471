"""Keys as data (reader/ui/bindings.py): every screen's BINDINGS is its group there, and help,
the palette, the keymap and the README's keys table learn keys without importing a screen."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from conftest import ROOT
from textual.binding import Binding

from reader.ui import bindings
from reader.ui.dialogs.bookmarks import BookmarksScreen
from reader.ui.dialogs.navigation import GoToScreen, TocScreen
from reader.ui.dialogs.status_picker import StatusPicker
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.reading import ReadingScreen
from reader.ui.screens.search import SearchScreen
from reader.ui.screens.stats import StatsScreen
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.story_table import StoryTable

OWNERS = [
    LibraryScreen,
    ReadingScreen,
    FindBar,
    BookmarksScreen,
    SearchScreen,
    StatsScreen,
    StoryTable,
    TocScreen,
    GoToScreen,
    StatusPicker,
    HelpScreen,
]
#: Modules that show or check keys: none of them may import a screen, dialog or widget.
KEY_READERS = ["reader.ui.bindings", "reader.ui.keymap", "reader.ui.screens.help"]
SCREEN_MODULES = {
    cls.__module__ for cls in OWNERS if cls is not HelpScreen
}  # help is itself a screen, and a key reader


@pytest.mark.parametrize("owner", OWNERS, ids=lambda cls: cls.__name__)
def test_every_class_binds_its_group(owner: type) -> None:
    group = next(g for g in bindings.GROUPS if g.owner == owner.__name__)
    assert list(owner.BINDINGS) == group.bindings()


def test_every_group_has_its_class_and_unique_ids() -> None:
    assert sorted(g.owner for g in bindings.GROUPS) == sorted(cls.__name__ for cls in OWNERS)
    for group in bindings.GROUPS:
        names = [c.name for c in group.commands]
        assert len(names) == len(set(names)), group.name
    ids = [b.id for _, bs in bindings.remappable_bindings() for b in bs]
    assert all(ids) and len(ids) == len(set(ids))


def test_the_palette_group_of_a_screen_is_found_by_its_class_and_bases() -> None:
    class MyLibrary(LibraryScreen):
        pass

    assert bindings.group_of(MyLibrary.__new__(MyLibrary)) is bindings.LIBRARY
    assert bindings.group_of(object()) is None
    assert all(isinstance(b, Binding) for b in bindings.READING.bindings())


def test_key_readers_import_no_screen() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {KEY_READERS!r}: importlib.import_module(name)\n"
        "from reader.ui.keymap import binding_ids, check_keymap, screens\n"
        "assert len(binding_ids()) > 30 and screens()\n"
        "check_keymap({'reading.next_page': 'o'})\n"
        "import runpy, io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    runpy.run_path({str(ROOT / 'scripts' / 'keys_table.py')!r}, run_name='__main__')\n"
        f"bad = sorted(m for m in sys.modules if m in {sorted(SCREEN_MODULES)!r})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_palette_imports_no_screen_for_its_keys() -> None:
    """``ReaderApp.get_system_commands`` reads bindings.py, never a screen's BINDINGS."""
    tree = ast.parse((ROOT / "reader" / "ui" / "app.py").read_text(encoding="utf-8"))
    palette = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "get_system_commands"
    )
    imported = {n.module for n in ast.walk(palette) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"reader.ui.bindings", "reader.ui.keymap"}
    assert not any(isinstance(n, ast.Attribute) and n.attr == "BINDINGS" for n in ast.walk(palette))
