"""The library as a new reader meets it (issue "The first hour"): whole titles, the story
named atop the details pane, a filter that takes words as words, empty lists that say why,
an order remembered, keys as changed, and opening a story counting as reading it."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from tests_support import (
    make_app,
    open_story,
    press_at_once,
    saved_stories,
    wait_for_library,
    wait_for_page,
    wait_until,
)

from reader.config import Config
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.story_table import StoryTable
from reader.ui.widgets.text_box import TextBox


def table_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(StoryTable)
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def status_bar(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#status-bar").render())


async def test_every_title_is_whole_and_the_details_pane_names_the_story(state_path: Path) -> None:
    for size in ((80, 24), (100, 30)):
        app = make_app(state_path)
        async with app.run_test(size=size) as pilot:
            library = await wait_for_library(pilot, app)
            await pilot.pause()
            lines = table_lines(app)
            for entry in library.shown:
                assert any(entry.title in line for line in lines), (size, entry.title)
            entry = library.highlighted()
            assert entry is not None
            pane = str(app.screen.query_one("#details").render())
            assert pane.splitlines()[0] == f"{entry.title} — {entry.author}"


async def test_a_word_typed_in_the_filter_runs_no_command(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        await pilot.press("slash", *"static", "down", "x", "f")  # What the Static Keeps: finished
        await pilot.press("escape")
        assert len(library.shown) >= 6
        # In one burst, as a fast typist or a paste sends it: "/" and the word.
        await press_at_once(pilot, "slash", *"fin")
        await pilot.pause(0.2)
        assert library.query_one("#filter", TextBox).value == "fin"
        assert library.status_filter == "" and library.show_details and isinstance(app.screen, LibraryScreen)
        await press_at_once(pilot, *"ished")
        await pilot.pause(0.2)
        assert [e.title for e in library.shown] == ["What the Static Keeps"]
        await pilot.press("escape", "slash", *"reading")
        assert library.query_one("#filter", TextBox).value == "reading"
        assert not library.reverse and library.sort == "recent" and isinstance(app.screen, LibraryScreen)
        await pilot.press("escape", "slash", *"on hold")  # the README's examples
        assert library.query_one("#filter", TextBox).value == "on hold" and library.status_filter == ""


def test_the_readme_says_how_the_filter_works() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    keys = readme.split("## Keys", 1)[1].split("**Reading**", 1)[0]
    assert "any other letter" not in keys
    row = next(line for line in keys.splitlines() if line.startswith("| `/` |"))
    assert "filter" in row and "finished" in row


async def test_an_empty_list_says_why_and_how_to_clear_it(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        await pilot.press("f")  # only stories being read: none yet
        await pilot.pause()
        assert library.shown == []
        said = " ".join(table_lines(app))
        assert "No story is marked reading" in said and "Esc: every story" in said
        await pilot.press("escape")
        assert library.status_filter == "" and len(library.shown) >= 6
        await pilot.press("slash", *"zzyzx")
        assert "No story matches “zzyzx”. Esc: clear the filter." in " ".join(table_lines(app))


async def test_the_sort_order_is_remembered_between_runs(state_path: Path) -> None:
    app = make_app(state_path, config=Config.load())
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        await pilot.press("s", "s", "r")  # recent → title → author, reversed
        assert (library.sort, library.reverse) == ("author", True)
    again = make_app(state_path, config=Config.load())
    async with again.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, again)
        assert (library.sort, library.reverse) == ("author", True)
        authors = [e.author.casefold() for e in library.shown]
        assert authors == sorted(authors, reverse=True)
        assert "by author (reversed)" in status_bar(again)


async def test_changed_keys_show_everywhere(state_path: Path) -> None:
    keys = {"library.sort": "o", "library.help": "f1", "reading.help": "f1", "find.close": "ctrl+g"}
    app = make_app(state_path, config=Config(keys=keys))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_library(pilot, app)
        said = status_bar(app)
        assert "o sort" in said and "s sort" not in said and "F1 help" in said and "? help" not in said
        await open_story(pilot, app, "static")
        footer = status_bar(app)
        assert "F1 help" in footer and "? help" not in footer
        await pilot.press("slash")
        await pilot.pause()
        assert "^G: close" in str(app.screen.query_one("#find-count").render())


async def test_opening_a_story_counts_as_reading_it(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space", "q")  # read a page of one story
        library = await wait_for_library(pilot, app)
        await pilot.press("escape", "slash", *"biscuit", "down", "x", "p")  # planned to read
        assert app.state.status(library.highlighted().id) == "plan-to-read"
        await pilot.press("escape", "slash", *"biscuit", "enter")  # opened, left on page 1
        await wait_for_page(pilot, app)
        await pilot.pause(0.3)
        await pilot.press("q")
        await wait_for_library(pilot, app)
        await pilot.press("escape")
        biscuit = next(e for e in library.shown if e.title == "What Biscuit Found")
        row = next(line for line in table_lines(app) if "What Biscuit Found" in line)
        assert " new " not in row and "reading" in row and "just now" in row
        await pilot.press("c")  # continues the story opened last
        await wait_for_page(pilot, app)
        assert isinstance(app.screen, ReadingScreen) and app.screen.story.title == "What Biscuit Found"
    record = saved_stories(state_path)[biscuit.id]
    assert record["last_read"] and record["position"]["chapter"] == 0


async def test_library_search_counts_hits_as_people_say_it(state_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from reader.ui.screens import search

    app = make_app(state_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_library(pilot, app)
        await pilot.press("S", *"lightwright")
        await wait_until(pilot, lambda: "in 1 story" in status_bar(app))
        assert " 1 hit in 1 story" in status_bar(app) and "Esc: back" in status_bar(app)
        monkeypatch.setattr(search, "LIMIT", 2)
        await pilot.press("ctrl+u", *"soldering")
        await wait_until(pilot, lambda: "soldering" not in status_bar(app) and "2 hits" in status_bar(app))
        assert " 2 hits in 1 story" in status_bar(app)
        await pilot.press("ctrl+u", *"barograph")
        await wait_until(pilot, lambda: "first 2 hits in 1 story" in status_bar(app))


async def test_a_paste_right_after_the_filter_key_goes_into_the_filter(state_path: Path) -> None:
    from textual import events

    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        slash, paste = events.Key("slash", "/"), events.Paste("static")
        for event in (slash, paste):
            event.set_sender(app)
            app._driver.send_message(event)
        await wait_until(pilot, lambda: library.query_one("#filter", TextBox).value == "static")
        assert [e.title for e in library.shown] == ["What the Static Keeps"]


async def test_an_empty_library_folder_says_what_the_reader_reads(state_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nothing here"
    folder.mkdir()
    app = make_app(state_path, folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_library(pilot, app)
        await pilot.pause()
        said = " ".join(line.strip() for line in table_lines(app))
        assert f"No stories in {folder}: the reader reads .txt, .md" in said and ".epub" in said
        assert status_bar(app).strip() == "0 stories · ? help"
