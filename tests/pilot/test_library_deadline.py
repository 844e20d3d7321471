"""Issue 13 in the library screen: a story slower to parse than ``parse_seconds`` is listed
as abandoned, with the reason, beside every other story; ``q`` quits at once mid-parse."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests_support import make_app, owl_stories, slow_story, wait_until

from reader.formats import files
from reader.ui.widgets.story_table import StoryTable


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return owl_stories(tmp_path / "lib", 6)


async def test_the_library_lists_every_other_story_beside_an_abandoned_one(
    library: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "PARSE_SECONDS", 1)
    slow_story(library / "slow.md")
    app = make_app(state_path, library)
    async with app.run_test(size=(120, 24)) as pilot:
        start = time.monotonic()
        await wait_until(pilot, lambda: getattr(app.screen, "loaded", False), seconds=4)
        assert time.monotonic() - start < 1 + 2
        screen = app.screen
        titles = sorted(entry.title for entry in screen.shown)
        assert titles == ["Story 0", "Story 1", "Story 2", "Story 3", "Story 4", "Story 5", "slow.md"]
        slow = next(entry for entry in screen.shown if entry.title == "slow.md")
        assert slow.error is not None and "took longer than 1 s to read, abandoned" in slow.error
        table = screen.query_one(StoryTable)

        def shown() -> bool:
            lines = [table.render_line(y).text for y in range(table.scrollable_content_region.height)]
            return any("⚠ slow" in line and "unreadable" in line for line in lines)

        await wait_until(pilot, shown)


async def test_q_quits_while_a_story_is_being_parsed(
    library: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "PARSE_SECONDS", 600)
    slow_story(library / "slow.md", depth=1_000_000)  # ~10 s
    app = make_app(state_path, library)
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_until(pilot, lambda: len(getattr(app.screen, "shown", ())) == 6)
        await pilot.pause(0.3)
        start = time.monotonic()
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, seconds=2)
    assert time.monotonic() - start < 1.0
