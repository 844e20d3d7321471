"""The state's record cache: a warm start (records taken from the cache in bulk) knows
exactly what a cold start (every file parsed) knows, whatever the folder holds — stories
known by other ids, a file named for another story, two files of one story, files changed
since — and a cache that is damaged or not as written is never trusted."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path
from typing import Any

import pytest

from reader.model import Position
from reader.state import State, disk
from reader.state.cache import CACHE_VERSION, heavy_path
from reader.state.disk import file_name


def picture(state: State) -> dict[str, Any]:
    """What a loaded state knows (the heavy parts merged in)."""
    stories = state.full_stories()
    return {
        "stories": stories,
        "names": dict(state.names),
        "aliases": dict(state.aliases),
        "dirty": set(state.dirty),
        "after_write": {k: set(v) for k, v in state.after_write.items()},
        "disk": {name: record for name, (_, record) in state.disk.items()},
    }


def cold(folder: Path) -> dict[str, Any]:
    state = State(folder)
    shutil.rmtree(state.cache_path.parent, ignore_errors=True)
    return picture(State.load(folder))


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = disk.parse_story
    monkeypatch.setattr(disk, "parse_story", lambda text, where: seen.append(str(where)) or real(text, where))
    return seen


@pytest.fixture
def folder(state_path: Path) -> Path:
    state = State.load(state_path)
    for n in range(12):
        state.save_position(
            f"s{n}", Position(n, 3), progress=n / 12, title=f"Story {n}", path=f"/lib/s{n}.txt"
        )
        state.add_bookmark(f"s{n}", f"mark {n}", Position(n, 1))
    state.save_position("md5:aaa", Position(1, 1), progress=0.5, title="Moved", path="/lib/m.txt")
    state.save()
    state._alias("works/9", "md5:aaa")  # the story later found by its URL
    state.save()
    return state.folder


def test_a_warm_start_parses_nothing_and_knows_what_a_cold_start_knows(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    State.load(folder)  # the cache as the last start left it
    seen = parses(monkeypatch)
    warm = State.load(folder)
    assert seen == [] and warm.light_names  # the bookmarks come after, from the cache
    assert picture(warm) == cold(folder)
    assert warm.key("works/9") == "md5:aaa" and len(warm.stories) == 13
    assert warm.bookmarks("s3")[0].name == "mark 3"


def test_odd_files_take_the_careful_path_and_come_out_as_from_a_cold_start(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = next(folder.glob("story-3-*.yaml"))
    shutil.copy(source, folder / file_name("Copied by hand", "another-id"))  # named for another id
    shutil.copy(source, folder / ("story-3-copy-" + source.name.rsplit("-", 1)[1]))  # a second file of s3
    expected = cold(folder)
    State.load(folder)
    seen = parses(monkeypatch)
    warm = State.load(folder)
    assert picture(warm) == expected and expected["dirty"]
    assert seen == [] or all("story-3" in s or "copied" in s for s in seen)


def test_a_file_changed_since_is_parsed_and_the_rest_come_from_the_cache(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    State.load(folder)
    path = next(folder.glob("story-5-*.yaml"))  # edited by hand, in place
    text = path.read_text(encoding="utf-8")
    assert "  offset: 3\n" in text
    path.write_text(text.replace("  offset: 3\n", "  offset: 7\n"), encoding="utf-8")
    seen = parses(monkeypatch)
    warm = State.load(folder)
    assert {Path(s).name for s in seen} == {path.name}
    assert warm.position("s5") == Position(5, 7)
    assert picture(warm) == cold(folder)


@pytest.mark.parametrize(
    "damage",
    [
        b"not marshal at all",
        b"",
        "records",  # a light cache whose records are not the records it signs
        "ids",  # a record without its id
    ],
)
def test_a_damaged_cache_is_never_trusted(
    folder: Path, damage: bytes | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = State.load(folder)
    path = state.cache_path
    if isinstance(damage, bytes):
        path.write_bytes(damage)
        heavy_path(path).write_bytes(damage)
    else:
        data = marshal.loads(path.read_bytes())
        assert data["version"] == CACHE_VERSION
        name = next(iter(data["records"]))
        if damage == "records":
            data["records"].pop(name)
        else:
            data["records"][name] = {"title": "no id"}
        path.write_bytes(marshal.dumps(data))
    seen = parses(monkeypatch)
    again = State.load(folder)
    assert len(set(seen)) == 13  # every file read again
    assert picture(again) == cold(folder)


def test_a_hand_edit_wins_over_a_record_this_reader_has_not_changed_since_reading_it(folder: Path) -> None:
    state = State.load(folder, look_soon=True)  # records as cached, looked at after
    path = folder / state.names["s4"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  offset: 3\n", "  offset: 9\n"), encoding="utf-8")  # no later last_read
    state.save_position("s6", Position(6, 5), progress=0.5, title="Story 6", path="/lib/s6.txt")
    six = folder / state.names["s6"]
    six.write_text(
        six.read_text(encoding="utf-8").replace("  offset: 3\n", "  offset: 8\n"), encoding="utf-8"
    )
    assert state.absorb(state.changes(state.look()))
    assert state.position("s4") == Position(4, 9)  # unchanged here: the file as it is now
    assert state.position("s6") == Position(6, 5)  # changed here since: a merge, this reader's later stamp


def test_the_librarys_sort_keys_come_from_the_cache_only_while_the_records_are_as_loaded(
    folder: Path,
) -> None:
    from reader.library.shelf import Shelf

    State.load(folder)
    warm = State.load(folder)
    assert warm.start_reading is not None  # every file as cached: the sort keys come with them
    stamps, statuses = Shelf(warm).reading()
    computed = Shelf(warm)
    warm.start_reading = None
    assert (stamps, statuses) == computed.reading() and stamps["works/9"] == stamps["md5:aaa"]
    again = State.load(folder)
    again.set_status("s2", "dropped")  # a record changed since it was loaded: worked out afresh
    again.save_position("s3", Position(3, 4), progress=0.3, title="Story 3", path="/lib/s3.txt")
    stamps, statuses = Shelf(again).reading()
    assert statuses["s2"] == "dropped" and stamps["s3"] > stamps["s4"]
    assert again.start_reading is None
