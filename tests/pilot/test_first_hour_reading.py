"""Reading as a new reader meets it (issue "The first hour"): the end is 100 % everywhere,
keys typed at once reach the dialog they open, a tidy bookmark list with undo, one notice
per kind, the line being read kept and marked after the text changes, help on the screen
you are on, and a find bar that says "Find"."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE
from tests_support import make_app, open_story, press_at_once, saved_stories, wait_for_library, wait_until
from textual.widgets import OptionList, Static

from reader.cli import main
from reader.model import Position
from reader.ui.dialogs.bookmarks import BookmarksScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.page_view import PageView


def footer(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#status-bar").render())


def notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_the_last_page_is_100_per_cent_everywhere(state_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("g", *"6", "enter", "end")  # the last page of the last chapter
        await pilot.pause()
        assert " · 100% · " in footer(app)
        await pilot.press("m")  # a bookmark here is named at 100 %
        await pilot.pause()
        assert app.state.bookmarks(app.screen.story.id)[-1].name.endswith("· 100%")
        await pilot.press("space")  # past the end: mark it finished
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        story_id = app.screen.story.id
        assert app.state.status(story_id) == "finished"
        await pilot.press("q")
        library = await wait_for_library(pilot, app)
        await pilot.press("escape")
        table_line = next(
            line
            for line in (library.table.render_line(y).text for y in range(10))
            if "What the Static Keeps" in line
        )
        assert "100%" in table_line and "finished" in table_line
        await pilot.press("q")
    assert saved_stories(state_path)[story_id]["progress"] == 1.0
    assert main(["list", str(SAMPLE), "--state", str(state_path)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("What the Static"))
    assert row.split()[-2:] == ["100%", "finished"]


async def test_keys_typed_at_once_reach_the_dialog_they_open(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await press_at_once(pilot, "g", "5", "enter")  # go to chapter 5, no pause between keys
        await wait_until(pilot, lambda: isinstance(app.screen, ReadingScreen) and app.screen.ref.chapter == 4)
        await press_at_once(pilot, "t", "home", "enter")  # contents, the first chapter
        await wait_until(pilot, lambda: isinstance(app.screen, ReadingScreen) and app.screen.ref.chapter == 0)
        await press_at_once(pilot, "slash", *"kettle")  # the find bar, and the word
        await wait_until(pilot, lambda: app.screen.query_one(FindBar).text == "kettle")
        await press_at_once(pilot, "escape", "q", "escape", "slash", *"biscuit", "enter")  # library; open
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, ReadingScreen)
                and app.screen.story is not None
                and app.screen.story.title == "What Biscuit Found"
            ),
        )


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (40, 12)])
async def test_the_bookmark_list_is_one_line_a_bookmark_and_a_delete_can_be_undone(
    state_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(state_path)
    async with app.run_test(size=size) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space", "space", "m")  # a bookmark two pages on
        story = app.screen.story
        chapter = story.chapters[0]
        end = chapter.block_starts[3] - 12  # and one whose words run over a paragraph's end
        app.state.add_bookmark(story.id, "Chapter 1: Dead Air · 1%", Position(0, end, chapter.snippet(end)))
        await pilot.pause()
        story_id = story.id
        marks = app.state.bookmarks(story_id)
        assert len(marks) == 2 and any("\n" in m.position.snippet for m in marks)
        await pilot.press("B")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        for index in range(2):
            row = options.get_option_at_index(index).prompt
            text = str(row)
            assert "\n" not in text and text.count("Chapter 1: Dead Air") == 1
        rendered = [options.render_line(y).text.strip() for y in range(options.size.height)]
        assert len([line for line in rendered if line]) == 2  # one row each, no wrapping
        await pilot.press("d")
        await pilot.pause()
        assert len(app.state.bookmarks(story_id)) == 1
        await pilot.press("u")
        await pilot.pause()
        back = app.state.bookmarks(story_id)
        assert {(m.name, m.position) for m in back} == {(m.name, m.position) for m in marks}
        assert options.option_count == 2 and isinstance(app.screen, BookmarksScreen)
        await pilot.press("escape", "q")
    saved = saved_stories(state_path)[story_id]
    assert len(saved["bookmarks"]) == 2


async def test_a_notice_of_a_kind_replaces_the_last_and_the_width_stops_at_the_terminal(
    state_path: Path,
) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press(*["minus"] * 6)
        await pilot.pause()
        said = [n for n in notices(app) if n.startswith("Text column")]
        assert said == ["Text column: 40 cells"]
        await pilot.press(*["plus"] * 12)
        await pilot.pause()
        said = [n for n in notices(app) if n.startswith("Text column")]
        assert said == ["Text column: 78 cells, as wide as this terminal shows"]
        assert app.config.text_width == 78 and app.screen.book.width == 78


async def test_the_line_being_read_stays_on_screen_and_is_marked(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space", "space", "space")
        screen = app.screen
        assert isinstance(screen, ReadingScreen)
        place = screen.place
        view = screen.query_one(PageView)
        for key in ("plus", "minus", "minus", "P", "J", "a", "a", "P"):
            await pilot.press(key)
            await pilot.pause()
            page = view.page
            assert page is not None and screen.ref.chapter == place.chapter
            assert page.start <= place.offset < max(line.end for line in page.lines), key
            assert view.current is not None, key  # the line is marked
            start, end = view.current
            assert start <= place.offset < end or start == page.start, key
        await pilot.pause(1.8)
        assert view.current is None  # only for a moment


async def test_help_opens_on_the_screen_you_are_on(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:

        async def first_section() -> str:
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            sections = [str(s.render()) for s in app.screen.query(Static)]
            await pilot.press("escape")
            return sections[1].splitlines()[0]

        await wait_for_library(pilot, app)
        assert await first_section() == "Library"
        await open_story(pilot, app, "static")
        assert await first_section() == "Reading"
        await pilot.press("m", "B")
        await pilot.pause()
        assert (await first_section()).startswith("Bookmarks")


async def test_the_find_bar_says_find(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("slash")
        await pilot.pause()
        bar = app.screen.query_one(FindBar)
        assert bar.display
        line = bar.render_line(0).text if hasattr(bar, "render_line") else ""
        label = bar.query_one("#find-label", Static)
        assert str(label.render()) == "Find" and label.region.x < bar.query_one("#find-text").region.x
        assert line is not None


async def test_bookmark_notices_do_not_pile_up(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        for _ in range(4):
            await pilot.press("m", "space")
        await wait_until(pilot, lambda: len(app.state.bookmarks(app.screen.story.id)) == 4)
        await pilot.pause(0.3)
        added = [n for n in notices(app) if n.startswith("Bookmark added")]
        assert len(added) == 1, added  # the last one, not four
