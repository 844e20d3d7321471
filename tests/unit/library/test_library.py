"""Story identity across renames and re-downloads, new chapters, and the library filter."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SAMPLE
from tests_support import make_app, open_story, saved_stories, wait_for_library, wait_for_page

from reader.library.listing import StoryEntry
from reader.library.scanning import scan
from reader.library.shelf import chapters_label, matches, status_of
from reader.model import Position
from reader.state import Found, State

STATIC = "what-the-static-keeps.txt"


def test_status_from_words_or_chapter_counts() -> None:
    assert status_of({"status": "Completed"}) == "complete"
    assert status_of({"status": "In-Progress"}) == "in progress"
    assert status_of({"chapter_count": "3/?"}) == "in progress"
    assert status_of({"chapter_count": "3/3"}) == "complete"
    assert status_of({}) == ""
    assert (
        chapters_label(StoryEntry(Path("x"), "x", "X", chapters=3, metadata={"chapter_count": "3/10"}))
        == "3/10"
    )


def test_filter_matches_every_word_in_title_author_and_metadata() -> None:
    entry = StoryEntry(
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


def _found(entries: list[StoryEntry], root: Path) -> list[Found]:
    return [Found(e.id, str(e.path), e.title, e.author, str(root)) for e in entries]


def _read(state: State, story_id: str, path: Path, offset: int) -> None:
    state.save_position(story_id, Position(0, offset, "x"), progress=0.1, title=path.stem, path=str(path))


def test_a_renamed_story_keeps_its_place_and_bookmarks(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    shutil.copy(SAMPLE / STATIC, library / STATIC)
    state = State.load(tmp_path / "state")
    (entry,) = scan(library)
    _read(state, entry.id, entry.path, 100)
    state.add_bookmark(entry.id, "mark", Position(1, 5, "y"))
    state.save()
    (library / "moved").mkdir()
    (library / STATIC).rename(library / "moved" / "static-keeps-v2.txt")
    state = State.load(tmp_path / "state")
    (moved,) = scan(library)
    assert state.reconcile(_found([moved], library)) == []  # the same content: the same story
    assert state.position(moved.id) == Position(0, 100, "x")
    assert [b.name for b in state.bookmarks(moved.id)] == ["mark"]


def test_a_story_edited_in_place_keeps_its_place(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    story = library / "serial.txt"
    story.write_text("Title: Serial\n\nChapter 1\n\nOne.\n", encoding="utf-8")
    state = State.load(tmp_path / "state")
    (before,) = scan(library)
    _read(state, before.id, story, 3)
    story.write_text(
        "Title: Serial\n\nChapter 1\n\nOne, longer now.\n\nChapter 2\n\nTwo.\n", encoding="utf-8"
    )
    (after,) = scan(library)
    assert after.id != before.id
    assert state.reconcile(_found([after], library)) == [(after.id, before.id)]
    assert state.position(after.id) == Position(0, 3, "x")


def test_a_different_story_given_a_renamed_storys_old_name_is_a_new_story(tmp_path: Path) -> None:
    """The issue's first identity bug: a.txt renamed to b.txt, then another story saved as a.txt."""
    library = tmp_path / "lib"
    library.mkdir()
    (library / "a.txt").write_text("Title: First\n\nChapter 1\n\nThe first story.\n", encoding="utf-8")
    state = State.load(tmp_path / "state")
    (first,) = scan(library)
    _read(state, first.id, library / "a.txt", 7)
    state.add_bookmark(first.id, "first's mark", Position(0, 7, "x"))
    state.save()
    (library / "a.txt").rename(library / "b.txt")
    (library / "a.txt").write_text("Title: Second\n\nChapter 1\n\nAnother story.\n", encoding="utf-8")
    state = State.load(tmp_path / "state")
    entries = {e.path.name: e for e in scan(library)}
    assert state.reconcile(_found(list(entries.values()), library)) == []
    assert state.position(entries["b.txt"].id) == Position(0, 7, "x")
    assert not state.known(entries["a.txt"].id) and state.position(entries["a.txt"].id) is None
    _read(state, entries["a.txt"].id, library / "a.txt", 1)
    state.save()
    state = State.load(tmp_path / "state")
    assert state.position(entries["b.txt"].id) == Position(0, 7, "x")
    assert [b.name for b in state.bookmarks(entries["b.txt"].id)] == ["first's mark"]
    assert state.bookmarks(entries["a.txt"].id) == []


def test_two_stories_with_one_file_name_in_two_folders_are_two_stories(tmp_path: Path) -> None:
    """The issue's second identity bug, opened directly (the root is each file's own folder)."""
    from reader.formats import load_story, neighbour_ids

    for folder, words in (("A", "Alpha"), ("B", "Beta")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(f"Title: {words}\n\n{words} text.\n", encoding="utf-8")
    state = State.load(tmp_path / "state")
    a = load_story(tmp_path / "A" / "story.txt", tmp_path / "A")
    b = load_story(tmp_path / "B" / "story.txt", tmp_path / "B")
    a_id = state.identify(Found(a.id, a.path, a.title), lambda: neighbour_ids(Path(a.path)))
    _read(state, a_id, Path(a.path), 50)
    b_id = state.identify(Found(b.id, b.path, b.title), lambda: neighbour_ids(Path(b.path)))
    assert b_id != a_id and state.position(b_id) is None
    _read(state, b_id, Path(b.path), 9)
    state.save()
    state = State.load(tmp_path / "state")
    assert state.position(a_id).offset == 50 and state.position(b_id).offset == 9


def test_a_story_opened_directly_after_a_rename_beside_it_is_new(tmp_path: Path) -> None:
    from reader.formats import load_story, neighbour_ids

    (tmp_path / "a.txt").write_text("Title: First\n\nOne.\n", encoding="utf-8")
    state = State.load(tmp_path / "state")
    first = load_story(tmp_path / "a.txt", tmp_path)
    _read(state, first.id, tmp_path / "a.txt", 4)
    (tmp_path / "a.txt").rename(tmp_path / "b.txt")
    (tmp_path / "a.txt").write_text("Title: Second\n\nTwo.\n", encoding="utf-8")
    second = load_story(tmp_path / "a.txt", tmp_path)
    found = Found(second.id, second.path, second.title)
    assert state.identify(found, lambda: neighbour_ids(tmp_path / "a.txt")) == second.id  # new
    (tmp_path / "b.txt").unlink()  # now nothing else holds the first story's text:
    assert state.identify(found, lambda: neighbour_ids(tmp_path / "a.txt")) == first.id  # edited


def test_a_story_whose_file_is_missing_keeps_its_entry(tmp_path: Path) -> None:
    state = State.load(tmp_path / "state")
    state.save_position(
        "gone.txt", Position(1, 1, "z"), progress=0.1, title="Gone", path=str(tmp_path / "gone.txt")
    )
    assert state.reconcile([Found("other.txt", str(tmp_path / "other.txt"), "Other", "someone")]) == []
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

        from reader.ui.widgets.story_table import StoryTable

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
    (keeper_id,) = [k for k, r in saved_stories(state_path).items() if r["id"] == k]
    saved = State.load(state_path).position(keeper_id)
    aside = tmp_path / "keeper.txt"
    story.rename(aside)
    app = make_app(state_path, library)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for_library(pilot, app)
        (entry,) = screen.entries
        assert entry.missing and entry.title == "Keeper" and "missing" in (entry.error or "")
        await pilot.press("enter")
        assert type(app.screen).__name__ == "LibraryScreen"  # not opened, and nothing lost
    assert State.load(state_path).position(keeper_id) == saved
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
    from reader.ui.widgets.story_rows import progress_bar

    assert str(progress_bar(0.0)) == "        0%"
    assert str(progress_bar(0.5)) == "██▌    50%"
    assert str(progress_bar(1.0)) == "█████ 100%"
    assert len(str(progress_bar(0.37))) == 10


def test_the_walk_finds_files_and_story_folders_in_natural_order(tmp_path: Path) -> None:
    from reader.library.listing import story_files, story_listing

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


def test_a_gutenberg_book_read_under_its_path_id_keeps_its_place_as_gutenberg_nnnn(tmp_path: Path) -> None:
    """A first-release record (known by its path) finds the book now known by its ebook number."""
    from conftest import ROOT
    from tests_support import write_v1_state

    library = tmp_path / "lib"
    library.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "gutenberg" / "the_ebook_2020s.txt", library / "almanac.txt")
    write_v1_state(
        tmp_path / "state",
        {
            "version": 1,
            "stories": {
                "almanac.txt": {
                    "title": "almanac",
                    "path": str(library / "almanac.txt"),
                    "position": {"chapter": 1, "offset": 40, "snippet": "x"},
                    "last_read": "2026-11-01T10:00:00+00:00",
                    "bookmarks": [
                        {
                            "name": "a mark",
                            "position": {"chapter": 1, "offset": 40, "snippet": "x"},
                            "created": "2026-11-01T10:00:00+00:00",
                        }
                    ],
                }
            },
        },
    )
    state = State.load(tmp_path / "state")
    (entry,) = scan(library)
    assert entry.id.startswith("gutenberg:")
    assert state.reconcile(_found([entry], library)) != []
    assert state.position(entry.id) == Position(1, 40, "x")
    assert [b.name for b in state.bookmarks(entry.id)] == ["a mark"]
    state.save()
    assert State.load(tmp_path / "state").position(entry.id) == Position(1, 40, "x")  # kept joined
