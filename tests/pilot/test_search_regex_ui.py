"""Regex mode on the search screen says when it must read every passage."""

from __future__ import annotations

from tests_support import make_app, wait_for_library, wait_until

from reader.ui.screens.search import SCANNING, SearchScreen


async def test_regex_mode_says_when_it_reads_every_passage(state_path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_library(pilot, app)
        await pilot.press("S")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press("ctrl+r", *"light\\w+")
        await wait_until(pilot, lambda: bool(search.hits), 10)
        status = str(search.query_one("#status-bar").render())
        assert "regex" in status and "every passage" not in status  # "light" is looked up
        for _ in "light\\w+":
            await pilot.press("backspace")
        await pilot.press(*"\\bl\\w+t\\b")
        await wait_until(
            pilot, lambda: "every passage read" in str(search.query_one("#status-bar").render()), 10
        )
        assert SCANNING not in str(search.query_one("#status-bar").render())  # said while it ran
