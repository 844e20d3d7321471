"""The real app, driven through Textual's pilot on the sample library and real files."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE
from tests_support import (
    first_line,
    make_app,
    open_story,
    saved_stories,
    saved_to_disk,
    screen_lines,
    wait_for_library,
    wait_for_page,
)
from textual import events

from reader.config import Config
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.page_view import PageView

STORY = "what-the-static-keeps.txt"


async def test_library_lists_the_stories_with_their_columns(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        assert len(library.shown) >= 6
        from reader.ui.widgets.story_table import StoryTable

        table = app.screen.query_one(StoryTable)
        # The title has the width the longest one needs: fandom and chapters give way.
        assert [label for label, _ in table.columns] == [
            "Title",
            "Author",
            "Words",
            "Status",
            "Progress",
            "Last read",
        ]
        titles = [e.title for e in library.shown]
        assert titles == sorted(titles, key=str.casefold)  # nothing read yet: by title
        await pilot.press("s", "s", "s")  # recent → title → author → length
        words = [e.words for e in library.shown]
        assert library.sort == "length" and words == sorted(words, reverse=True)


async def test_typing_filters_the_library(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        await pilot.press("slash", *"static")  # '/' opens the filter: letters are then text
        assert [e.title for e in library.shown] == ["What the Static Keeps"]
        assert library.query_one("#filter").value == "static"
        await pilot.press("escape")
        assert len(library.shown) >= 6


async def test_turn_pages_quit_and_come_back_to_the_same_page(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        start = first_line(app)
        await pilot.press("space", "space", "pagedown", "l", "right")
        await pilot.press("left")
        reading = first_line(app)
        assert reading != start
        status = str(app.screen.query_one("#status-bar").render())
        assert "Chapter 1: Dead Air" in status and "p. 5/" in status and "min left in chapter" in status
        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("q")
    saved = saved_stories(state_path)
    entry = saved[STORY]
    assert entry["position"]["chapter"] == 0 and entry["position"]["offset"] > 0
    assert reading.startswith(entry["position"]["snippet"].split()[0])

    again = make_app(state_path)
    async with again.run_test(size=(80, 24)) as pilot:
        library = await wait_for_library(pilot, again)
        assert library.shown[0].title == "What the Static Keeps"  # most recently read first
        await pilot.press("c")
        await wait_for_page(pilot, again)
        assert first_line(again) == reading


async def test_chapter_keys_move_between_chapters(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("right_square_bracket")
        assert app.screen.ref.chapter == 1
        assert "Chapter 2: The Cellar Set" in screen_lines(app)
        await pilot.press("end")
        n, m, _ = app.screen.book.chapter(1).page_number(app.screen.ref.part, app.screen.ref.page)
        assert n == m > 1
        await pilot.press("space")
        assert app.screen.ref.chapter == 2 and app.screen.ref.page == 0
        await pilot.press("pageup")
        assert app.screen.ref.chapter == 1
        await pilot.press("home")
        assert app.screen.ref.page == 0
        await pilot.press("left_square_bracket")
        assert app.screen.ref.chapter == 0


async def test_bookmark_is_saved_and_jumps_back(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space", "space")
        marked = first_line(app)
        await pilot.press("m")
        await saved_to_disk(pilot, app)  # the writer thread may still be writing the open
        saved = saved_stories(state_path)
        (bookmark,) = saved[STORY]["bookmarks"]
        assert bookmark["name"] == "Chapter 1: Dead Air · 3%"
        assert bookmark["position"]["offset"] > 0 and bookmark["created"]
        await pilot.press("right_square_bracket", "space")
        assert first_line(app) != marked
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert first_line(app) == marked


async def test_bookmarks_can_be_renamed_and_deleted(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("m", "space", "m", "B")
        await pilot.pause()
        await pilot.press("r", "ctrl+u", *"Ottilie", "enter")
        await pilot.pause()
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press("escape")
    saved = saved_stories(state_path)
    assert [b["name"] for b in saved[STORY]["bookmarks"]] == ["Ottilie"]


async def test_resize_keeps_the_text_being_read_on_screen(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space", "space", "space")
        top = first_line(app)
        for size in ((60, 20), (45, 14), (120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.05)
            words = " ".join(screen_lines(app))
            assert " ".join(top.split()[:3]) in words, size
            assert all(len(line) <= size[0] for line in screen_lines(app))
        assert first_line(app) == top or top.split()[0] in " ".join(screen_lines(app))


async def test_mouse_click_and_wheel_turn_pages(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        start = app.screen.ref
        await pilot.click(PageView, offset=(70, 10))
        await pilot.pause()
        assert app.screen.ref.page == start.page + 1
        await pilot.click(PageView, offset=(5, 10))
        await pilot.pause()
        assert app.screen.ref == start


async def test_help_screen_lists_the_keys(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("question_mark")
        await pilot.pause()
        from reader.ui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        for words in (
            "Next page",
            "Previous chapter",
            "Add bookmark",
            "Bookmarks",
            "Back to the library",
            "Continue",
        ):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, ReadingScreen)


async def test_command_palette_lists_the_screen_actions(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Next page", "Add bookmark", "Next chapter", "Help"} <= set(titles)


async def test_a_corrupt_state_file_is_set_aside_and_reading_goes_on(state_path: Path) -> None:
    state_path.mkdir()
    (state_path / "state.yaml").write_text("stories: [this is not\n", encoding="utf-8")
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        assert any("moved to" in n.message for n in app._notifications)
        await pilot.press("space", "q", "q")
    assert list(state_path.glob("state.yaml.corrupt-*"))[0].read_text() == "stories: [this is not\n"
    assert STORY in saved_stories(state_path)


async def test_an_unreadable_story_is_marked_and_the_rest_still_open(
    tmp_path: Path, state_path: Path
) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    (library / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    (library / "fine.txt").write_text("Title: Fine\nAuthor: me\n\nA line of story.\n", encoding="utf-8")
    app = make_app(state_path, library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_for_library(pilot, app)
        broken = next(e for e in screen.shown if e.error)
        assert "binary" in broken.error
        await pilot.press("slash", *"fine", "enter")  # f alone filters by reading status
        await wait_for_page(pilot, app)
        assert first_line(app) == "A line of story."


async def test_a_story_opened_directly_quits_on_q(state_path: Path) -> None:
    app = make_app(state_path, story=SAMPLE / STORY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app)
        assert "Chapter 1: Dead Air" in screen_lines(app)
        await pilot.press("space", "q")
        await pilot.pause()
    assert app.return_code == 0
    assert STORY in saved_stories(state_path)


async def test_text_column_width_is_adjustable_and_centred(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_story(pilot, app, "static")
        assert app.screen.book.width == 70
        view = app.screen.query_one(PageView)
        raw = [view.render_line(y).text for y in range(view.size.height)]
        assert all(line.startswith(" " * 25) for line in raw if line.strip())
        await pilot.press("minus", "minus")
        assert app.screen.book.width == 60
        await pilot.press("plus")
        assert app.screen.book.width == 65


async def test_down_arrow_leaves_the_filter_for_the_list(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        await pilot.press("slash", *"the", "down")
        from reader.ui.widgets.story_table import StoryTable

        assert app.focused is app.screen.query_one(StoryTable)
        assert library.query_one("#filter").value == "the" and len(library.shown) >= 3
        await pilot.press("q")  # in the list, q quits: it does not type into the filter
    assert app.return_code == 0


async def test_saves_while_paging_are_at_most_twice_a_second_and_off_the_ui_thread(
    state_path: Path, monkeypatch
) -> None:
    import threading
    import time

    from reader.state import State

    saves: list[float] = []
    writers: set[str] = set()
    real_jobs, real_write = State.jobs, State.write

    def counting_jobs(self: State):
        jobs = real_jobs(self)
        if jobs:
            saves.append(time.monotonic())
        return jobs

    def watched_write(self: State, job, timeout: float = 2.0):
        writers.add(threading.current_thread().name)
        return real_write(self, job, timeout)

    monkeypatch.setattr(State, "jobs", counting_jobs)
    monkeypatch.setattr(State, "write", watched_write)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        for _ in range(12):
            await pilot.press("space")
        await pilot.pause(1.3)  # the debounced save lands
        last = first_line(app)
        gaps = [b - a for a, b in zip(saves, saves[1:], strict=False)]
        assert 1 <= len(saves) <= 4 and all(gap >= 0.45 for gap in gaps), saves
        assert writers == {"reader-autosave"}  # never the UI thread
        offset = saved_stories(state_path)[STORY]["position"]["offset"]
        assert app.screen.place.offset == offset and last


async def test_a_hides_notes_and_the_choice_is_remembered(state_path: Path, tmp_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 40)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("right_square_bracket")  # chapter 2 opens with an author's note
        assert any(line.startswith("Author’s Note:") for line in screen_lines(app))
        await pilot.press("a")
        assert not any(line.startswith("Author’s Note:") for line in screen_lines(app))
        assert "Chapter 2: The Cellar Set" in screen_lines(app)
    assert "show_notes: false" in (tmp_path / "settings.yaml").read_text(encoding="utf-8")

    assert Config.load(tmp_path / "config.yaml").show_notes is False


async def test_keys_typed_fast_after_slash_all_reach_the_filter(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(100, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        # Queue every key before any is handled, as a fast typist or a paste over ssh does.
        for key, character in [("slash", "/"), *((c, c) for c in "biscuit")]:
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)  # as the terminal driver does: no waiting between keys
        await pilot.pause(0.3)
        assert library.query_one("#filter").value == "biscuit"
        assert library.sort == "recent" and isinstance(app.screen, LibraryScreen)


async def test_help_and_statistics_work_on_a_story_that_could_not_be_opened(tmp_path: Path) -> None:
    from reader.ui.screens.help import HelpScreen
    from reader.ui.screens.stats import StatsScreen

    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"not a zip at all")
    app = make_app(tmp_path / "state.yaml", story=broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadingScreen) and screen.book is None
        assert "could not be opened" in str(screen.query_one("#status-bar").render())
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "number_sign")
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape", "q")  # and q leaves
        await pilot.pause()
    assert app.return_code == 0
