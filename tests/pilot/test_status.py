"""The reading status from the reading screen: x sets it; the last page offers Finished."""

from __future__ import annotations

from pathlib import Path

from tests_support import make_app, open_story, saved_stories, saved_to_disk
from textual.widgets import OptionList

from reader.state.status import STATUSES
from reader.ui.dialogs.status_picker import StatusPicker
from reader.ui.screens.reading import ReadingScreen

STORY = "what-the-static-keeps.txt"


def saved(state_path: Path) -> dict:
    return saved_stories(state_path)[STORY]


def notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(notification.message) for notification in app._notifications]


async def test_x_sets_the_status_and_saves_it(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("x")
        assert isinstance(app.screen, StatusPicker)
        await pilot.press("o")  # On hold
        assert isinstance(app.screen, ReadingScreen)
        await saved_to_disk(pilot, app)
        assert "Marked as On hold" in notices(app)
        await saved_to_disk(pilot, app)
        entry = saved(state_path)  # saved at once, not at exit
        assert entry["status"] == "on-hold" and entry["status_changed"] and "finished" not in entry
        await pilot.press("x", "down", "down", "enter")  # from On hold, down twice: Plan to read
        await saved_to_disk(pilot, app)
        assert saved(state_path)["status"] == "plan-to-read"
        await pilot.press("x", "escape")  # closed without a choice: unchanged
        await saved_to_disk(pilot, app)
        assert isinstance(app.screen, ReadingScreen) and saved(state_path)["status"] == "plan-to-read"


async def go_to_the_last_page(pilot, app) -> None:  # type: ignore[no-untyped-def]
    screen = app.screen
    last = len(screen.story.chapters) - 1
    screen.moved(screen.session.go(screen.book.last_of(last)))
    await pilot.pause()
    assert screen.book.next(screen.ref) is None


async def test_next_page_on_the_last_page_offers_finished_and_enter_marks_it(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await go_to_the_last_page(pilot, app)
        await pilot.press("space")
        picker = app.screen
        assert isinstance(picker, StatusPicker)
        assert picker.prompt == "The end of What the Static Keeps. Mark it finished?"
        assert picker.current == "reading"  # marked as it is, the cursor on Finished
        assert picker.query_one(OptionList).highlighted == list(STATUSES).index("finished")
        await pilot.press("enter")  # Finished is the one highlighted
        assert isinstance(app.screen, ReadingScreen)
        await saved_to_disk(pilot, app)
        entry = saved(state_path)
        assert entry["status"] == "finished" and entry["finished"] == entry["status_changed"]
        await pilot.press("space")  # finished already: not offered again
        assert isinstance(app.screen, ReadingScreen)
        assert "The end of the story." in notices(app)


async def test_declined_at_the_end_is_not_offered_again_this_session(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await go_to_the_last_page(pilot, app)
        await pilot.press("space")
        assert isinstance(app.screen, StatusPicker)
        await pilot.press("escape")  # keep it as it was
        await pilot.press("space")
        assert isinstance(app.screen, ReadingScreen)
        await saved_to_disk(pilot, app)
        assert saved(state_path)["status"] == "reading"
    # A new session offers it again.
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await go_to_the_last_page(pilot, app)
        await pilot.press("space")
        assert isinstance(app.screen, StatusPicker)


async def test_another_status_chosen_at_the_end_is_not_offered_again_this_session(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await go_to_the_last_page(pilot, app)
        await pilot.press("space")
        assert isinstance(app.screen, StatusPicker)
        await pilot.press("o")  # on hold, not finished: an answer all the same
        await saved_to_disk(pilot, app)
        assert saved(state_path)["status"] == "on-hold"
        await pilot.press("space")
        assert isinstance(app.screen, ReadingScreen)
        assert "The end of the story." in notices(app)
