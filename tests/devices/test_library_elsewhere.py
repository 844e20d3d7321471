"""The same library at ``~/Stories`` on one machine and ``/data/fic`` on another is the same
stories: ids hold no library root, so places and bookmarks made on one are found on the other
(the real app, one state folder as a sync tool would carry it, each machine's own caches)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE
from tests_support import first_line, make_app, open_story, saved_stories, wait_for_library, wait_for_page

from reader.ui.screens.library import LibraryScreen

STATIC = "what-the-static-keeps.txt"  # known by a fingerprint of its content
POLLINATION = "hand-pollination-at-ships-midnight.html"  # known by its AO3 address


def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, library: str) -> Path:
    """A machine: its own cache and data folders, and the sample library at ``library``."""
    for kind in ("CACHE", "DATA", "CONFIG"):
        folder = tmp_path / name / kind.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(folder))
    root = tmp_path / name / library
    shutil.copytree(SAMPLE, root)
    return root


async def test_a_library_at_another_path_keeps_places_and_bookmarks(
    tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories = machine(tmp_path, monkeypatch, "laptop", "home/me/Stories")
    laptop = make_app(state_path, stories)
    async with laptop.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, laptop, "static")
        await pilot.press("space", "space", "space", "m")
        static_line = first_line(laptop)
        await pilot.press("q", "escape")  # back to the library, the filter cleared
        await open_story(pilot, laptop, "pollination")
        await pilot.press("space", "space")
        pollination_line = first_line(laptop)
        await pilot.press("q", "q")
    before = saved_stories(state_path)
    assert len(list(state_path.glob("*.yaml"))) == 2
    assert before[STATIC]["path"].startswith(str(stories))

    fic = machine(tmp_path, monkeypatch, "server", "data/fic")
    server = make_app(state_path, fic)
    async with server.run_test(size=(80, 24)) as pilot:
        library = await wait_for_library(pilot, server)
        progress = {row.title: server.state.progress(row.id) for row in library.shown}
        assert progress["What the Static Keeps"] > 0 and progress["Hand Pollination at Ship’s Midnight"] > 0
        await pilot.press("c")  # continue the story read last, on the other machine
        await wait_for_page(pilot, server)
        assert first_line(server) == pollination_line
        await pilot.press("q", "escape")
        assert isinstance(server.screen, LibraryScreen)
        await open_story(pilot, server, "static")
        assert first_line(server) == static_line
        (mark,) = server.state.bookmarks(server.screen.story.id)
        assert mark.position.offset > 0
        await pilot.press("space")
        await pilot.press("q", "q")
    after = saved_stories(state_path)
    assert len(list(state_path.glob("*.yaml"))) == 2  # the same two records: no new story
    for name in (STATIC, POLLINATION):
        assert after[name]["id"] == before[name]["id"]
    assert after[STATIC]["path"].startswith(str(fic))  # the hint follows the machine read on
    assert after[STATIC]["position"]["offset"] > before[STATIC]["position"]["offset"]
    assert before[POLLINATION]["id"].startswith("https://archiveofourown.org/")
    assert before[STATIC]["id"].startswith("md5:")
