"""Finding in a story: the matches, and the find bar of the real app."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import make_app, open_story, screen_lines

from reader.formats import load_story
from reader.layout import wrap
from reader.model import Position
from reader.search.in_story import FindError, Matches, compile_pattern
from reader.ui.widgets.page_view import PageView

PARAGRAPH = (
    "The keeper climbed the stair at dusk and set the silver lantern in the window, as her mother "
    "had done and her grandmother before her, and the boats came home by its light."
)


def story_file(tmp_path: Path) -> Path:
    library = tmp_path / "lib"
    library.mkdir(exist_ok=True)
    path = library / "keeper.txt"
    chapters = [f"Chapter {n}\n\n{PARAGRAPH}\n\nAn ordinary line {n}." for n in range(1, 4)]
    path.write_text("Title: Keeper\nAuthor: me\n\n" + "\n\n".join(chapters) + "\n", encoding="utf-8")
    return path


def test_literal_matches_are_case_insensitive_and_span_white_space(tmp_path: Path) -> None:
    story = load_story(story_file(tmp_path))
    matches = Matches(story, compile_pattern("SILVER   lantern"))
    assert len(matches) == 3 and [m.chapter for m in matches.all] == [0, 1, 2]
    first = matches.all[0]
    assert story.chapters[0].text[first.start : first.end] == "silver lantern"
    assert matches.first_from(Position(1, 0)) == 1
    assert matches.first_from(Position(2, 10_000)) == 0  # wraps round to the start
    assert matches.next(2, 1) == 0 and matches.next(0, -1) == 2


def test_regex_and_bad_patterns(tmp_path: Path) -> None:
    story = load_story(story_file(tmp_path))
    assert len(Matches(story, compile_pattern(r"line \d", regex=True))) == 3
    with pytest.raises(FindError, match="regular expression"):
        compile_pattern("([unclosed", regex=True)
    with pytest.raises(FindError):
        compile_pattern("   ")
    assert len(Matches(story, compile_pattern("([unclosed"))) == 0  # literal: brackets are text


async def test_find_bar_highlights_and_n_walks_across_chapters(tmp_path: Path, state_path: Path) -> None:
    path = story_file(tmp_path)
    app = make_app(state_path, path.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "keeper")
        screen = app.screen
        await pilot.press("slash", *"boats came", "enter")
        await pilot.pause(0.3)
        assert screen.session.matches is not None and len(screen.session.matches) == 3
        assert screen.session.match_index == 0 and screen.ref.chapter == 0
        status = str(screen.query_one("#status-bar").render())
        assert "match 1 of 3" in status
        await pilot.press("n")
        assert screen.ref.chapter == 1 and "match 2 of 3" in str(screen.query_one("#status-bar").render())
        await pilot.press("n", "n")
        assert screen.ref.chapter == 0 and screen.session.match_index == 0  # round again
        await pilot.press("N")
        assert screen.ref.chapter == 2
        await pilot.press("escape")
        assert screen.session.matches is None and screen.query_one(PageView).marks == []
        await pilot.press("escape")  # nothing found any more: back to the library
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_a_match_wrapped_over_two_lines_is_highlighted_on_both(
    tmp_path: Path, state_path: Path
) -> None:
    path = story_file(tmp_path)
    lines = wrap(PARAGRAPH, 70)
    first_end, second_start = lines[0][1], lines[1][0]
    phrase = PARAGRAPH[PARAGRAPH.rfind(" ", 0, first_end - 1) + 1 : PARAGRAPH.find(" ", second_start)]
    assert " " in phrase  # the last word of line one and the first of line two
    app = make_app(state_path, path.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "keeper")
        await pilot.press("slash", *phrase, "enter")
        await pilot.pause(0.3)
        view = app.screen.query_one(PageView)
        rows = screen_lines(app)
        row = next(i for i, text in enumerate(rows) if text.startswith("The keeper"))
        highlighted = []
        for y in (row, row + 1):
            for segment in view.render_line(y):
                if segment.style is not None and segment.style.bgcolor is not None and segment.text.strip():
                    if segment.style.bgcolor != view.rich_style.bgcolor:
                        highlighted.append(segment.text)
        assert " ".join(highlighted) == phrase
