"""Searching the library from the app and from the command line."""

from __future__ import annotations

import json

from conftest import SAMPLE
from tests_support import make_app, wait_for_library, wait_for_page
from tests_support import run_reader as run

from reader.ui.screens.reading import ReadingScreen
from reader.ui.screens.search import SearchScreen
from reader.ui.widgets.page_view import PageView


async def test_search_screen_opens_the_story_on_the_hit_with_it_highlighted(state_path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_library(pilot, app)
        await pilot.press("S")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"lightwright")
        search = app.screen
        for _ in range(200):  # the first index build, then the query
            await pilot.pause(0.05)
            if search.hits:
                break
        assert search.hits and search.hits[0].title == "Tallow and Starlight"
        hit = search.hits[0]
        assert "lightwright" in str(search.query_one("#status-bar").render()) or search.hits
        await pilot.press("enter")
        await wait_for_page(pilot, app)
        reading = app.screen
        assert isinstance(reading, ReadingScreen) and reading.story.title == "Tallow and Starlight"
        page = reading.book.page(reading.ref)
        assert reading.ref.chapter == hit.chapter and page.start <= hit.offset <= page.end
        view = reading.query_one(PageView)
        assert view.current is not None
        start, end = view.current
        assert reading.story.chapters[hit.chapter].text[start:end].lower() == "lightwright"
        await pilot.press("q")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "LibraryScreen"


def test_cli_search_json_shape_and_exit_codes() -> None:
    found = run("search", "lightwright", "--library", str(SAMPLE), "--json")
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert rows and set(rows[0]) == {"id", "title", "path", "chapter", "chapter_title", "offset", "snippet"}
    assert rows[0]["title"] == "Tallow and Starlight" and "lightwright" in rows[0]["snippet"].lower()
    nothing = run("search", "zzqxjvwk", "--library", str(SAMPLE))
    assert nothing.returncode == 1 and nothing.stdout == ""
    bad = run("search", "(unclosed", "--regex", "--library", str(SAMPLE))
    assert (
        bad.returncode == 2 and "regular expression" in bad.stderr.lower() and "Traceback" not in bad.stderr
    )
    limited = run("search", "the", "--library", str(SAMPLE), "--json", "--limit", "3")
    assert len(json.loads(limited.stdout)) == 3
