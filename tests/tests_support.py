"""Driving the real app through Textual's pilot: shared by the app tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE

from reader.config import Config
from reader.ui.app import ReaderApp
from reader.ui.library_screen import LibraryScreen
from reader.ui.page_view import PageView
from reader.ui.reading import ReadingScreen


def make_app(state_path: Path, library: Path = SAMPLE, **kwargs: object) -> ReaderApp:
    return ReaderApp(library=library, state_path=state_path, config=Config(), **kwargs)


def screen_lines(app: ReaderApp) -> list[str]:
    view = app.screen.query_one(PageView)
    return [view.render_line(y).text.strip() for y in range(view.size.height)]


def first_line(app: ReaderApp) -> str:
    return next(line for line in screen_lines(app) if line)


async def wait_for_page(pilot, app: ReaderApp) -> None:
    for _ in range(100):
        await pilot.pause(0.02)
        if isinstance(app.screen, ReadingScreen) and app.screen.book is not None:
            return
    raise AssertionError("the story never showed a page")


async def wait_for_library(pilot, app: ReaderApp) -> LibraryScreen:
    for _ in range(100):
        await pilot.pause(0.02)
        if isinstance(app.screen, LibraryScreen) and app.screen.loaded:  # the whole scan is in
            return app.screen
    raise AssertionError("the library never loaded")


async def open_story(pilot, app: ReaderApp, words: str) -> None:
    await wait_for_library(pilot, app)
    await pilot.press("slash", *words)
    await pilot.press("enter")
    await wait_for_page(pilot, app)


def run_reader(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """The reader's command line, as a user runs it, with this test's folders."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        **kwargs,
    )
