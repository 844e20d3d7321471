"""The library screen at scale: a few hundred generated stories, the line-API table, sorting,
filtering, the scan in batches, re-scans, and reading statuses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import make_app, saved_stories, wait_for_library, wait_until

from reader.library import scanning as library
from reader.library.listing import ScanBatch
from reader.library.shelf import Shelf
from reader.state import State
from reader.ui.screens import library as library_screen
from reader.ui.widgets.story_rows import reading_time
from reader.ui.widgets.story_table import StoryTable

STORIES = 300
AUTHORS = ("Ada Quill", "Bo Lantern", "Cy Marrow")


def write_story(folder: Path, n: int) -> Path:
    path = folder / f"story-{n:03}.txt"
    words = " ".join(["word"] * (n * 3 + 10))
    path.write_text(
        f"Title: Story {n:03}\nAuthor: {AUTHORS[n % 3]}\n\nChapter 1\n\n{words}.\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_SCAN_WORKERS", "0")  # parse on a thread of the test's process
    folder = tmp_path / "big"
    folder.mkdir()
    for n in range(1, STORIES + 1):
        write_story(folder, n)
    return folder


def table_text(app) -> list[str]:
    table = app.screen.query_one(StoryTable)
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


async def test_only_the_rows_on_screen_are_worked_out(big: Path, state_path: Path) -> None:
    app = make_app(state_path, big)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_library(pilot, app)
        await pilot.pause()
        table = screen.query_one(StoryTable)
        assert len(screen.shown) == STORIES
        lines = table_text(app)
        assert lines[0].split()[:2] == ["Title", "Author"]
        assert "Story 001" in lines[1] and "Story 002" in lines[2]  # nothing read: by title
        page = table.scrollable_content_region.height - 1
        assert 0 < table.cells_made <= page  # not 300
        await pilot.press("end")
        await pilot.pause()
        assert screen.highlighted() is screen.shown[-1]
        assert "Story 300" in table_text(app)[-1]
        assert table.cells_made <= 2 * page


async def test_filter_and_sort_keep_the_cursor_on_its_story(big: Path, state_path: Path) -> None:
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        await pilot.press("j", "j", "down", "k")  # j and k move as the arrows do
        chosen = screen.highlighted()
        assert chosen is not None and chosen.title == "Story 003"
        await pilot.press("s", "s", "s")  # recent → title → author → length
        assert screen.sort == "length"
        assert [e.words for e in screen.shown] == sorted((e.words for e in screen.shown), reverse=True)
        assert screen.highlighted() is chosen
        assert any("Story 003" in line for line in table_text(app))  # scrolled to it
        await pilot.press("r")
        assert screen.shown[0].title == "Story 001" and screen.highlighted() is chosen
        await pilot.press("slash", *"bo lantern")
        assert len(screen.shown) == STORIES // 3
        assert {e.author for e in screen.shown} == {"Bo Lantern"}
        await pilot.press(*" 00")
        assert [e.title for e in screen.shown] == ["Story 001", "Story 004", "Story 007", "Story 100"]
        await pilot.press("down", "home", "down", "down")  # from the filter to the list, then down
        now = screen.highlighted()
        assert now is not None and now.title == "Story 007"
        await pilot.press("escape")
        assert len(screen.shown) == STORIES and screen.highlighted() is now


async def test_the_library_comes_in_batches_with_a_progress_count(
    big: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_on = threading.Event()

    def slow_scan(root: Path, cache_path: Path | None = None, should_stop=None) -> Iterator[ScanBatch]:
        entries = library.scan(root)
        yield ScanBatch(entries[:100], 100, STORIES, final=False)
        go_on.wait(10)
        yield ScanBatch(entries[100:], STORIES, STORIES, final=True)

    monkeypatch.setattr(library_screen, "scan_batches", slow_scan)
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: len(screen.shown) == 100)
        status = str(screen.query_one("#status-bar").render())
        assert "Reading the library… 100 of 300" in status
        assert not screen.loaded
        await pilot.press("down", "down")  # the list answers while the scan goes on
        assert screen.highlighted() is screen.shown[2]
        await pilot.press("slash", *"story 05")
        assert len(screen.shown) == 11  # 005 and 050-059 ("05" is a word of its own)
        go_on.set()
        await wait_until(pilot, lambda: screen.loaded)
        assert len(screen.shown) == 13  # and 105, 205
        assert "Reading the library" not in str(screen.query_one("#status-bar").render())
        await pilot.press("escape")
        assert len(screen.shown) == STORIES


async def test_a_rescan_finds_stories_added_and_removed(big: Path, state_path: Path) -> None:
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        await pilot.press("down", "down")
        chosen = screen.highlighted()
        write_story(big, 301)
        (big / "story-150.txt").unlink()
        screen.rescan()
        await wait_until(pilot, lambda: not screen.scanning)
        titles = {e.title for e in screen.shown}
        assert "Story 301" in titles and "Story 150" not in titles and len(titles) == STORIES
        assert screen.highlighted() is chosen
        assert any("Story 301" in line for line in table_text(app)) is False  # far below: not on screen
        before = screen.shown
        screen.rescan()  # nothing changed: the rows stay as they are
        await wait_until(pilot, lambda: not screen.scanning)
        assert screen.shown is before


async def test_x_sets_the_reading_status_and_f_filters_by_it(big: Path, state_path: Path) -> None:
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        story_002 = ids(screen.entries)["story-002.txt"]
        app.state.entry(story_002)["reading_time"] = 3 * 3600 + 12 * 60
        await pilot.press("down", "x")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "StatusPicker")
        await pilot.press("f")  # the picker's letter for Finished
        await wait_until(pilot, lambda: app.screen is screen)
        assert app.state.status(story_002) == "finished"
        assert "finished" in table_text(app)[2]
        assert "Finished · read for 3 h 12 min" in str(screen.query_one("#details").render())
        await pilot.press("f")
        assert screen.status_filter == "reading" and screen.shown == []
        await pilot.press("f")
        assert [e.title for e in screen.shown] == ["Story 002"]
        assert "only finished" in str(screen.query_one("#title-bar").render())
        await pilot.press("f", "f", "f", "f")
        assert screen.status_filter == "" and len(screen.shown) == STORIES
        await pilot.press("slash", *"finished")  # the status is filter text too
        assert [e.title for e in screen.shown] == ["Story 002"]
        await pilot.press("escape", "q")
    saved = saved_stories(state_path)["story-002.txt"]
    assert saved["status"] == "finished" and saved["title"] == "Story 002"


async def test_a_story_with_a_status_whose_file_goes_is_shown_missing(big: Path, state_path: Path) -> None:
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        screen.set_status(screen.shown[0], "on-hold")
        (big / "story-001.txt").unlink()
        screen.rescan()
        await wait_until(pilot, lambda: not screen.scanning)
        gone = next(e for e in screen.shown if e.title == "Story 001")
        assert gone.missing and len(screen.shown) == STORIES


def test_the_index_filters_by_status_and_orders_by_it(tmp_path: Path, big: Path) -> None:
    state = State.load(tmp_path / "state")
    index = Shelf(state)
    entries = library.scan(big)
    index.merge(entries)
    assert index.view("", "title", False, "dropped") == []
    state.set_status(ids(entries)["story-010.txt"], "dropped")
    state.set_status(ids(entries)["story-020.txt"], "plan-to-read")
    assert index.view("", "title", False, "dropped") == []  # the state is kept until told
    index.forget_state()
    assert [e.title for e in index.view("", "title", False, "dropped")] == ["Story 010"]
    assert [e.title for e in index.view("plan to", "title", False)] == ["Story 020"]
    assert [e.title for e in index.view("010 dropped", "title", False)] == ["Story 010"]  # text and status
    assert [e.title for e in index.view("", "status", False)[:2]] == ["Story 010", "Story 020"]
    assert index.view("", "title", True)[0].title == "Story 300"


def ids(entries: list) -> dict[str, str]:
    """The library's id of each story, by its file's name."""
    return {entry.path.name: entry.id for entry in entries}


def test_reading_time_reads_as_a_person_says_it() -> None:
    assert reading_time(None) == ""
    assert reading_time(30) == "read for under a minute"
    assert reading_time(11520) == "read for 3 h 12 min"
    assert reading_time(7200) == "read for 2 h"
    assert reading_time(600) == "read for 10 min"
    assert reading_time("junk") == ""


async def test_a_scan_that_fails_says_why_and_the_reader_goes_on(
    big: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_scan(root: Path, cache_path: Path | None = None, should_stop=None) -> Iterator[ScanBatch]:
        raise OSError(5, "Input/output error")
        yield  # a generator, as the real one

    monkeypatch.setattr(library_screen, "scan_batches", broken_scan)
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        assert not screen.scanning and screen.entries == []
        assert any("Could not read the library folder" in n.message for n in app._notifications)
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_mouse_sorts_by_a_header_and_picks_and_opens_a_row(big: Path, state_path: Path) -> None:
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        header = table_text(app)[0]
        await pilot.click(StoryTable, offset=(header.index("Words") + 1, 0))
        assert screen.sort == "length" and screen.shown[0].title == "Story 300"
        await pilot.click(StoryTable, offset=(header.index("Words") + 1, 0))
        assert screen.reverse and screen.shown[0].title == "Story 001"
        await pilot.click(StoryTable, offset=(3, 4))  # the fourth row
        assert screen.highlighted() is screen.shown[3]
        assert type(app.screen).__name__ == "LibraryScreen"
        await pilot.click(StoryTable, offset=(3, 4))  # again: open it
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ReadingScreen")
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen and screen.highlighted() is not None
        assert screen.highlighted().title == "Story 004"


def test_the_index_orders_by_the_moment_last_read_whatever_the_zone(tmp_path: Path, big: Path) -> None:
    state = State.load(tmp_path / "state")
    index = Shelf(state)
    entries = library.scan(big)
    index.merge(entries)
    story = ids(entries)
    state.stories[story["story-005.txt"]] = {"last_read": "2026-03-01T10:00:00+00:00"}
    state.stories[story["story-007.txt"]] = {"last_read": "2026-03-01T11:30:00+02:00"}  # 09:30 UTC: earlier
    state.stories[story["story-003.txt"]] = {"last_read": "yesterday-ish"}  # unreadable: after the readable
    state.stories[story["story-009.txt"]] = {"status": "dropped"}  # never read: with the rest, by title
    index.forget_state()
    titles = [e.title for e in index.view("", "recent", False)]
    assert titles[:5] == ["Story 005", "Story 007", "Story 003", "Story 001", "Story 002"]
    assert titles[-1] == "Story 300" and len(titles) == STORIES
    state.stories[story["story-009.txt"]]["last_read"] = "2026-03-02T00:10:00+01:00"  # past midnight there
    assert index.view("", "recent", False)[0].title == "Story 005"  # kept until told
    index.forget_state()
    assert [e.title for e in index.view("", "recent", False)[:2]] == ["Story 009", "Story 005"]
    assert index.reading()[1][story["story-009.txt"]] == "dropped"


async def test_last_read_keeps_up_with_the_clock_while_the_library_stays_open(
    big: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime, timedelta

    monkeypatch.setattr(library_screen, "REDRAW_INTERVAL", 0.1)
    app = make_app(state_path, big)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        await pilot.pause()
        assert table_text(app)[1].rstrip().endswith("—")  # Story 001, never read
        then = (datetime.now().astimezone() - timedelta(minutes=5)).isoformat(timespec="seconds")
        app.state.stories[screen.shown[0].id] = {"last_read": then}  # as if read 5 min ago
        await wait_until(pilot, lambda: table_text(app)[1].rstrip().endswith("5 min ago"))
