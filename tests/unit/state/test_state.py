"""The state folder through :class:`reader.state.State`: one small file per story, its name and
id, the merge rules every save follows, locks, a file system that cannot lock, a full disk."""

from __future__ import annotations

import errno
import os
import re
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from reader import atomic_write
from reader.model import Bookmark, Position
from reader.state import LockBusy, State, disk, saving
from reader.state.disk import id_hash
from reader.state.merge import bookmark_key, losses, merge_story

NAME = re.compile(r"^[a-z0-9-]{1,40}-[0-9a-f]{12}\.yaml$")


def story_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".yaml")


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def file_of(state: State, story_id: str) -> Path:
    return state.folder / state.names[state.key(story_id)]


def hold_lock(state: State, story_id: str) -> int:
    """Take the story's lock from outside, as another reader would (the caller closes it)."""
    import fcntl

    lock = state.locks / f"{id_hash(story_id)}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    held = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
    return held


# Layout ------------------------------------------------------------------------------------


def test_one_small_readable_file_per_story_named_by_title_and_id_hash(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position(
        "https://example.org/works/1",
        Position(2, 340, "She turned"),
        progress=0.25,
        title="Письмо: «The Ferryman's Daughter», Part One of a Very Long Saga",
        path="/x/t.txt",
        seconds=30,
    )
    state.add_bookmark("https://example.org/works/1", "Chapter 3, p. 2", Position(2, 500, "The door"))
    state.save_position("md5:0123", Position(0, 1), progress=0, title="!!!", path="/x/u.txt")
    state.save()
    files = story_files(state_path)
    assert len(files) == 2
    for path in files:
        assert NAME.match(path.name), path.name
        assert os.stat(path).st_size < 1000
    long_one = file_of(state, "https://example.org/works/1")
    assert (
        long_one.name
        == f"the-ferryman-s-daughter-part-one-of-a-ve-{id_hash('https://example.org/works/1')}.yaml"
    )
    assert file_of(state, "md5:0123").name == f"story-{id_hash('md5:0123')}.yaml"  # nothing ASCII in it
    data = read(long_one)
    assert data["version"] == 2 and data["id"] == "https://example.org/works/1"
    assert data["position"] == {"chapter": 2, "offset": 340, "snippet": "She turned"}
    assert data["bookmarks"][0]["name"] == "Chapter 3, p. 2" and data["reading_time"] == 30
    text = long_one.read_text(encoding="utf-8")
    assert "«The Ferryman" in text and "\\u" not in text and "&" not in text
    again = State.load(state_path)
    assert again.position("https://example.org/works/1") == Position(2, 340, "She turned")
    assert again.bookmarks("https://example.org/works/1")[0].position == Position(2, 500, "The door")
    assert again.progress("https://example.org/works/1") == 0.25
    assert again.most_recent() == "md5:0123"


def test_the_name_is_fixed_once_written(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("s", Position(0, 1), progress=0, title="First Title", path="p")
    state.save()
    (first,) = story_files(state_path)
    for title in ("A Completely Different Title", "First Title"):
        state.save_position("s", Position(0, 2), progress=0, title=title, path="p")
        state.save()
    again = State.load(state_path)  # another start: found by the hash, not the title
    again.save_position("s", Position(0, 3), progress=0, title="Third", path="p")
    again.save()
    other = State.load(state_path)  # a reader that never saw the file yet writes it too
    other.stories.clear()
    other.names.clear()
    other.save_position("s", Position(0, 4), progress=0, title="Fourth", path="p")
    other.save()
    assert story_files(state_path) == [first]
    assert read(first)["title"] == "Fourth" and read(first)["position"]["offset"] == 4


def test_a_file_whose_id_is_another_storys_is_not_merged_into_it(state_path: Path) -> None:
    state_path.mkdir()
    # Named with the hash of "mine", holding "theirs" (copied by hand, or a hash collision).
    squatter = state_path / f"mine-{id_hash('mine')}.yaml"
    squatter.write_text(
        "version: 2\nid: theirs\ntitle: Theirs\nlast_read: '2026-03-01T10:00:00+01:00'\n"
        "position: {chapter: 7, offset: 77}\n"
        "bookmarks:\n- name: their mark\n  created: '2026-03-01T10:00:00+01:00'\n"
        "  position: {chapter: 7, offset: 70}\n",
        encoding="utf-8",
    )
    state = State.load(state_path)
    assert state.position("mine") is None and state.bookmarks("mine") == []
    assert state.position("theirs") == Position(7, 77)  # read as the story it says it is
    state.save_position("mine", Position(0, 3), progress=0, title="Mine", path="p")
    state.save()
    written = read(squatter)  # the name of "mine" (found by its hash) now holds mine alone
    assert written["id"] == "mine" and "bookmarks" not in written and written["position"]["offset"] == 3
    (kept,) = (state_path / "damaged").iterdir()  # the other story's file, kept whole
    assert read(kept)["id"] == "theirs"
    assert any("holds another story" in n for n in state.pop_notices())
    (own,) = state_path.glob(f"*-{id_hash('theirs')}.yaml")  # and "theirs" got a file of its own
    assert read(own)["id"] == "theirs" and len(read(own)["bookmarks"]) == 1
    final = State.load(state_path)
    assert final.position("theirs") == Position(7, 77) and final.position("mine") == Position(0, 3)
    assert [b.name for b in final.bookmarks("theirs")] == ["their mark"] and final.bookmarks("mine") == []


def test_only_the_changed_storys_file_is_rewritten(state_path: Path) -> None:
    state = State.load(state_path)
    for number in range(5):
        state.save_position(f"s{number}", Position(0, number), progress=0, title=f"S{number}", path="p")
    state.save()
    before = {p.name: os.stat(p) for p in story_files(state_path)}
    time.sleep(0.02)
    state.save_position("s3", Position(0, 99), progress=0, title="S3", path="p")
    state.save()
    state.save()  # nothing changed: nothing written
    after = {p.name: os.stat(p) for p in story_files(state_path)}
    changed = {
        name
        for name in before
        if (before[name].st_mtime_ns, before[name].st_ino) != (after[name].st_mtime_ns, after[name].st_ino)
    }
    assert changed == {file_of(state, "s3").name}


def test_entries_for_missing_stories_survive(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("gone.txt", Position(1, 5, "x"), progress=0, title="Gone", path="/nowhere/gone.txt")
    state.save()
    again = State.load(state_path)
    again.save_position("new.txt", Position(), progress=0, title="N", path="n")
    again.save()
    assert State.load(state_path).position("gone.txt") == Position(1, 5, "x")


def test_a_story_file_from_a_newer_reader_is_left_alone(state_path: Path) -> None:
    state_path.mkdir()
    future = "version: 3\nid: s\nsomething: new\n"
    path = state_path / f"s-{id_hash('s')}.yaml"
    path.write_text(future, encoding="utf-8")
    state = State.load(state_path)
    assert any("newer reader" in n for n in state.pop_notices())
    state.save_position("s", Position(0, 1), progress=0, title="S", path="p")
    state.save_position("t", Position(0, 1), progress=0, title="T", path="p")
    with pytest.raises(OSError, match="newer reader"):
        state.save()
    assert path.read_text(encoding="utf-8") == future
    assert State.load(state_path).position("t") == Position(0, 1)  # the others are saved
    assert "s" in state.dirty  # kept in memory, tried again (and copied out at exit)


def test_unsafe_yaml_is_refused(state_path: Path) -> None:
    state_path.mkdir()
    evil = state_path / f"x-{id_hash('x')}.yaml"
    evil.write_text("!!python/object/apply:os.system ['touch /tmp/reader-pwned']\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.stories == {} and not Path("/tmp/reader-pwned").exists()
    assert any("not valid YAML" in n for n in state.pop_notices())


# Merging copies: the rules of reader.state.merge ----------------------------------------

STAMP = "2026-03-01T10:00:00+01:00"
LATER = "2026-03-01T10:05:00+01:00"


def entry(offset: int, last_read: str, **more: object) -> dict:
    return {"position": {"chapter": 0, "offset": offset, "snippet": ""}, "last_read": last_read, **more}


def mark(created: str, offset: int, name: str = "m", **more: object) -> dict:
    return {
        "name": name,
        "position": {"chapter": 1, "offset": offset, "snippet": ""},
        "created": created,
        **more,
    }


def test_the_newer_position_wins_whichever_copy_has_it() -> None:
    old = entry(10, STAMP, progress=0.1, title="Old title")
    new = entry(90, LATER, progress=0.9, title="New title")
    for mine, theirs in ((old, new), (new, old)):
        merged = merge_story(mine, theirs)
        assert merged["position"]["offset"] == 90 and merged["progress"] == 0.9
        assert merged["title"] == "New title" and merged["last_read"] == LATER


def test_a_tie_or_no_stamp_keeps_mine() -> None:
    assert merge_story(entry(1, STAMP), entry(2, STAMP))["position"]["offset"] == 1
    assert merge_story(entry(1, "garbage"), entry(2, "0001-01-01T00:00:00"))["position"]["offset"] == 1


def test_stamps_in_other_zones_compare_by_the_moment() -> None:
    tokyo = entry(1, "2026-03-01T10:30:00+09:00")  # long before 10:00 in Paris that day
    paris = entry(2, "2026-03-01T10:00:00+01:00")
    assert merge_story(tokyo, paris)["position"]["offset"] == 2
    assert merge_story(paris, tokyo)["position"]["offset"] == 2


def test_reading_time_takes_the_larger_and_keys_of_either_copy_are_kept() -> None:
    merged = merge_story(
        entry(1, LATER, reading_time=60), entry(2, STAMP, reading_time=300, status="finished")
    )
    assert merged["reading_time"] == 300 and merged["status"] == "finished"


def test_bookmarks_are_united_by_created_and_position() -> None:
    mine = entry(1, STAMP, bookmarks=[mark(STAMP, 5, "a"), mark(LATER, 7, "mine")])
    theirs = entry(1, STAMP, bookmarks=[mark(STAMP, 5, "a"), mark(LATER, 8, "theirs")])
    merged = merge_story(mine, theirs)
    assert [(b["name"], b["position"]["offset"]) for b in merged["bookmarks"]] == [
        ("a", 5),
        ("mine", 7),
        ("theirs", 8),
    ]


def test_a_deleted_bookmark_stays_deleted_against_a_copy_that_still_has_it() -> None:
    tombstone = bookmark_key(STAMP, 1, 5)
    mine = entry(1, LATER, bookmarks=[], deleted_bookmarks=[tombstone])
    theirs = entry(1, STAMP, bookmarks=[mark(STAMP, 5, "gone"), mark(LATER, 6, "kept")])
    for merged in (merge_story(mine, theirs), merge_story(theirs, mine)):
        assert [b["name"] for b in merged["bookmarks"]] == ["kept"]
        assert merged["deleted_bookmarks"] == [tombstone]


def test_the_later_rename_wins() -> None:
    first = mark(STAMP, 5, "first name", renamed="2026-03-01T11:00:00+01:00")
    second = mark(STAMP, 5, "second name", renamed="2026-03-01T12:00:00+01:00")
    never = mark(STAMP, 5, "as created")

    def name(mine: dict, theirs: dict) -> str:
        return merge_story(entry(1, STAMP, bookmarks=[mine]), entry(1, STAMP, bookmarks=[theirs]))[
            "bookmarks"
        ][0]["name"]

    assert name(first, second) == name(second, first) == "second name"
    assert name(never, first) == name(first, never) == "first name"


def test_the_later_status_change_wins_whatever_was_read_later() -> None:
    mine = entry(1, LATER, status="reading")  # paged later on a device that never saw the finish
    theirs = entry(2, STAMP, status="finished", status_changed=STAMP, finished=STAMP)
    for merged in (merge_story(mine, theirs), merge_story(theirs, mine)):
        assert merged["position"]["offset"] == 1
        assert (merged["status"], merged["finished"]) == ("finished", STAMP)
    again = entry(1, STAMP, status="dropped", status_changed=LATER)
    for merged in (merge_story(again, theirs), merge_story(theirs, again)):
        assert merged["status"] == "dropped" and "finished" not in merged


def test_days_merge_day_by_day_by_the_larger_of_each_field() -> None:
    mine = entry(1, LATER, days={"2026-03-01": [600, 100], "2026-02-01": [5, 5]})
    theirs = entry(2, STAMP, days={"2026-03-01": [300.5, 900], "2026-03-02": [7, 8]})
    for merged in (merge_story(mine, theirs), merge_story(theirs, mine)):
        assert merged["days"] == {"2026-02-01": [5, 5], "2026-03-01": [600, 900], "2026-03-02": [7, 8]}
    assert "days" not in merge_story(entry(1, LATER), entry(2, STAMP))


def test_other_ids_are_united() -> None:
    merged = merge_story(entry(1, STAMP, also=["a.txt", "md5:1"]), entry(1, LATER, also=["md5:1", "b.txt"]))
    assert merged["also"] == ["a.txt", "md5:1", "b.txt"]


def test_merging_is_idempotent_and_commutative_up_to_ties() -> None:
    mine = entry(
        1,
        LATER,
        reading_time=5,
        bookmarks=[mark(STAMP, 1)],
        deleted_bookmarks=[bookmark_key(LATER, 1, 2)],
        days={"2026-03-01": [5, 5]},
    )
    theirs = entry(2, STAMP, reading_time=9, bookmarks=[mark(LATER, 2), mark(LATER, 3)], also=["x"])
    once = merge_story(mine, theirs)
    assert merge_story(once, theirs) == once and merge_story(once, mine) == once
    assert merge_story(theirs, mine) == once


def test_losses_count_what_went_missing_without_a_tombstone() -> None:
    before = entry(
        1,
        STAMP,
        title="T",
        reading_time=50,
        bookmarks=[mark(STAMP, 1), mark(STAMP, 2)],
        days={"2026-03-01": [5, 5]},
    )
    assert losses(before, before) == []
    assert losses(before, merge_story(before, entry(9, LATER))) == []
    cut = {"title": "T", "last_read": STAMP}
    assert losses(before, cut) == ["position", "2 bookmarks", "1 day of the reading log", "reading time"]
    deleted = {**before, "bookmarks": [mark(STAMP, 2)], "deleted_bookmarks": [bookmark_key(STAMP, 1, 1)]}
    assert losses(before, deleted) == []  # a deletion is history, not loss


# Two States on one folder: every write re-reads and merges ---------------------------------


def test_a_save_merges_what_another_reader_saved(state_path: Path) -> None:
    laptop, desktop = State.load(state_path), State.load(state_path)
    laptop.save_position("shared", Position(0, 10, "x"), progress=0.1, title="Shared", path="a")
    laptop.add_bookmark("shared", "from the laptop", Position(0, 1))
    laptop.save()
    time.sleep(0.005)
    desktop.save_position("shared", Position(0, 20, "y"), progress=0.2, title="Shared", path="a")
    desktop.add_bookmark("shared", "from the desktop", Position(0, 2))
    desktop.save()
    again = State.load(state_path)
    assert {b.name for b in again.bookmarks("shared")} == {"from the laptop", "from the desktop"}
    assert again.position("shared") == Position(0, 20, "y")  # read later: its place wins
    assert {b.name for b in desktop.bookmarks("shared")} == {"from the laptop", "from the desktop"}
    time.sleep(0.005)
    laptop.save_position("shared", Position(0, 30, "z"), progress=0.3, title="Shared", path="a")
    laptop.save()  # the laptop never saw the desktop's write: it merges it in
    again = State.load(state_path)
    assert again.position("shared") == Position(0, 30, "z") and len(again.bookmarks("shared")) == 2


def test_a_deletion_survives_a_stale_copy_saving_later(state_path: Path) -> None:
    first = State.load(state_path)
    doomed = first.add_bookmark("s", "doomed", Position(0, 5))
    first.add_bookmark("s", "kept", Position(0, 6))
    first.save()
    stale = State.load(state_path)  # another reader, holding both bookmarks
    first.delete_bookmark("s", doomed)
    first.save()
    stale.save_position("s", Position(0, 9), progress=0, title="S", path="s")
    stale.save()
    assert [b.name for b in State.load(state_path).bookmarks("s")] == ["kept"]
    assert [b.name for b in stale.bookmarks("s")] == ["kept"]


def test_a_rename_wins_over_a_stale_copy(state_path: Path) -> None:
    first = State.load(state_path)
    created = first.add_bookmark("s", "old name", Position(0, 5))
    first.save()
    stale = State.load(state_path)
    assert first.rename_bookmark("s", created, "new name")
    first.save()
    stale.entry("s")  # dirty, holding the old name
    stale.save()
    assert [b.name for b in State.load(state_path).bookmarks("s")] == ["new name"]


def test_set_bookmarks_is_told_apart_into_renames_deletions_and_additions(state_path: Path) -> None:
    state = State.load(state_path)
    one = state.add_bookmark("s", "one", Position(0, 1))
    two = state.add_bookmark("s", "two", Position(0, 2))
    three = Bookmark("three", Position(0, 3), "2026-01-01T00:00:00+00:00")
    state.set_bookmarks("s", [Bookmark("uno", one.position, one.created), three])
    assert [b.name for b in state.bookmarks("s")] == ["uno", "three"]
    assert state.stories["s"]["deleted_bookmarks"] == [bookmark_key(two.created, 0, 2)]
    assert state.stories["s"]["bookmarks"][0]["renamed"]


def test_stamps_are_timezone_aware(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("s", Position(), progress=0, title="S", path="s")
    made = state.add_bookmark("s", "m", Position())
    for stamp in (state.last_read("s"), made.created):
        assert datetime.fromisoformat(stamp).tzinfo is not None


def test_a_change_on_disk_is_noticed_and_absorbed_keeping_unsaved_changes(state_path: Path) -> None:
    here = State.load(state_path)
    here.add_bookmark("s", "saved", Position(0, 0))
    here.save()
    assert not here.absorb(here.changes(here.look()))  # nothing changed
    here.add_bookmark("s", "not saved yet", Position(0, 1))
    there = State.load(state_path)
    there.add_bookmark("s", "from there", Position(0, 2))
    there.save_position("t", Position(0, 3), progress=0, title="T", path="t")
    there.save()
    changes = here.changes(here.look())
    assert {f.record["id"] for f in changes.files} == {"s", "t"}
    assert here.absorb(changes)
    assert {b.name for b in here.bookmarks("s")} == {"saved", "not saved yet", "from there"}
    assert here.position("t") == Position(0, 3)
    assert not here.changes(here.look()).files
    here.save()
    assert {b.name for b in State.load(state_path).bookmarks("s")} == {"saved", "not saved yet", "from there"}


def test_status_and_days_of_two_readers_are_kept(state_path: Path) -> None:
    one, two = State.load(state_path), State.load(state_path)
    one.save_position("w", Position(0, 5, ""), progress=0.1, title="T", path="/x")
    one.log_reading("w", 30.25, 120, day="2026-03-01")
    one.save()
    two.set_status("w", "plan-to-read")
    two.log_reading("w", 5, 0, day="2026-03-01")  # a stale copy of the day: the larger stays
    two.log_reading("w", 40, 200, day="2026-03-02")
    two.save()
    one.save_position("w", Position(0, 9, ""), progress=0.2, title="T", path="/x")  # paged later
    one.save()
    again = State.load(state_path)
    assert again.status("w") == "plan-to-read" and again.position("w") == Position(0, 9, "")
    assert again.full_stories()["w"]["days"] == {"2026-03-01": [30.2, 120], "2026-03-02": [40, 200]}


def test_set_status_stamps_it_and_finishing_records_the_date(state_path: Path) -> None:
    state = State.load(state_path)
    assert state.status("works/1") == ""
    state.save_position("works/1", Position(0, 0, ""), progress=0.1, title="T", path="/x")
    assert state.status("works/1") == "reading"
    state.set_status("works/1", "On hold")
    assert state.status("works/1") == "on-hold" and state.finished("works/1") == ""
    state.set_status("works/1", "finished")
    first = state.finished("works/1")
    state.set_status("works/1", "finished")  # finished again: the first date stays
    assert state.finished("works/1") == first
    state.save()
    data = read(file_of(state, "works/1"))
    assert data["status"] == "finished" and data["finished"] == first and data["status_changed"]
    with pytest.raises(ValueError):
        state.set_status("works/1", "abandoned")


def test_an_unchanged_file_is_not_parsed_again(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = State.load(state_path)
    for number in range(20):
        state.add_bookmark(f"s{number}", "m", Position(0, number))
    state.save()
    parses: list[str] = []
    real = disk.parse_story
    monkeypatch.setattr(disk, "parse_story", lambda text, where: parses.append(where) or real(text, where))
    again = State.load(state_path)  # a warm start: from the cache
    assert parses == [] and len(again.stories) == 20
    for offset in range(5):
        again.save_position("s1", Position(0, offset), progress=0, title="S", path="s")
        again.save()
    assert set(parses) == {file_of(again, "s1").name}  # every write re-reads the story's file
    parses.clear()
    other = State.load(state_path)
    other.add_bookmark("s2", "n", Position(0, 1))
    other.save()
    assert again.absorb(again.changes(again.look()))
    assert set(parses) == {
        file_of(again, "s2").name
    }  # only the file another reader changed (and its last good copy)


# Locking ---------------------------------------------------------------------------------


def test_lock_files_live_outside_the_state_folder(state_path: Path) -> None:
    state = State.load(state_path)
    state.add_bookmark("s", "m", Position())
    state.save()
    assert [p.name for p in state_path.iterdir()] == [state.names["s"]]
    assert (state.locks / f"{id_hash('s')}.lock").exists()
    assert not state.locks.is_relative_to(state_path)


def test_a_save_waits_for_another_readers_lock(state_path: Path) -> None:
    import fcntl

    state = State.load(state_path)
    state.add_bookmark("s", "m", Position())
    held = hold_lock(state, "s")
    released = threading.Timer(0.3, lambda: fcntl.flock(held, fcntl.LOCK_UN))
    released.start()
    try:
        started = time.monotonic()
        state.save()
        assert time.monotonic() - started >= 0.25
    finally:
        released.join()
        os.close(held)
    assert State.load(state_path).bookmarks("s")


def test_a_lock_kept_too_long_raises_lock_busy_and_writes_nothing(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("s", Position(0, 1), progress=0, title="S", path="s")
    state.save()
    before = file_of(state, "s").read_bytes()
    state.add_bookmark("s", "m", Position(0, 2))
    state.save_position("t", Position(0, 1), progress=0, title="T", path="t")
    held = hold_lock(state, "s")
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy):
            state.save(timeout=0.2)
        assert 0.2 <= time.monotonic() - started < 1.5
        assert file_of(state, "s").read_bytes() == before  # not written unmerged
        assert state.dirty == {"s"}  # still to be written
        assert State.load(state_path).position("t") == Position(0, 1)  # the others were
    finally:
        os.close(held)
    state.save()
    assert not state.dirty and State.load(state_path).bookmarks("s")


def test_where_locks_are_unsupported_a_save_merges_and_replaces_only_an_unchanged_file(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(disk, "fcntl", None)
    mine, theirs = State.load(state_path), State.load(state_path)
    mine.add_bookmark("s", "mine", Position(0, 1))
    mine.save()
    theirs.add_bookmark("s", "theirs", Position(0, 2))
    real = saving._merged_with_disk
    calls: list[int] = []

    def another_writer_meanwhile(job, path):  # type: ignore[no-untyped-def]
        found = real(job, path)
        if not calls:  # between this reader's read and its replace, another writes the file
            other = State.load(state_path)
            other.add_bookmark("s", "in between", Position(0, 3))
            monkeypatch.setattr(saving, "_merged_with_disk", real)
            other.save()
            monkeypatch.setattr(saving, "_merged_with_disk", another_writer_meanwhile)
        calls.append(1)
        return found

    monkeypatch.setattr(saving, "_merged_with_disk", another_writer_meanwhile)
    theirs.save()
    assert len(calls) == 2  # read, found changed, read again
    assert {b.name for b in State.load(state_path).bookmarks("s")} == {"mine", "theirs", "in between"}


def test_a_file_system_that_refuses_flock_still_saves(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    def no_locks(*args: object) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    one, two = State.load(state_path), State.load(state_path)
    one.add_bookmark("s", "m", Position())
    one.save()
    two.add_bookmark("s", "n", Position(0, 1))
    two.save()
    assert len(State.load(state_path).bookmarks("s")) == 2


# A full or read-only disk ------------------------------------------------------------------


def failing(code: int):  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return broken


@pytest.mark.parametrize(
    ("holder", "name", "code"),
    [
        (saving, "write_atomic", errno.ENOSPC),
        (atomic_write.os, "replace", errno.EROFS),
        (atomic_write.os, "fsync", errno.ENOSPC),
        (atomic_write.tempfile, "mkstemp", errno.EROFS),
    ],
)
def test_a_full_or_read_only_disk_keeps_the_old_file_and_a_later_save_works(
    state_path: Path, monkeypatch: pytest.MonkeyPatch, holder: object, name: str, code: int
) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 1, "x"), progress=0, title="A", path="a")
    state.save()
    path = file_of(state, "a")
    before = path.read_bytes()
    with monkeypatch.context() as patch:
        patch.setattr(holder, name, failing(code))
        state.save_position("a", Position(0, 2, "y"), progress=0, title="A", path="a")
        with pytest.raises(OSError) as raised:
            state.save()
        assert raised.value.errno == code
        assert path.read_bytes() == before
        assert [p.name for p in state_path.iterdir()] == [path.name]  # no temp file left
        assert state.position("a") == Position(0, 2, "y") and state.dirty == {"a"}
    state.save()
    assert State.load(state_path).position("a") == Position(0, 2, "y")
