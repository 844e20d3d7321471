"""The table of contents, go to, and Back: moving around a story and coming back."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import first_line, make_app, open_story

from reader.ui.dialogs.navigation import GoToScreen, Target, TocScreen, parse_target


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("3", Target(chapter=2)),
        ("chapter 6", Target(chapter=5)),
        ("ch. 1", Target(chapter=0)),
        ("40%", Target(fraction=0.4)),
        ("12.5 %", Target(fraction=0.125)),
        ("p 7", Target(page=7)),
        ("page12", Target(page=12)),
    ],
)
def test_targets(text: str, target: Target) -> None:
    assert parse_target(text, 6) == target


@pytest.mark.parametrize(
    ("text", "reason"), [("9", "6 chapters"), ("140%", "at most 100"), ("soon", "chapter")]
)
def test_what_is_not_a_target_says_why(text: str, reason: str) -> None:
    result = parse_target(text, 6)
    assert isinstance(result, str) and reason in result


async def test_contents_go_to_and_back(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await open_story(pilot, app, "static")
        screen = app.screen
        await pilot.press("space", "space")
        reading = first_line(app)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TocScreen)
        toc = app.screen.query_one("#toc")
        assert toc.highlighted == 0 and toc.option_count == 6
        assert "words" in str(toc.get_option_at_index(3).prompt)
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert screen.ref.chapter == 3 and screen.ref.page == 0
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GoToScreen)
        await pilot.press(*"50%", "enter")
        await pilot.pause()
        assert 0.45 < screen.session.progress() <= 0.5
        await pilot.press("colon", *"p 3", "enter")
        await pilot.pause()
        assert (
            screen.ref.page == 2
            or screen.book.chapter(screen.ref.chapter).page_number(*screen.ref[1:])[0] == 3
        )
        await pilot.press("backspace")  # before "p 3": the 50% page
        assert 0.45 < screen.session.progress() <= 0.5
        await pilot.press("backspace", "backspace")  # before 50%, then before the contents
        assert first_line(app) == reading and screen.ref.chapter == 0
        await pilot.press("backspace")
        assert first_line(app) == reading  # nothing more to go back to


async def test_a_bookmark_jump_and_a_find_jump_go_back(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await open_story(pilot, app, "static")
        screen = app.screen
        await pilot.press("m", "right_square_bracket", "space")
        here = first_line(app)
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.ref.chapter == 0
        await pilot.press("backspace")
        assert first_line(app) == here
        await pilot.press("slash", *"Ottilie", "enter")
        await pilot.pause(0.3)
        found = screen.ref
        await pilot.press("n", "n")
        await pilot.press("backspace")
        assert first_line(app) == here and found != screen.ref


async def test_a_theme_chosen_is_remembered_and_paper_is_there(state_path: Path, tmp_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        assert {"paper", "textual-light", "textual-dark"} <= set(app.available_themes)
        app.theme = "paper"
        await pilot.pause()
    assert "theme: paper" in (tmp_path / "config.yaml").read_text(encoding="utf-8")
    from reader.config import Config

    again = make_app(state_path)
    again.config = Config.load(tmp_path / "config.yaml")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "paper"


async def test_justified_lines_fill_the_column_and_highlights_stay_on_their_words(state_path: Path) -> None:
    from reader.ui.widgets.page_view import PageView

    app = make_app(state_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("J")
        await pilot.press("slash", *"radio station", "enter")
        await pilot.pause(0.3)
        view = app.screen.query_one(PageView)
        column = app.screen.book.width
        margin = (view.size.width - column) // 2
        widths = []
        for y, line in enumerate(view.page.lines):
            text = view.render_line(y).text.rstrip()
            if line.kind == "paragraph" and text.strip():
                widths.append(len(text) - margin)
        assert widths.count(column) >= len(widths) // 2  # all but each paragraph's last line
        highlighted = [
            segment.text
            for y in range(len(view.page.lines))
            for segment in view.render_line(y)
            if segment.style is not None and segment.style.bgcolor not in (None, view.rich_style.bgcolor)
        ]
        assert " ".join(" ".join(highlighted).split()).lower() == "radio station"
    assert "align: justify" in (state_path.parent / "config.yaml").read_text(encoding="utf-8")


async def test_p_switches_to_first_line_indents(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 30)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("right_square_bracket", "P")
        from reader.ui.widgets.page_view import PageView

        view = app.screen.query_one(PageView)
        kinds = [line.kind for line in view.page.lines]
        paragraphs = [i for i, kind in enumerate(kinds) if kind == "paragraph"]
        assert app.screen.book.indent == 3
        assert any(kinds[i + 1] == "paragraph" for i in paragraphs if i + 1 < len(kinds))  # no blank between
        first = view.page.lines[paragraphs[0]]
        assert view.render_line(paragraphs[0]).text.startswith(" " * ((view.size.width - 70) // 2) + "   ")
        assert first.start == app.screen.story.chapters[1].block_starts[first.block]
    assert "paragraphs: indent" in (state_path.parent / "config.yaml").read_text(encoding="utf-8")


async def test_contents_number_a_chapter_once(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "biscuit")  # chapters titled "1. The Callout"…
        await pilot.press("t")
        await pilot.pause()
        toc = app.screen.query_one("#toc")
        first = str(toc.get_option_at_index(0).prompt)
        assert "1. The Callout" in first and "1. 1." not in first
        await pilot.press("escape")
        await open_other(pilot, app, "static")  # "Chapter 1: Dead Air" says its number too
        await pilot.press("t")
        await pilot.pause()
        first = str(app.screen.query_one("#toc").get_option_at_index(0).prompt)
        assert "Chapter 1: Dead Air" in first and "1. Chapter 1" not in first


async def open_other(pilot, app, words: str) -> None:
    await pilot.press("q")
    await pilot.press("escape")
    await open_story(pilot, app, words)
