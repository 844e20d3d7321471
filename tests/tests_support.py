"""Driving the real app through Textual's pilot: shared by the app tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE

from reader.config import Config
from reader.ui.app import ReaderApp
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.page_view import PageView


def make_app(
    state_path: Path,
    library: Path | None = SAMPLE,
    *,
    story: Path | None = None,
    config: Config | None = None,
    **kwargs: object,
) -> ReaderApp:
    """The one way the tests build the app: the real ReaderApp on a library (default the
    sample library) or one story, with this test's state folder and the default settings."""
    if story is not None:
        library = None
    return ReaderApp(  # type: ignore[arg-type]
        library=library, story=story, state_path=state_path, config=config or Config(), **kwargs
    )


async def wait_until(pilot, condition, seconds: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition()`` holds (at most ``seconds``)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition never held")


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
        screen = app.screen
        if isinstance(screen, LibraryScreen) and screen.loaded and screen.joined:  # the whole scan is in
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


def saved_stories(state_folder: Path) -> dict[str, dict]:
    """Every story file in a state folder, parsed, by each id it has and by its file's name
    (``what-the-static-keeps.txt``), so tests can find a story however it is known."""
    import yaml

    found: dict[str, dict] = {}
    for path in sorted(state_folder.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        keys = [record["id"], *record.get("also", [])]
        if record.get("path"):
            keys.append(Path(record["path"]).name)
        for key in keys:
            found[key] = record
    return found


def write_v1_state(state_folder: Path, data: dict) -> Path:
    """A first-release ``state.yaml`` in ``state_folder`` (migrated when the state loads)."""
    import yaml

    state_folder.mkdir(parents=True, exist_ok=True)
    old = state_folder / "state.yaml"
    old.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return old


async def saved_to_disk(pilot, app: ReaderApp) -> None:
    """Wait until every change the app made is written by its writer thread."""
    for _ in range(200):
        await pilot.pause(0.02)
        if not app.autosave.busy and not app.state.dirty:
            return
    raise AssertionError("the state was never written")


def _core_modules() -> list[str]:
    import pkgutil

    import reader

    return sorted(
        name
        for _, name, _ in pkgutil.walk_packages(reader.__path__, "reader.")
        if not name.startswith("reader.ui") and name != "reader.__main__"
    )


#: Every module outside reader/ui/ (the core, which must not import Textual).
CORE = _core_modules()


async def press_at_once(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Send ``keys`` in one burst, as a paste, a macro or a fast typist does: all of them
    arrive before the app handles the first (``pilot.press`` waits for idle after each)."""
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        character = key if len(key) == 1 else {"space": " ", "enter": "\r"}.get(key)
        event = events.Key(name, character)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, of in parents.items() if of == parent}
        found |= children
        todo.extend(children)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
