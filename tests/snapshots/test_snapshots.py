"""SVG snapshots of the main screens in two themes (pytest-textual-snapshot).

The pictures are in ``tests/__snapshots__/test_snapshots/``. After a deliberate change to a
screen, look at the new picture and accept it with ``pytest tests/test_snapshots.py
--snapshot-update``; a failing run writes a side-by-side report (``snapshot_report.html``).

The library is copied into the test's folder and named by a relative path from there,
because its path is on screen and must be the same on every machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE
from tests_support import make_app, open_story, wait_for_library

from reader.config import Config
from reader.ui.app import ReaderApp

THEMES = ("textual-dark", "paper")


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "Stories")
    monkeypatch.chdir(tmp_path)
    return Path("Stories")


def make(library: Path, state_path: Path, theme: str) -> ReaderApp:
    return make_app(state_path, library, config=Config(theme=theme))


#: Each screen, and the keys pressed in the story to get there (None: the library itself).
SCREENS = {
    "library": None,
    "reading": ("space",),
    "contents": ("right_square_bracket", "t"),
    "help": ("question_mark",),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, library: Path, state_path: Path, screen: str, theme: str) -> None:
    keys = SCREENS[screen]

    async def arrive(pilot) -> None:
        if keys is None:
            await wait_for_library(pilot, pilot.app)
        else:
            await open_story(pilot, pilot.app, "static")
            await pilot.press(*keys)
        await pilot.pause(0.2)

    assert snap_compare(make(library, state_path, theme), run_before=arrive)
