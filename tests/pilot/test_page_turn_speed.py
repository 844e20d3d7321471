"""What makes a page turn and a re-opening cheap, seen through the real app: the next page is
laid out and drawn while the reader reads, and a story just parsed is kept parsed."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE
from tests_support import first_line, make_app, wait_for_page, wait_until

from reader.formats import story_cache
from reader.ui.widgets.page_view import PageView

STORY = "what-the-static-keeps.txt"


async def test_the_next_page_is_drawn_ahead_and_shown_as_laid_out(state_path: Path) -> None:
    app = make_app(state_path, story=SAMPLE / STORY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app)
        screen = app.screen
        view = screen.query_one(PageView)
        for _ in range(3):
            following = screen.book.page(screen.book.next(screen.ref))

            def drawn(page=following):  # type: ignore[no-untyped-def]
                return any(shown.page == page for shown, _, _ in view._drawn)

            await wait_until(pilot, drawn)
            await pilot.press("space")
            await pilot.pause()
            assert screen.book.page(screen.ref) == following
            line = following.lines[0]
            assert first_line(app) == screen.story.chapters[screen.ref.chapter].text[line.start : line.end]


async def test_a_story_shown_is_kept_parsed_and_read_back_the_next_time(state_path: Path) -> None:
    story = SAMPLE / STORY
    app = make_app(state_path, story=story)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app)
        shown, title = first_line(app), app.screen.story.title
        await wait_until(pilot, lambda: any(story_cache.folder().glob("*.story")), seconds=10)
    kept, _ = story_cache.load(story, SAMPLE)
    assert kept is not None and kept.title == title
    again = make_app(state_path, story=story)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, again)
        assert first_line(again) == shown


async def test_a_turn_is_drawn_at_once_and_recorded_after_its_frame(state_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The turn's frame is drawn in the key's own handling, not at the screen's next update
    tick (reader/ui/paint.py), and the place is recorded once it is drawn."""
    import reader.ui.screens.reading as reading

    drawn: list[bool] = []

    def paint(*args):  # type: ignore[no-untyped-def]
        drawn.append(reading_paint(*args))
        return drawn[-1]

    reading_paint = reading.paint_now
    monkeypatch.setattr(reading, "paint_now", paint)
    app = make_app(state_path, story=SAMPLE / STORY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app)
        await pilot.pause(0.1)
        screen = app.screen
        story_id = screen.story.id
        await pilot.press("space")
        assert drawn == [True]
        await pilot.pause()
        place = app.state.position(story_id)
        assert place is not None and place.offset == screen.book.page(screen.ref).start
