from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from reader.state_merge import bookmark_key, merge_stories, merge_story

from reader import atomic_write, state_merge
from reader.model import Bookmark, Position
from reader.state import State


def test_round_trip(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position(
        "works/1", Position(2, 340, "She turned"), progress=0.25, title="T", path="/x/t.txt", seconds=30
    )
    state.add_bookmark("works/1", "Chapter 3, p. 2", Position(2, 500, "The door"))
    state.save()
    data = yaml.safe_load(state_path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    entry = data["stories"]["works/1"]
    assert entry["position"] == {"chapter": 2, "offset": 340, "snippet": "She turned"}
    assert entry["bookmarks"][0]["name"] == "Chapter 3, p. 2"
    again = State.load(state_path)
    assert again.position("works/1") == Position(2, 340, "She turned")
    assert again.bookmarks("works/1")[0].position == Position(2, 500, "The door")
    assert again.progress("works/1") == 0.25
    assert again.most_recent() == "works/1"
    assert again.stories["works/1"]["reading_time"] == 30


def test_previous_good_file_is_kept_as_bak(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 1), progress=0, title="A", path="a")
    state.save()
    first = state_path.read_text(encoding="utf-8")
    state.save_position("a", Position(0, 99), progress=0, title="A", path="a")
    state.save()
    assert state_path.with_name("state.yaml.bak").read_text(encoding="utf-8") == first


@pytest.mark.parametrize(
    "garbage", ["version: 1\nstories: [unclosed\n", "- just\n- a list\n", "\x00\x01binary", "stories: 5\n"]
)
def test_a_corrupt_file_is_moved_aside_and_a_fresh_state_starts(state_path: Path, garbage: str) -> None:
    state_path.write_text(garbage, encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and "moved to" in state.warning
    assert state.stories == {}
    aside = list(state_path.parent.glob("state.yaml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == garbage
    state.save_position("a", Position(), progress=0, title="A", path="a")
    state.save()
    assert aside[0].read_text(encoding="utf-8") == garbage  # never overwritten
    assert "a" in State.load(state_path).stories


def test_a_crash_during_a_write_leaves_the_old_file_intact(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 1, "x"), progress=0, title="A", path="a")
    state.save()
    before = state_path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_write.os, "fsync", crash)
    state.save_position("a", Position(0, 2, "y"), progress=0, title="A", path="a")
    with pytest.raises(OSError):
        state.save()
    assert state_path.read_bytes() == before
    assert [p.name for p in state_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_newer_version_is_left_untouched(state_path: Path) -> None:
    state_path.write_text("version: 2\nstories: {}\nfuture: true\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.read_only and "newer" in (state.warning or "")
    state.save_position("a", Position(), progress=0, title="A", path="a")
    state.save()
    assert state_path.read_text(encoding="utf-8") == "version: 2\nstories: {}\nfuture: true\n"


def test_unsafe_yaml_is_refused(state_path: Path) -> None:
    state_path.write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and state.stories == {}


def test_entries_for_missing_stories_survive_a_save(state_path: Path) -> None:
    state_path.write_text(
        "version: 1\nstories:\n  gone.txt:\n    title: Gone\n"
        "    position: {chapter: 1, offset: 5, snippet: x}\n",
        encoding="utf-8",
    )
    state = State.load(state_path)
    state.save_position("new.txt", Position(), progress=0, title="N", path="n")
    state.save()
    assert State.load(state_path).position("gone.txt") == Position(1, 5, "x")


def test_state_file_is_human_readable(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("Письмо.txt", Position(0, 3, "«Тася»"), progress=0.5, title="Письмо", path="p")
    state.save()
    text = state_path.read_text(encoding="utf-8")
    assert "«Тася»" in text and "\\u" not in text
    assert os.stat(state_path).st_size < 1000


# Merging copies: two readers sharing one file ------------------------------------------

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


def test_stamps_in_other_zones_compare_by_the_moment() -> None:
    # 10:30 in Tokyo is long before 10:00 in Paris the same day.
    tokyo = entry(1, "2026-03-01T10:30:00+09:00")
    paris = entry(2, "2026-03-01T10:00:00+01:00")
    assert merge_story(tokyo, paris)["position"]["offset"] == 2


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
    gone = mark(STAMP, 5, "gone")
    tombstone = bookmark_key(STAMP, 1, 5)
    mine = entry(1, LATER, bookmarks=[], deleted_bookmarks=[tombstone])
    theirs = entry(1, STAMP, bookmarks=[gone, mark(LATER, 6, "kept")])
    for merged in (merge_story(mine, theirs), merge_story(theirs, mine)):
        assert [b["name"] for b in merged["bookmarks"]] == ["kept"]
        assert merged["deleted_bookmarks"] == [tombstone]


def test_the_later_rename_wins() -> None:
    first = mark(STAMP, 5, "first name", renamed="2026-03-01T11:00:00+01:00")
    second = mark(STAMP, 5, "second name", renamed="2026-03-01T12:00:00+01:00")
    never = mark(STAMP, 5, "as created")
    assert (
        merge_story(entry(1, STAMP, bookmarks=[first]), entry(1, STAMP, bookmarks=[second]))["bookmarks"][0][
            "name"
        ]
        == "second name"
    )
    assert (
        merge_story(entry(1, STAMP, bookmarks=[second]), entry(1, STAMP, bookmarks=[first]))["bookmarks"][0][
            "name"
        ]
        == "second name"
    )
    assert (
        merge_story(entry(1, STAMP, bookmarks=[never]), entry(1, STAMP, bookmarks=[first]))["bookmarks"][0][
            "name"
        ]
        == "first name"
    )


def test_stories_of_either_copy_are_kept_and_moved_ones_join_their_new_id() -> None:
    mine = {"a": entry(1, STAMP), "new": entry(2, STAMP, reading_time=10)}
    theirs = {"b": entry(3, STAMP), "old": entry(4, LATER, reading_time=50)}
    merged = merge_stories(mine, theirs, {"old": "new"})
    assert set(merged) == {"a", "b", "new"}
    assert merged["new"]["position"]["offset"] == 4 and merged["new"]["reading_time"] == 50


def test_a_story_moved_back_and_forth_loses_nothing() -> None:
    merged = merge_stories({"x": entry(1, STAMP)}, {"y": entry(2, STAMP)}, {"x": "y", "y": "x"})
    assert set(merged) == {"x", "y"}


def test_merging_is_idempotent() -> None:
    mine = entry(
        1, LATER, reading_time=5, bookmarks=[mark(STAMP, 1)], deleted_bookmarks=[bookmark_key(LATER, 1, 2)]
    )
    theirs = entry(2, STAMP, reading_time=9, bookmarks=[mark(LATER, 2), mark(LATER, 3)])
    once = merge_story(mine, theirs)
    assert merge_story(once, theirs) == once and merge_story(once, mine) == once


# Two States on one file ------------------------------------------------------------------


def test_a_save_merges_what_another_reader_saved(state_path: Path) -> None:
    laptop, desktop = State.load(state_path), State.load(state_path)
    laptop.save_position("a.txt", Position(0, 10, "x"), progress=0.1, title="A", path="a")
    laptop.add_bookmark("shared", "from the laptop", Position(0, 1))
    laptop.save()
    desktop.save_position("b.txt", Position(0, 20, "y"), progress=0.2, title="B", path="b")
    desktop.add_bookmark("shared", "from the desktop", Position(0, 2))
    desktop.save()
    again = State.load(state_path)
    assert again.position("a.txt") == Position(0, 10, "x") and again.position("b.txt") == Position(0, 20, "y")
    assert {b.name for b in again.bookmarks("shared")} == {"from the laptop", "from the desktop"}
    assert desktop.position("a.txt") == Position(0, 10, "x")  # memory has it too


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
    here.save()
    assert not here.changed_on_disk()
    here.add_bookmark("s", "not saved yet", Position(0, 1))
    there = State.load(state_path)
    there.add_bookmark("s", "from there", Position(0, 2))
    there.save_position("t", Position(0, 3), progress=0, title="T", path="t")
    there.save()
    assert here.changed_on_disk()
    assert here.absorb(here.read_disk())
    assert {b.name for b in here.bookmarks("s")} == {"not saved yet", "from there"}
    assert here.position("t") == Position(0, 3)
    assert not here.changed_on_disk() and not here.absorb(here.read_disk())


def test_moved_stories_stay_moved_when_merged_with_an_older_copy(state_path: Path, tmp_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("old.txt", Position(0, 7), progress=0.5, title="T", path=str(tmp_path / "old.txt"))
    state.save()
    stale = State.load(state_path)
    assert state.reconcile([("new.txt", "T", "")]) == [("old.txt", "new.txt")]
    state.save()
    stale.save()
    again = State.load(state_path)
    assert set(again.stories) == {"new.txt"} and again.position("new.txt") == Position(0, 7)


def test_an_unchanged_file_is_not_parsed_again(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = State.load(state_path)
    for number in range(20):
        state.add_bookmark("s", f"m{number}", Position(0, number))
    state.save()
    parses: list[object] = []
    real_load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda *a, **k: parses.append(1) or real_load(*a, **k))
    for offset in range(10):
        state.save_position("s", Position(0, offset), progress=0, title="S", path="s")
        state.save()
    assert parses == []


# Locking ---------------------------------------------------------------------------------


def test_a_save_waits_for_another_readers_lock(state_path: Path) -> None:
    import fcntl

    state = State.load(state_path)
    state.add_bookmark("s", "m", Position())
    held = os.open(state.lock_path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
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


def test_saving_goes_on_where_locking_is_unsupported(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl

    def no_locks(*args: object) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    state = State.load(state_path)
    state.add_bookmark("s", "m", Position())
    state.save()
    monkeypatch.setattr(state_merge, "fcntl", None)
    state.add_bookmark("s", "n", Position(0, 1))
    state.save()
    assert len(State.load(state_path).bookmarks("s")) == 2


def test_a_lock_kept_too_long_is_given_up_on(state_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    monkeypatch.setattr(state_merge, "LOCK_TIMEOUT", 0.1)
    state = State.load(state_path)
    held = os.open(state.lock_path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        state.add_bookmark("s", "m", Position())
        started = time.monotonic()
        state.save()
        assert 0.1 <= time.monotonic() - started < 1.5
    finally:
        os.close(held)
    assert State.load(state_path).bookmarks("s")


# Faults ----------------------------------------------------------------------------------


def failing(call: Callable[..., Any], code: int, only: Path | None = None) -> Callable[..., Any]:
    def broken(*args: Any, **kwargs: Any) -> Any:
        if only is None or any(str(arg) == str(only) for arg in args):
            raise OSError(code, os.strerror(code))
        return call(*args, **kwargs)

    return broken


@pytest.mark.parametrize(
    ("target", "code", "main_only"),
    [
        ("replace", errno.EROFS, False),
        ("replace", errno.ENOSPC, True),  # the backup is written, the file itself is not
        ("fsync", errno.ENOSPC, False),
        ("mkstemp", errno.EROFS, False),
    ],
)
def test_a_full_or_read_only_disk_keeps_the_old_file_and_a_later_save_works(
    state_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, code: int, main_only: bool
) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 1, "x"), progress=0, title="A", path="a")
    state.save()
    state.save()
    before, backup = state_path.read_bytes(), state.backup_path.read_bytes()
    holder = atomic_write.tempfile if target == "mkstemp" else atomic_write.os
    real = getattr(holder, target)
    with monkeypatch.context() as patch:
        patch.setattr(holder, target, failing(real, code, only=state_path if main_only else None))
        state.save_position("a", Position(0, 2, "y"), progress=0, title="A", path="a")
        with pytest.raises(OSError) as raised:
            state.save()
        assert raised.value.errno == code
        assert state_path.read_bytes() == before
        assert state.backup_path.read_bytes() == (before if main_only else backup)
        assert [p.name for p in state_path.parent.iterdir() if p.name.endswith(".tmp")] == []
        assert state.position("a") == Position(0, 2, "y")  # memory keeps the place
    state.save()
    assert State.load(state_path).position("a") == Position(0, 2, "y")


# A corrupt file, a backup, a newer reader ------------------------------------------------


def test_a_corrupt_file_is_restored_from_a_backup_that_parses(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(2, 40, "kept"), progress=0.5, title="A", path="a")
    state.save()
    state.add_bookmark("a", "mark", Position(2, 41))
    state.save()  # state.yaml.bak now holds the first save
    state_path.write_text("stories: [torn\n", encoding="utf-8")
    restored = State.load(state_path)
    assert (
        restored.warning and "moved to" in restored.warning and "restored from the backup" in restored.warning
    )
    assert restored.position("a") == Position(2, 40, "kept")
    (aside,) = state_path.parent.glob("state.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "stories: [torn\n"
    assert State.load(state_path).position("a") == Position(2, 40, "kept")  # written back at once


def test_a_corrupt_file_with_a_corrupt_backup_starts_fresh(state_path: Path) -> None:
    state_path.write_text("stories: [torn\n", encoding="utf-8")
    state_path.with_name("state.yaml.bak").write_text("- not a state\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and "fresh state" in state.warning and state.stories == {}
    assert state_path.with_name("state.yaml.bak").read_text(encoding="utf-8") == "- not a state\n"


def test_a_file_that_turns_corrupt_meanwhile_is_set_aside_by_the_next_save(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 3), progress=0, title="A", path="a")
    state.save()
    state_path.write_text("{{{ torn by a sync", encoding="utf-8")
    state.save_position("a", Position(0, 4), progress=0, title="A", path="a")
    state.save()
    (notice,) = state.pop_notices()
    assert "moved to" in notice
    (aside,) = state_path.parent.glob("state.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "{{{ torn by a sync"
    assert State.load(state_path).position("a") == Position(0, 4)


def test_a_file_from_a_newer_reader_appearing_meanwhile_stops_saving(state_path: Path) -> None:
    state = State.load(state_path)
    state.save()
    future = "version: 7\nstories: {}\n"
    state_path.write_text(future, encoding="utf-8")
    assert state.changed_on_disk() and not state.absorb(state.read_disk())
    assert state.read_only and "newer" in state.pop_notices()[0]
    state.save_position("a", Position(), progress=0, title="A", path="a")
    state.save()
    assert state_path.read_text(encoding="utf-8") == future


def test_a_corrupt_file_is_never_moved_over_an_earlier_one(state_path: Path) -> None:
    for garbage in ("[one", "[two"):
        state_path.write_text(garbage, encoding="utf-8")
        State.load(state_path)
    assert sorted(p.read_text(encoding="utf-8") for p in state_path.parent.glob("state.yaml.corrupt-*")) == [
        "[one",
        "[two",
    ]


# Reading status ----------------------------------------------------------------------------


def test_set_status_stamps_it_and_finishing_records_the_date(state_path: Path) -> None:
    state = State.load(state_path)
    assert state.status("works/1") == ""
    state.save_position("works/1", Position(0, 0, ""), progress=0.1, title="T", path="/x")
    assert state.status("works/1") == "reading"
    state.set_status("works/1", "On hold")
    assert state.status("works/1") == "on-hold" and state.finished("works/1") == ""
    state.set_status("works/1", "finished")
    first = state.finished("works/1")
    assert first and state.stories["works/1"]["status_changed"] >= first
    state.set_status("works/1", "finished")  # finished again: the first date stays
    assert state.finished("works/1") == first
    state.save()
    data = yaml.safe_load(state_path.read_text(encoding="utf-8"))["stories"]["works/1"]
    assert data["status"] == "finished" and data["finished"] == first and data["status_changed"]
    with pytest.raises(ValueError):
        state.set_status("works/1", "abandoned")


def test_a_finish_undone_at_once_is_forgotten_but_not_one_undone_later(state_path: Path) -> None:
    state = State.load(state_path)
    state.set_status("a", "finished")
    state.set_status("a", "reading")  # a slip of the key
    assert state.finished("a") == "" and state.status("a") == "reading"
    state.stories["b"] = {"status": "finished", "finished": STAMP, "status_changed": STAMP}
    state.set_status("b", "reading")  # a re-read, long after
    assert state.finished("b") == STAMP and state.status("b") == "reading"


def test_the_later_status_change_wins_whatever_was_read_later() -> None:
    # Finished on one device; paged later on another that never saw the finish.
    mine = entry(1, LATER, status="reading")
    theirs = entry(2, STAMP, status="finished", status_changed=STAMP, finished=STAMP)
    for merged in (merge_story(mine, theirs), merge_story(theirs, mine)):
        assert merged["position"]["offset"] == 1  # the position still goes with last_read
        assert (merged["status"], merged["finished"]) == ("finished", STAMP)
    # Dropped later on the first device (after the finish): that wins, and the
    # finish stamp goes with it.
    again = entry(1, STAMP, status="dropped", status_changed=LATER)
    for merged in (merge_story(again, theirs), merge_story(theirs, again)):
        assert merged["status"] == "dropped" and "finished" not in merged
        assert merged["status_changed"] == LATER


def test_two_copies_of_the_file_keep_the_later_status(state_path: Path) -> None:
    one, two = State.load(state_path), State.load(state_path)
    one.save_position("w", Position(0, 5, ""), progress=0.1, title="T", path="/x")
    one.save()
    two.set_status("w", "plan-to-read")
    two.save()
    one.save_position("w", Position(0, 9, ""), progress=0.2, title="T", path="/x")  # paged later
    one.save()
    again = State.load(state_path)
    assert again.status("w") == "plan-to-read" and again.position("w") == Position(0, 9, "")


# The per-day reading log ---------------------------------------------------------------------


def test_days_merge_day_by_day_by_the_larger_of_each_field() -> None:
    mine = entry(1, LATER, days={"2026-03-01": [600, 100], "2026-02-01": [5, 5]})
    theirs = entry(2, STAMP, days={"2026-03-01": [300.5, 900], "2026-03-02": [7, 8]})
    for merged in (merge_story(mine, theirs), merge_story(theirs, mine)):
        assert merged["days"] == {"2026-02-01": [5, 5], "2026-03-01": [600, 900], "2026-03-02": [7, 8]}
    assert "days" not in merge_story(entry(1, LATER), entry(2, STAMP))


def test_two_readers_logging_different_stories_keep_both_logs(state_path: Path) -> None:
    one, two = State.load(state_path), State.load(state_path)
    one.log_reading("a", 30.25, 120, day="2026-03-01")
    one.save()
    two.log_reading("b", 40, 200, day="2026-03-01")
    two.log_reading("a", 5, 0, day="2026-03-01")  # a stale copy of "a": the larger stays
    two.save()
    again = State.load(state_path)
    assert again.stories["a"]["days"] == {"2026-03-01": [30.2, 120]}
    assert again.stories["b"]["days"] == {"2026-03-01": [40, 200]}
