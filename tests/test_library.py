"""Story identity across renames and re-downloads, new chapters, and the library filter."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SAMPLE
from tests_support import make_app, open_story, saved_stories, wait_for_library, wait_for_page

from reader.library import Entry, chapters_label, matches, scan, status_of
from reader.model import Position
from reader.state import State

STATIC = "what-the-static-keeps.txt"


def test_status_from_words_or_chapter_counts() -> None:
    assert status_of({"status": "Completed"}) == "complete"
    assert status_of({"status": "In-Progress"}) == "in progress"
    assert status_of({"chapter_count": "3/?"}) == "in progress"
    assert status_of({"chapter_count": "3/3"}) == "complete"
    assert status_of({}) == ""
    assert (
        chapters_label(Entry(Path("x"), "x", "X", chapters=3, metadata={"chapter_count": "3/10"})) == "3/10"
    )


def test_filter_matches_every_word_in_title_author_and_metadata() -> None:
    entry = Entry(
        Path("x"),
        "x",
        "Salt Road",
        "quill",
        metadata={
            "fandom": ["Signal & Salt"],
            "relationships": ["Sol/Ezra"],
            "rating": "Teen",
            "status": "Complete",
        },
    )
    assert matches(entry, "sol/ezra teen")
    assert matches(entry, "complete QUILL")
    assert not matches(entry, "sol/ezra explicit")


def test_a_renamed_story_keeps_its_place(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    shutil.copy(SAMPLE / STATIC, library / STATIC)
    state = State.load(tmp_path / "state.yaml")
    story_path = library / STATIC
    state.save_position(
        STATIC,
        Position(2, 100, "x"),
        progress=0.4,
        title="What the Static Keeps",
        path=str(story_path),
        author="lowtide_lantern",
    )
    state.add_bookmark(STATIC, "mark", Position(1, 5, "y"))
    (library / "moved").mkdir()
    story_path.rename(library / "moved" / "static-keeps-v2.txt")
    entries = scan(library)
    moved = state.reconcile([(e.id, e.title, e.author) for e in entries])
    assert moved == [(STATIC, "moved/static-keeps-v2.txt")]
    assert state.position("moved/static-keeps-v2.txt") == Position(2, 100, "x")
    assert [b.name for b in state.bookmarks("moved/static-keeps-v2.txt")] == ["mark"]


def test_a_story_whose_file_is_missing_keeps_its_entry(tmp_path: Path) -> None:
    state = State.load(tmp_path / "state.yaml")
    state.save_position(
        "gone.txt", Position(1, 1, "z"), progress=0.1, title="Gone", path=str(tmp_path / "gone.txt")
    )
    assert state.reconcile([("other.txt", "Other", "someone")]) == []
    assert state.position("gone.txt") == Position(1, 1, "z")


def test_a_redownload_with_the_same_url_keeps_the_place(tmp_path: Path) -> None:
    text = "Title: T\nAuthor: a\nStory URL: https://example.org/s/9\n\nChapter 1\n\nOne.\n"
    (tmp_path / "old-name.txt").write_text(text, encoding="utf-8")
    (first,) = scan(tmp_path)
    (tmp_path / "old-name.txt").unlink()
    (tmp_path / "T - a (2026).txt").write_text(text + "\nChapter 2\n\nTwo.\n", encoding="utf-8")
    (second,) = scan(tmp_path)
    assert first.id == second.id == "https://example.org/s/9"


async def test_new_chapters_are_marked_and_n_opens_the_first(tmp_path: Path, state_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    story = library / "serial.txt"
    story.write_text("Title: Serial\n\nChapter 1\n\nOne.\n\nChapter 2\n\nTwo.\n", encoding="utf-8")
    app = make_app(state_path, library)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(pilot, app, "serial")
        await pilot.press("space", "q")
    assert saved_stories(state_path)["serial.txt"]["chapters"] == 2
    with story.open("a", encoding="utf-8") as handle:
        handle.write("\nChapter 3: Fresh\n\nThree.\n\nChapter 4\n\nFour.\n")
    app = make_app(state_path, library)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        from textual.widgets import Static

        from reader.ui.story_table import StoryTable

        table = app.screen.query_one(StoryTable)
        assert table.render_line(1).text.strip().startswith("+2 new")  # line 0 is the header
        assert "2 new chapters" in str(app.screen.query_one("#details", Static).render())
        await pilot.press("n")
        await wait_for_page(pilot, app)
        assert app.screen.ref.chapter == 2
        assert screen is not app.screen


async def test_a_missing_story_is_shown_and_comes_back_with_its_place(
    tmp_path: Path, state_path: Path
) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    story = library / "keeper.txt"
    story.write_text(
        "Title: Keeper\nAuthor: me\n\nChapter 1\n\n" + "Words here. " * 400 + "\n", encoding="utf-8"
    )
    app = make_app(state_path, library)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(pilot, app, "keeper")
        await pilot.press("space", "space", "q")
    saved = State.load(state_path).position("keeper.txt")
    aside = tmp_path / "keeper.txt"
    story.rename(aside)
    app = make_app(state_path, library)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        (entry,) = screen.entries
        assert entry.missing and entry.title == "Keeper" and "missing" in (entry.error or "")
        await pilot.press("enter")
        assert type(app.screen).__name__ == "LibraryScreen"  # not opened, and nothing lost
    assert State.load(state_path).position("keeper.txt") == saved
    aside.rename(story)
    app = make_app(state_path, library)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        (entry,) = screen.entries
        assert not entry.missing and entry.error is None
        await pilot.press("c")
        await wait_for_page(pilot, app)
        assert app.screen.place.offset == saved.offset


def test_progress_bars() -> None:
    from reader.ui.library_rows import progress_bar

    assert str(progress_bar(0.0)) == "        0%"
    assert str(progress_bar(0.5)) == "██▌    50%"
    assert str(progress_bar(1.0)) == "█████ 100%"
    assert len(str(progress_bar(0.37))) == 10


def test_the_walk_finds_files_and_story_folders_in_natural_order(tmp_path: Path) -> None:
    from reader.library import story_files, story_listing

    def put(relative: str, text: str = "Title: T\nAuthor: A\n\nWords.\n") -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    put("story 10.txt")
    put("story 2.html")
    put("notes.yaml")  # not a story
    put(".hidden.txt")  # hidden
    put(".cache/inside.txt")  # in a hidden folder
    put("Fandom/b.epub")
    put("Fandom/a.md")
    put("Serial/chapter-1.txt")  # a story folder: every story file named like a chapter
    put("Serial/chapter-2.txt")
    put("Tagged/story.yaml", "title: Tagged\n")  # a story folder by its story.yaml
    put("Tagged/prologue.txt")
    put("Mixed/01.txt")  # not a story folder: one file is not a chapter
    put("Mixed/extra story.txt")
    sidecar = put("story 10.yaml", "title: Ten\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # not followed

    listing = story_listing(tmp_path)
    relative = [rel for _, rel, _ in listing]
    assert relative == [
        "Fandom/a.md",
        "Fandom/b.epub",
        "Mixed/01.txt",
        "Mixed/extra story.txt",
        "Serial",
        "story 2.html",
        "story 10.txt",
        "Tagged",
    ]
    assert [path for path, _, _ in listing] == story_files(tmp_path) == [tmp_path / rel for rel in relative]
    signatures = {rel: sig for _, rel, sig in listing}
    ten = (tmp_path / "story 10.txt").stat()
    assert signatures["story 10.txt"] == (
        max(ten.st_mtime_ns, sidecar.stat().st_mtime_ns),
        ten.st_size + sidecar.stat().st_size,
    )
    serial = [tmp_path / "Serial", tmp_path / "Serial/chapter-1.txt", tmp_path / "Serial/chapter-2.txt"]
    assert signatures["Serial"] == (
        max(p.stat().st_mtime_ns for p in serial),
        sum(p.stat().st_size for p in serial),
    )
    assert all(sig is None for _, _, sig in story_listing(tmp_path, signatures=False))
