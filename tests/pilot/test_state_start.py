"""The app's start takes the state's records from the cache without a ``stat`` a file
(thousands of system calls at a big library), then looks at the folder as soon as its
first screen is usable: a story file edited or damaged in place since the last run is
read then, as if changed while running — nothing is missed, nothing lost."""

from __future__ import annotations

from pathlib import Path

from tests_support import make_app, wait_for_library, wait_until

from reader.model import Position
from reader.state import State


def prepared(state_path: Path) -> Path:
    """A state of two stories, as the last run left it (cache written); ``s``'s file."""
    state = State.load(state_path)
    state.save_position("s", Position(2, 40, "kept"), progress=0.5, title="Edited", path="a")
    state.add_bookmark("s", "survivor", Position(2, 41))
    state.save_position("other", Position(1, 1, "o"), progress=0.1, title="Other", path="b")
    state.save()
    State.load(state_path)  # a start: the cache as the next start finds it
    return state_path / state.names["s"]


async def test_a_file_edited_in_place_since_the_last_run_is_read_just_after_the_start(
    state_path: Path,
) -> None:
    path = prepared(state_path)
    text = path.read_text(encoding="utf-8")
    assert "offset: 40\n" in text
    path.write_text(text.replace("offset: 40\n", "offset: 77\n"), encoding="utf-8")  # same size
    app = make_app(state_path)
    assert app.state.position("s") == Position(2, 40, "kept")  # the cache, taken on trust…
    async with app.run_test() as pilot:
        await wait_for_library(pilot, app)
        await wait_until(pilot, lambda: app.state.position("s") == Position(2, 77, "kept"))  # …then looked at
        assert [b.name for b in app.state.bookmarks("s")] == ["survivor"]


async def test_a_file_damaged_in_place_since_the_last_run_is_restored_just_after_the_start(
    state_path: Path,
) -> None:
    path = prepared(state_path)
    path.write_text("version: 2\nid: s\nposition: {chapter: 2, offset: 4", encoding="utf-8")  # cut short
    app = make_app(state_path)
    async with app.run_test(notifications=True) as pilot:
        await wait_for_library(pilot, app)
        await wait_until(pilot, lambda: any(path.name in n.message for n in app._notifications))
        notice = next(n.message for n in app._notifications if path.name in n.message)
        assert "restored from its last good copy" in notice
        assert app.state.position("s") == Position(2, 40, "kept")
        assert [b.name for b in app.state.bookmarks("s")] == ["survivor"]
    saved = State.load(state_path)
    assert saved.position("s") == Position(2, 40, "kept")
    assert [b.name for b in saved.bookmarks("s")] == ["survivor"]


BISCUIT = "what-biscuit-found.txt"


async def read_a_little(state_path: Path) -> str:
    """Open a sample story, turn two pages, quit (the state and its cache written); its id."""
    from conftest import SAMPLE

    app = make_app(state_path, story=SAMPLE / BISCUIT)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "book", None) is not None)
        await pilot.press("space", "space")
        story_id = app.screen.session.story.id
        await pilot.press("q")
    assert State.load(state_path).position(story_id).chapter == 0
    return story_id


def written_behind_the_cache(state_path: Path, story_id: str, chapter: int) -> None:
    """The story's file as a reader killed mid-save (or another device) left it: a later
    place than the cache knows, the cache not written since."""
    import yaml

    state = State.load(state_path)
    path = state_path / state.names[story_id]
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["position"] = {"chapter": chapter, "offset": 0, "snippet": ""}
    record["last_read"] = "2099-01-01T10:00:00.000+00:00"
    path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")


async def test_a_story_opened_at_the_start_opens_at_its_place_on_disk_not_the_cached_one(
    state_path: Path,
) -> None:
    from conftest import SAMPLE

    story_id = await read_a_little(state_path)
    written_behind_the_cache(state_path, story_id, chapter=2)
    app = make_app(state_path, story=SAMPLE / BISCUIT)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "book", None) is not None)
        # the first page may come from the cache; the file is looked at once it is up
        await wait_until(pilot, lambda: app.screen.ref.chapter == 2)
        assert app.screen.session.place.chapter == 2
        await pilot.pause(0.1)
        assert app.state.position(story_id).chapter == 2  # opening recorded the place on disk
        assert app.screen.ref.chapter == 2


async def test_continue_typed_at_once_takes_the_story_read_last_on_disk(state_path: Path) -> None:
    story_id = await read_a_little(state_path)
    other = State.load(state_path)
    other.save_position("works/elsewhere", Position(0, 0), progress=0.1, title="Other", path="x")
    other.save()  # read since: the cache says it is the last read…
    written_behind_the_cache(state_path, story_id, chapter=1)  # …but the biscuit's file is later
    app = make_app(state_path)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: getattr(app.screen, "loaded", False), seconds=5)
        assert app.state.unlooked  # typed ahead of the app's own look
        await pilot.press("c")
        await wait_until(pilot, lambda: getattr(app.screen, "book", None) is not None)
        assert app.screen.session.story.id == story_id and app.screen.session.place.chapter == 1
