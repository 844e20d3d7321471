"""The state folder as a hostile user and a sync tool treat it: migration of the first
release's ``state.yaml``, conflict copies, damaged and cut-short files, bad values, odd places
named by ``--state``, links and permissions, the exit save, two stories of one file name."""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import shutil
import stat
import time
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import make_app, saved_to_disk, wait_for_page

from reader import cli
from reader.model import Position
from reader.state import State, StateFolderError, disk, saving
from reader.state.disk import DAMAGED, MERGED_CONFLICTS, file_name, id_hash
from reader.state.stats import daily_totals, finished_stories, speed, top_stories
from reader.ui.app import ReaderApp
from reader.ui.autosave import Autosave

STAMP = "2026-03-01T10:00:00+01:00"
LATER = "2026-03-01T11:00:00+01:00"


def story_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".yaml")


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def put(folder: Path, story_id: str, body: str, title: str = "Story") -> Path:
    """A story file written by hand (or by another device) into the state folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(title, story_id)
    path.write_text(f"version: 2\nid: {story_id}\n{body}", encoding="utf-8")
    return path


def everything(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed), by relative path."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = (
                os.readlink(path) if path.is_symlink() else path.read_bytes()
            )
    return found


# Migration of the first release's state.yaml ---------------------------------------------

V1 = """\
version: 1
stories:
  what-the-static-keeps.txt:
    title: What the Static Keeps
    author: Ann Example
    path: /nowhere/library/what-the-static-keeps.txt
    position:
      chapter: 2
      offset: 340
      snippet: She turned
    progress: 0.25
    last_read: '2026-03-01T10:00:00.125+01:00'
    reading_time: 3600.5
    status: reading
    chapters: 9
    bookmarks:
    - name: The door
      position: {chapter: 2, offset: 500, snippet: The door}
      created: '2026-02-01T09:00:00+01:00'
    - name: Renamed later
      position: {chapter: 3, offset: 10, snippet: ''}
      created: '2026-02-02T09:00:00+01:00'
      renamed: '2026-02-03T09:00:00+01:00'
    deleted_bookmarks:
    - 2026-01-01T09:00:00+01:00 @ 1:5
    days:
      '2026-02-28': [1200.0, 5000]
      '2026-03-01': [600.5, 2400]
  https://archiveofourown.org/works/123:
    title: Salt Road
    author: quill
    path: /nowhere/library/salt-road.epub
    position: {chapter: 0, offset: 9, snippet: x}
    progress: 1.0
    last_read: '2026-03-02T10:00:00+01:00'
    status: finished
    status_changed: '2026-03-02T10:00:00+01:00'
    finished: '2026-03-02T10:00:00+01:00'
  old/moved.txt:
    title: Moved Story
    position: {chapter: 1, offset: 1, snippet: old}
    last_read: '2026-01-01T10:00:00+01:00'
    reading_time: 100
    bookmarks:
    - name: from before the move
      position: {chapter: 1, offset: 2, snippet: ''}
      created: '2026-01-01T10:00:00+01:00'
    days:
      '2026-01-01': [100, 400]
  new/moved.txt:
    title: Moved Story
    position: {chapter: 4, offset: 44, snippet: new}
    last_read: '2026-03-03T10:00:00+01:00'
    reading_time: 50
    status: On hold
    status_changed: '2026-03-03T10:00:00+01:00'
    days:
      '2026-03-03': [50, 100]
  what-the-static-keeps.txt:
    title: What the Static Keeps
    bookmarks:
    - name: From the second entry
      position: {chapter: 5, offset: 5, snippet: ''}
      created: '2026-02-05T09:00:00+01:00'
    - name: Deleted on another device
      position: {chapter: 1, offset: 5, snippet: ''}
      created: '2026-01-01T09:00:00+01:00'
    days:
      '2026-02-27': [30, 90]
moved:
  old/moved.txt: new/moved.txt
"""


def check_v1_carried_over(state: State) -> None:
    static = "what-the-static-keeps.txt"
    assert state.position(static) == Position(2, 340, "She turned")
    assert state.progress(static) == 0.25 and state.last_read(static) == "2026-03-01T10:00:00.125+01:00"
    record = state.record(static)
    assert record["reading_time"] == 3600.5 and record["chapters"] == 9 and record["author"] == "Ann Example"
    assert record["path"] == "/nowhere/library/what-the-static-keeps.txt"
    assert sorted(b.name for b in state.bookmarks(static)) == [
        "From the second entry",  # from the key written twice
        "Renamed later",
        "The door",
    ]  # and the one deleted elsewhere stays deleted
    assert record["bookmarks"][1]["renamed"] == "2026-02-03T09:00:00+01:00"
    assert record["deleted_bookmarks"] == ["2026-01-01T09:00:00+01:00 @ 1:5"]
    assert record["days"] == {
        "2026-02-27": [30, 90],
        "2026-02-28": [1200, 5000],
        "2026-03-01": [600.5, 2400],
    }
    url = "https://archiveofourown.org/works/123"
    assert state.status(url) == "finished" and state.finished(url) == "2026-03-02T10:00:00+01:00"
    assert state.record(url)["title"] == "Salt Road" and state.progress(url) == 1.0
    # The move: the old entry joined the new one, and the old id still leads to it.
    assert state.key("old/moved.txt") == "new/moved.txt" and "old/moved.txt" not in state.stories
    moved = state.record("new/moved.txt")
    assert state.position("new/moved.txt") == Position(4, 44, "new")  # read later
    assert [b.name for b in state.bookmarks("new/moved.txt")] == ["from before the move"]
    assert moved["days"] == {"2026-01-01": [100, 400], "2026-03-03": [50, 100]}
    assert moved["reading_time"] == 100 and state.status("new/moved.txt") == "on-hold"
    assert set(state.stories) == {static, url, "new/moved.txt"}


def test_the_first_releases_state_file_is_migrated_once_and_kept(state_path: Path) -> None:
    state_path.mkdir()
    (state_path / "state.yaml").write_text(V1, encoding="utf-8")
    (state_path / "state.yaml.bak").write_text("version: 1\nstories: {}\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and "3 stories" in state.warning and "state.yaml.v1" in state.warning
    check_v1_carried_over(state)
    assert (state_path / "state.yaml.v1").read_text(encoding="utf-8") == V1  # kept, byte for byte
    assert not (state_path / "state.yaml").exists()
    files = story_files(state_path)
    assert len(files) == 3 and all(read(p)["version"] == 2 for p in files)
    again = State.load(state_path)  # the next start: the folder, no second migration
    assert again.warning is None and not again.dirty
    check_v1_carried_over(again)
    assert story_files(state_path) == files


def test_a_second_old_file_migrated_again_doubles_nothing(state_path: Path) -> None:
    state_path.mkdir()
    (state_path / "state.yaml").write_text(V1, encoding="utf-8")
    State.load(state_path)
    # The old file comes back (synced from a machine still on the first release), with one more bookmark.
    extra = V1.replace(
        "    deleted_bookmarks:\n",
        "    - name: Added on the old machine\n"
        "      position: {chapter: 6, offset: 6, snippet: ''}\n"
        "      created: '2026-02-06T09:00:00+01:00'\n"
        "    deleted_bookmarks:\n",
        1,
    )
    (state_path / "state.yaml").write_text(extra, encoding="utf-8")
    state = State.load(state_path)
    static = state.record("what-the-static-keeps.txt")
    assert len(static["bookmarks"]) == 4 and len({b["name"] for b in static["bookmarks"]}) == 4
    assert static["reading_time"] == 3600.5  # not added up
    assert static["days"]["2026-02-28"] == [1200, 5000]
    assert state.record("new/moved.txt")["also"] == ["old/moved.txt"]
    assert len(story_files(state_path)) == 3
    assert (state_path / "state.yaml.v1").read_text(encoding="utf-8") == V1
    assert (state_path / "state.yaml.v1-1").read_text(encoding="utf-8") == extra


def test_a_yaml_path_given_as_state_migrates_into_a_folder_beside_it(tmp_path: Path) -> None:
    old = tmp_path / "somewhere" / "reading.yaml"
    old.parent.mkdir()
    old.write_text(V1, encoding="utf-8")
    state = State.load(old)
    assert state.folder == tmp_path / "somewhere" / "reading"
    check_v1_carried_over(state)
    assert (tmp_path / "somewhere" / "reading.yaml.v1").read_text(encoding="utf-8") == V1
    state.add_bookmark("what-the-static-keeps.txt", "after the move", Position(7, 7))
    state.save()
    again = State.load(old)  # the same --state reading.yaml, later: the folder is found
    assert again.folder == state.folder and again.warning is None
    assert len(again.bookmarks("what-the-static-keeps.txt")) == 4


def test_a_yaml_path_given_as_state_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    shutil.copy(SAMPLE / "what-the-static-keeps.txt", library)
    old = tmp_path / "reading.yaml"  # the story is still where the old state says: known by its content now
    old.write_text(V1.replace("/nowhere/library", str(library)), encoding="utf-8")
    for _ in range(2):
        assert cli.main(["list", "--json", "--library", str(library), "--state", str(old)]) == 0
    out = capsys.readouterr()
    assert "now lives in" in out.err and out.err.count("now lives in") == 1  # migrated once
    assert len(story_files(tmp_path / "reading")) == 3
    (row,) = yaml.safe_load(out.out.split("\n]\n")[0] + "\n]")
    assert row["progress"] == 0.25  # the story found its record by its old path id


def test_a_corrupt_old_file_is_set_aside_and_its_backup_migrated(state_path: Path) -> None:
    state_path.mkdir()
    torn = "version: 1\nstories:\n  a.txt: {title: A, position: [torn"
    (state_path / "state.yaml").write_text(torn, encoding="utf-8")
    (state_path / "state.yaml.bak").write_text(V1, encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and "moved to" in state.warning and "restored from the backup" in state.warning
    check_v1_carried_over(state)
    (aside,) = state_path.glob("state.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == torn
    assert (state_path / "state.yaml.bak.v1").read_text(encoding="utf-8") == V1
    check_v1_carried_over(State.load(state_path))


def test_a_yaml_file_that_is_not_a_reading_state_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("shopping:\n- bread\n- tea\ntheme: dark\n", encoding="utf-8")
    with pytest.raises(StateFolderError, match="not a reading state"):
        State.load(notes)
    assert notes.read_text(encoding="utf-8") == "shopping:\n- bread\n- tea\ntheme: dark\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "notes.yaml"]
    # In the state folder itself, a state.yaml is the reader's own, however broken: set aside.
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "state.yaml").write_text("theme: dark\n", encoding="utf-8")
    state = State.load(tmp_path / "state")
    assert state.warning and "moved to" in state.warning
    (aside,) = (tmp_path / "state").glob("state.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "theme: dark\n"


# Conflict copies of the sync tools --------------------------------------------------------

TOOLS = {
    "syncthing": "{stem}.sync-conflict-20261130-101112-ABCDEFG.yaml",
    "nextcloud": "{stem} (conflicted copy 2026-11-30 101112).yaml",
    "dropbox": "{stem} (Someone's conflicted copy 2026-11-30).yaml",
}


def saved_story(state_path: Path) -> tuple[State, Path, str]:
    """A story with a bookmark, and one deleted (its tombstone kept), saved."""
    state = State.load(state_path)
    state.save_position("s", Position(0, 10, "here"), progress=0.1, title="The Story", path="p")
    state.add_bookmark("s", "mine", Position(0, 11))
    gone = state.add_bookmark("s", "deleted here", Position(0, 12))
    state.save()
    copy_text = (state_path / state.names["s"]).read_text(encoding="utf-8")  # before the deletion
    state.delete_bookmark("s", gone)
    state.save()
    return state, state_path / state.names["s"], copy_text


def conflict_copy(path: Path, tool: str, text: str) -> Path:
    """What another device wrote meanwhile: read later, one more bookmark, the deleted one still."""
    record = yaml.safe_load(text)
    record["position"] = {"chapter": 3, "offset": 30, "snippet": "there"}
    record["last_read"] = "2099-01-01T00:00:00+00:00"
    record["bookmarks"].append(
        {"name": "theirs", "position": {"chapter": 3, "offset": 31, "snippet": ""}, "created": LATER}
    )
    copy = path.with_name(TOOLS[tool].format(stem=path.stem))
    copy.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return copy


def check_merged(state: State, path: Path) -> None:
    assert state.position("s") == Position(3, 30, "there")  # read later: its place wins
    assert sorted(b.name for b in state.bookmarks("s")) == ["mine", "theirs"]  # the deleted stays deleted
    on_disk = read(path)
    assert on_disk["position"]["offset"] == 30
    assert sorted(b["name"] for b in on_disk["bookmarks"]) == ["mine", "theirs"]


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_a_conflict_copy_found_at_start_is_merged_then_moved_aside(state_path: Path, tool: str) -> None:
    _, path, text = saved_story(state_path)
    copy = conflict_copy(path, tool, text)
    copy_text = copy.read_text(encoding="utf-8")
    state = State.load(state_path)
    notices = state.pop_notices()
    assert len(notices) == 1 and copy.name in notices[0] and MERGED_CONFLICTS in notices[0]
    assert state.position("s") == Position(3, 30, "there")
    assert copy.exists()  # moved only once the merge is written
    state.save()
    check_merged(state, path)
    assert not copy.exists()
    (kept,) = (state_path / MERGED_CONFLICTS).iterdir()
    assert kept.read_text(encoding="utf-8") == copy_text  # never deleted
    assert not state.absorb(state.changes(state.look())) and state.pop_notices() == []
    check_merged(State.load(state_path), path)


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_a_conflict_copy_appearing_while_running_is_merged_and_told_once(state_path: Path, tool: str) -> None:
    state, path, text = saved_story(state_path)
    state.pop_notices()
    copy = conflict_copy(path, tool, text)
    assert state.absorb(state.changes(state.look()))
    assert state.position("s") == Position(3, 30, "there") and "s" in state.dirty
    (notice,) = state.pop_notices()
    assert copy.name in notice
    # Looked at again before the save is written (the app looks every two seconds): not told again.
    state.absorb(state.changes(state.look()))
    assert state.pop_notices() == []
    state.save()
    check_merged(state, path)
    assert not copy.exists() and len(list((state_path / MERGED_CONFLICTS).iterdir())) == 1
    state.absorb(state.changes(state.look()))
    assert state.pop_notices() == []


def test_a_conflict_copy_that_does_not_parse_is_left_and_told_once(state_path: Path) -> None:
    state, path, _ = saved_story(state_path)
    state.pop_notices()
    copy = path.with_name(TOOLS["syncthing"].format(stem=path.stem))
    copy.write_text("position: [torn", encoding="utf-8")
    for _ in range(3):
        state.absorb(state.changes(state.look()))
    notices = state.pop_notices()
    assert len(notices) == 1 and copy.name in notices[0]
    assert copy.read_text(encoding="utf-8") == "position: [torn"


def test_a_conflict_copy_holding_another_story_is_not_written_over_the_original(state_path: Path) -> None:
    state, path, _ = saved_story(state_path)
    copy = path.with_name(TOOLS["nextcloud"].format(stem=path.stem))
    copy.write_text(
        "version: 2\nid: stranger\ntitle: Stranger\nposition: {chapter: 8, offset: 8}\n", encoding="utf-8"
    )
    again = State.load(state_path)
    again.save()
    assert read(path)["id"] == "s" and read(path)["position"]["offset"] == 10
    (own,) = state_path.glob(f"stranger-{id_hash('stranger')}.yaml")
    assert read(own)["position"]["offset"] == 8 and not copy.exists()
    final = State.load(state_path)
    assert final.position("s") == Position(0, 10, "here") and final.position("stranger") == Position(8, 8)


SYNC_TOOL_FILES = {
    ".stfolder/marker": "garbage: [",
    ".stversions/the-story-0123456789ab~20261130-101112.yaml": "version: 2\nid: s\n{{",
    ".syncthing.the-story-0123456789ab.yaml.tmp": "version: 2\nid: [",
    ".dropbox": "{not: yaml",
    ".dropbox.cache/x.yaml": "[",
    ".sync_abc.db": "\x00\x01SQLite format 3",
    ".sync_abc.db-wal": "\x00",
    ".stignore": "*.tmp\n",
    "desktop.ini": "[.ShellClassInfo]\n",
}


def test_the_sync_tools_own_files_are_never_parsed_or_moved(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in SYNC_TOOL_FILES.items():
        (state_path / name).parent.mkdir(parents=True, exist_ok=True)
        (state_path / name).write_text(text, encoding="utf-8")
    before = everything(state_path)
    stamps = {name: os.stat(state_path / name).st_mtime_ns for name in SYNC_TOOL_FILES}
    parsed: list[str] = []
    real = disk.read_story
    monkeypatch.setattr(disk, "read_story", lambda path: parsed.append(path.name) or real(path))
    state, path, text = saved_story(state_path)  # accepted: a folder of the sync tools' files only
    conflict_copy(path, "syncthing", text)
    state.absorb(state.changes(state.look()))
    state.save()
    again = State.load(state_path)
    again.save_position("t", Position(0, 1), progress=0, title="T", path="t")
    again.save()
    assert not any(name.startswith(".") or name == "desktop.ini" for name in parsed)
    assert not any("stfolder" in n or "sync_" in n or "dropbox" in n for n in state.notices + again.notices)
    after = everything(state_path)
    assert {name: after[name] for name in SYNC_TOOL_FILES} == {name: before[name] for name in SYNC_TOOL_FILES}
    assert {name: os.stat(state_path / name).st_mtime_ns for name in SYNC_TOOL_FILES} == stamps


# Damage stays local ---------------------------------------------------------------------


def two_stories(state_path: Path) -> tuple[Path, Path]:
    state = State.load(state_path)
    state.save_position("s", Position(2, 40, "kept"), progress=0.5, title="Damaged", path="a", seconds=60)
    state.add_bookmark("s", "survivor", Position(2, 41))
    state.log_reading("s", 60, 200, day="2026-03-01")
    state.save_position("other", Position(1, 1, "o"), progress=0.1, title="Other", path="b")
    state.save()
    return state_path / state.names["s"], state_path / state.names["other"]


@pytest.mark.parametrize(
    "garbage",
    [
        "version: 2\nid: s\nposition: {chapter: 2, offset: 4",  # cut short, does not parse
        "\x00\x01\x02binary",
        "- a list\n- not a record\n",
        "version: 2\ntitle: no id\n",
        "",
    ],
)
def test_a_story_file_that_does_not_parse_is_moved_aside_and_its_last_good_copy_restored(
    state_path: Path, garbage: str
) -> None:
    path, other = two_stories(state_path)
    other_before = (other.read_bytes(), os.stat(other).st_mtime_ns)
    path.write_text(garbage, encoding="utf-8")
    state = State.load(state_path)
    notices = "\n".join(state.pop_notices())
    assert path.name in notices and "restored from its last good copy" in notices
    assert state.position("s") == Position(2, 40, "kept")
    assert [b.name for b in state.bookmarks("s")] == ["survivor"]
    (aside,) = (state_path / DAMAGED).iterdir()
    assert aside.read_text(encoding="utf-8") == garbage
    assert (other.read_bytes(), os.stat(other).st_mtime_ns) == other_before  # untouched
    # Nothing saved (``reader list``, or killed at once): the next start still has the story.
    again = State.load(state_path)
    assert again.position("s") == Position(2, 40, "kept") and len(again.bookmarks("s")) == 1
    again.save()
    assert read(path)["position"]["offset"] == 40 and read(path)["days"] == {"2026-03-01": [60, 200]}
    assert len(list((state_path / DAMAGED).iterdir())) == 1


def full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_story_file_that_parses_but_lost_bookmarks_and_days_is_merged_with_its_good_copy(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, other = two_stories(state_path)
    other_before = os.stat(other).st_mtime_ns
    cut = read(path)
    del cut["bookmarks"], cut["days"]
    cut["position"]["offset"] = 99  # a real change in it too
    path.write_text(yaml.safe_dump(cut), encoding="utf-8")
    with monkeypatch.context() as patch:  # the disk is full: the merge cannot be written yet
        patch.setattr(saving, "write_atomic", full_disk)
        state = State.load(state_path)
    (notice,) = state.pop_notices()
    assert "held less than its last good copy" in notice and "1 bookmark" in notice and "1 day" in notice
    assert [b.name for b in state.bookmarks("s")] == ["survivor"]
    assert state.record("s")["days"] == {"2026-03-01": [60, 200]} and state.position("s").offset == 99
    (aside,) = (state_path / DAMAGED).iterdir()
    assert "bookmarks" not in read(aside)  # kept as it was found
    assert os.stat(other).st_mtime_ns == other_before
    # Nothing could be written: the next start (which reads the folder through a cache)
    # checks the file again, finds what it lacks, and this time writes the merge at once.
    again = State.load(state_path)
    assert [b.name for b in again.bookmarks("s")] == ["survivor"] and "2026-03-01" in again.record("s")[
        "days"
    ]
    assert [b["name"] for b in read(path)["bookmarks"]] == ["survivor"] and read(path)["position"][
        "offset"
    ] == 99
    assert State.load(state_path).pop_notices() == []  # good now: nothing more to tell


def test_a_story_file_overwritten_with_another_storys_record_is_not_compared_with_it(
    state_path: Path,
) -> None:
    path, _ = two_stories(state_path)  # its last good copy: story "s", read later than "t" below
    path.write_text(
        "version: 2\nid: t\ntitle: T\nlast_read: '2026-01-01T10:00:00+01:00'\n"
        "position: {chapter: 0, offset: 7}\n",
        encoding="utf-8",
    )
    state = State.load(state_path)  # copied over it by hand: another story, not a loss of "s"
    assert state.position("t") == Position(0, 7) and "t" in state.dirty
    assert not any("held less" in n for n in state.pop_notices())
    state.save()
    assert State.load(state_path).position("t") == Position(0, 7)


def test_a_deleted_bookmarks_tombstone_is_not_loss(state_path: Path) -> None:
    path, _ = two_stories(state_path)
    elsewhere = State.load(state_path)  # another reader deletes the bookmark, as the user asked
    (mark,) = elsewhere.bookmarks("s")
    elsewhere.delete_bookmark("s", mark)
    elsewhere.save()
    state = State.load(state_path)
    assert state.pop_notices() == [] and state.bookmarks("s") == []
    assert not (state_path / DAMAGED).exists()
    state.save()
    assert read(path)["bookmarks"] == [] and read(path)["deleted_bookmarks"]


# Bad values never crash or freeze ---------------------------------------------------------

HOSTILE = """\
title: Hostile
author: 5
path: [not, text]
position: {chapter: 1, offset: .inf, snippet: x}
progress: .nan
last_read: '0001-01-01T00:00:00'
reading_time: .inf
status: {what: ever}
status_changed: '2026-03-01T10:00:00'
finished: 99999999999999999999999999999
chapters: -4
also: "not a list"
deleted_bookmarks: {a: 1}
bookmarks:
- name: good one
  position: {chapter: 0, offset: 1}
  created: '2026-03-01T10:00:00+01:00'
- name: infinite
  position: {chapter: .inf, offset: 1}
  created: '2026-03-01T10:00:00+01:00'
- name: naive
  position: {chapter: 0, offset: 2}
  created: '2026-03-01T10:00:00'
- just text
days:
  '2026-03-01': [.nan, 5]
  '2026-03-02': [.inf, .inf]
  '2026-02-30': [1, 1]
  '2026-03-03': [60, 500]
  yesterday: [1, 1]
  '2026-03-04': lots
"""


def check_nothing_crashes(state: State, library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    speed(state.stories)
    daily_totals(state.stories)
    finished_stories(state.stories)
    top_stories(state.stories, 10)
    for story_id in list(state.stories):
        state.position(story_id), state.bookmarks(story_id), state.progress(story_id)
        state.status(story_id), state.last_read(story_id), state.chapters_seen(story_id)
    state.most_recent()
    state.save()
    capsys.readouterr()
    assert cli.main(["list", "--library", str(library), "--state", str(state.folder)]) == 0
    assert "Traceback" not in capsys.readouterr().err


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    shutil.copy(SAMPLE / "what-the-static-keeps.txt", folder)
    return folder


def test_bad_values_in_a_story_file_are_dropped_with_a_notice(
    state_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(state_path, "hostile", HOSTILE)
    put(state_path, "fine", "title: Fine\nposition: {chapter: 0, offset: 3}\n", title="Fine")
    state = State.load(state_path)
    notices = state.pop_notices()
    for key in ("position", "progress", "last_read", "reading_time", "status", "finished", "chapters"):
        assert any(f"dropped {key} " in n for n in notices), key
    assert any("bookmarks[1]" in n for n in notices) and any("unreadable days" in n for n in notices)
    record = state.record("hostile")
    assert "position" not in record and "last_read" not in record and "reading_time" not in record
    assert [b.name for b in state.bookmarks("hostile")] == ["good one"]
    assert record["days"] == {"2026-03-03": [60.0, 500]}
    assert state.position("fine") == Position(0, 3)
    assert speed(state.stories).seconds == 60
    check_nothing_crashes(state, library, capsys)


def test_bad_values_synced_in_while_running_never_crash_the_reader_or_its_exit(
    state_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = State.load(state_path)
    state.save_position("hostile", Position(0, 5), progress=0.1, title="Hostile", path="p")
    state.save()
    path = state_path / state.names["hostile"]
    path.write_text(f"version: 2\nid: hostile\n{HOSTILE}", encoding="utf-8")
    state.save_position("hostile", Position(0, 6), progress=0.2, title="Hostile", path="p")  # unsaved
    state.absorb(state.changes(state.look()))
    assert any("dropped" in n for n in state.pop_notices())
    assert state.position("hostile") == Position(0, 6)
    check_nothing_crashes(state, library, capsys)
    assert State.load(state_path).position("hostile") == Position(0, 6)


def test_a_600_byte_alias_bomb_is_refused_at_once_and_the_rest_loads(state_path: Path) -> None:
    levels = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for before, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [{','.join(['*' + before] * 9)}]")
    bomb = "position:\n  chapter: 0\n  offset: 1\n  snippet:\n" + "".join(f"    {line}\n" for line in levels)
    assert len(bomb) < 700
    put(state_path, "bomb", bomb, title="Bomb")
    put(state_path, "fine", "title: Fine\nposition: {chapter: 0, offset: 3}\n", title="Fine")
    started = time.perf_counter()
    state = State.load(state_path)
    assert time.perf_counter() - started < 1.0
    assert "bomb" not in state.stories and state.position("fine") == Position(0, 3)
    assert any("alias" in n for n in state.pop_notices())


def test_a_duplicate_key_drops_that_value_with_a_notice_not_the_story(state_path: Path) -> None:
    put(
        state_path,
        "dup",
        "title: Dup\nposition: {chapter: 0, offset: 3}\nlast_read: '2026-03-01T10:00:00+01:00'\n"
        "bookmarks:\n- name: one\n  position: {chapter: 0, offset: 1}\n"
        "  created: '2026-03-01T10:00:00+01:00'\n"
        "position: {chapter: 9, offset: 9}\n",
        title="Dup",
    )
    state = State.load(state_path)
    assert state.position("dup") in (Position(0, 3), Position(9, 9))
    assert [b.name for b in state.bookmarks("dup")] == ["one"]
    assert any("position" in n and "twice" in n for n in state.pop_notices())
    state.save()


def test_a_story_file_name_that_is_not_utf8_never_stops_saving(state_path: Path) -> None:
    odd = os.fsdecode(b"/library/caf\xe9 cr\xe8me.txt")  # an old Latin-1 archive: surrogate escapes
    state = State.load(state_path)
    state.save_position("md5:1", Position(0, 5, "x"), progress=0.1, title=os.fsdecode(b"Caf\xe9"), path=odd)
    state.add_bookmark("md5:1", os.fsdecode(b"\xe9t\xe9"), Position(0, 1))
    state.save_position("md5:2", Position(0, 7), progress=0.1, title="Plain", path="/library/plain.txt")
    state.save()
    assert not state.dirty
    again = State.load(state_path)
    assert again.position("md5:1") == Position(0, 5, "x") and again.position("md5:2") == Position(0, 7)
    assert again.record("md5:1")["path"] == "/library/caf\ufffd cr\ufffdme.txt"
    assert [b.name for b in again.bookmarks("md5:1")] == ["\ufffdt\ufffd"]


# Any story file: load and save never raise, no file is lost ----------------------------

_hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["2026-03-01T10:00:00+01:00", "0001-01-01T00:00:00", "2026-02-30", "9999-12-31T23:59:59-14:00"]
    ),
    st.dates(),
    st.datetimes(),
)
_values = st.recursive(
    _hostile_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "title",
        "author",
        "path",
        "position",
        "progress",
        "last_read",
        "reading_time",
        "status",
        "status_changed",
        "finished",
        "chapters",
        "also",
        "bookmarks",
        "deleted_bookmarks",
        "days",
        "version",
        "fingerprint",
        "unknown",
    ]
)
_positions = st.fixed_dictionaries({"chapter": _values, "offset": _values}, optional={"snippet": _values})
_bookmarks = st.lists(
    st.fixed_dictionaries({"created": _values, "position": _positions | _values}, optional={"name": _values}),
    max_size=3,
)
_records = st.fixed_dictionaries(
    {},
    optional={
        "position": _positions | _values,
        "bookmarks": _bookmarks | _values,
        "days": st.dictionaries(st.dates() | st.text(max_size=12), _values, max_size=4) | _values,
    },
).flatmap(lambda fixed: st.dictionaries(_keys, _values, max_size=6).map(lambda rest: {**rest, **fixed}))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    records=st.lists(_records, min_size=1, max_size=4), mangle=st.sampled_from(["", "cut", "alias", "dup"])
)
def test_any_story_files_load_and_save_without_raising_or_losing_a_file(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict], mangle: str
) -> None:
    folder = tmp_path_factory.mktemp("state")
    for number, record in enumerate(records):
        story_id = f"story-{number}"
        text = yaml.safe_dump({"version": 2, **record, "id": story_id}, allow_unicode=True, sort_keys=False)
        if mangle == "cut" and number == 0:
            text = text[: len(text) // 2]
        elif mangle == "alias" and number == 0:
            text += "extra: &x [1]\nmore: *x\n"
        elif mangle == "dup" and number == 0:
            text += "title: again\n"
        (folder / file_name(f"s{number}", story_id)).write_text(text, encoding="utf-8")
    names = {p.name for p in folder.iterdir()}
    state = State.load(folder)
    for story_id in list(state.stories):
        state.position(story_id), state.bookmarks(story_id), state.status(story_id)
    speed(state.stories), daily_totals(state.stories), finished_stories(state.stories)
    top_stories(state.stories, 5)
    state.save_position("story-0", Position(0, 1), progress=0.5, title="S0", path="p")
    state.add_bookmark("story-0", "new", Position(0, 2))
    state.save()
    state.absorb(state.changes(state.look()))
    kept = {p.name for p in folder.iterdir() if p.is_file()}
    aside = (
        {p.name.split(".")[0] + ".yaml" for p in (folder / DAMAGED).glob("*")}
        if (folder / DAMAGED).exists()
        else set()
    )
    assert names <= kept | aside  # every file is still there, or kept aside
    again = State.load(folder)
    assert again.position("story-0") == Position(0, 1) and "new" in {
        b.name for b in again.bookmarks("story-0")
    }


# --state: the place named must be usable, and ours ------------------------------------------


def test_a_fifo_or_device_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for place in (fifo, Path("/dev/null"), tmp_path / "pipe.yaml"):
        if place.suffix == ".yaml":
            os.mkfifo(place)
        with pytest.raises(StateFolderError):
            State.load(place)
        for argv in (
            ["list", "--library", str(library), "--state", str(place)],
            ["--state", str(place), str(library)],
        ):
            assert cli.main(argv) == 2
            err = capsys.readouterr().err
            assert err.startswith("reader: ") and str(place) in err and "Traceback" not in err
        assert stat.S_ISFIFO(os.stat(place).st_mode) or stat.S_ISCHR(os.stat(place).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "lib", "pipe", "pipe.yaml"]


def test_a_folder_of_somebody_elses_files_is_refused_and_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "Documents"
    (folder / "taxes").mkdir(parents=True)
    (folder / "letter.txt").write_text("Dear …", encoding="utf-8")
    (folder / "taxes" / "2026.yaml").write_text("owed: 0\n", encoding="utf-8")
    (folder / "config.yaml").write_text("theme: dark\n", encoding="utf-8")
    before = everything(folder)
    with pytest.raises(StateFolderError, match="letter.txt"):
        State.load(folder)
    assert everything(folder) == before and sorted(os.listdir(folder)) == [
        "config.yaml",
        "letter.txt",
        "taxes",
    ]


def test_a_folder_holding_only_the_sync_tools_files_is_accepted(state_path: Path) -> None:
    (state_path / ".stfolder").mkdir(parents=True)
    (state_path / ".stignore").write_text("", encoding="utf-8")
    (state_path / ".dropbox").write_text("{}", encoding="utf-8")
    state = State.load(state_path)
    state.add_bookmark("s", "m", Position())
    state.save()
    assert len(story_files(state_path)) == 1 and (state_path / ".stfolder").is_dir()
    State.load(state_path)  # and again, now that it holds our files too


def test_a_linked_state_folder_and_a_linked_story_file_are_written_through(tmp_path: Path) -> None:
    real = tmp_path / "Sync" / "reader-state"
    real.mkdir(parents=True)
    link = tmp_path / "state-link"
    link.symlink_to(real, target_is_directory=True)
    state = State.load(link)
    state.save_position("a", Position(0, 1), progress=0, title="A", path="a")
    state.save_position("b", Position(0, 1), progress=0, title="B", path="b")
    state.save()
    assert link.is_symlink() and len(story_files(real)) == 2
    # One story's file is itself a link into another synced folder.
    elsewhere = tmp_path / "Dropbox" / "b.yaml"
    elsewhere.parent.mkdir()
    b_file = real / state.names["b"]
    shutil.move(b_file, elsewhere)
    b_file.symlink_to(elsewhere)
    state = State.load(link)
    state.save_position("a", Position(0, 2), progress=0, title="A", path="a")
    state.save_position("b", Position(0, 2), progress=0, title="B", path="b")
    state.save()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert b_file.is_symlink() and os.readlink(b_file) == str(elsewhere)
    assert (
        read(elsewhere)["position"]["offset"] == 2
        and read(real / state.names["a"])["position"]["offset"] == 2
    )
    assert [p.name for p in real.iterdir() if p.name.endswith(".tmp")] == []
    assert State.load(link).position("b") == Position(0, 2)


def test_a_story_files_permissions_survive_a_save_and_a_new_file_follows_the_umask(state_path: Path) -> None:
    old_mask = os.umask(0o027)
    try:
        state = State.load(state_path)
        state.save_position("a", Position(0, 1), progress=0, title="A", path="a")
        state.save()
        path = state_path / state.names["a"]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640  # 0666 & ~umask, not 0600
        os.umask(0o022)
        state.save_position("b", Position(0, 1), progress=0, title="B", path="b")
        state.save()
        assert stat.S_IMODE(os.stat(state_path / state.names["b"]).st_mode) == 0o644
        os.chmod(path, 0o604)
        state.save_position("a", Position(0, 2), progress=0, title="A", path="a")
        state.save()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o604 and read(path)["position"]["offset"] == 2
    finally:
        os.umask(old_mask)


# The exit: a last save that fails says so, and where the emergency copy is ------------------


def test_a_failing_last_save_exits_non_zero_and_says_where_the_emergency_copy_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    story = tmp_path / "story.txt"
    shutil.copy(SAMPLE / "the-midwinter-menu.txt", story)
    state_path = tmp_path / "state"
    held: list[int] = []

    def run(app: ReaderApp) -> None:  # the session: a bookmark, while another reader holds the lock
        app.state.save_position("menu", Position(0, 5, "x"), progress=0.1, title="Menu", path=str(story))
        app.state.save()
        app.state.add_bookmark("menu", "made just before quitting", Position(0, 7))
        lock = app.state.locks / f"{id_hash('menu')}.lock"
        held.append(os.open(lock, os.O_RDWR | os.O_CREAT))
        fcntl.flock(held[0], fcntl.LOCK_EX)

    monkeypatch.setattr(ReaderApp, "run", run)
    try:
        started = time.monotonic()
        assert cli.main(["--state", str(state_path), str(story)]) == 1
        assert time.monotonic() - started < 4  # at most 2 s waiting for the lock
    finally:
        os.close(held[0])
    err = capsys.readouterr().err
    assert "could not save your place" in err and "emergency copy" in err
    copy = Path(err.split("an emergency copy of it is in ")[1].splitlines()[0])
    assert not copy.is_relative_to(state_path)
    saved = read(copy)
    assert saved["id"] == "menu" and [b["name"] for b in saved["bookmarks"]] == ["made just before quitting"]
    assert "bookmarks" not in read(state_path / file_name("Menu", "menu"))  # nothing written unmerged


def test_a_save_still_in_the_writer_thread_at_exit_is_not_lost(
    state_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = State.load(state_path)
    state.save_position("s", Position(0, 1), progress=0, title="S", path="s")
    state.save()
    slow: list[float] = []
    real_write = state.write

    def stuck_write(job, timeout=2.0):  # type: ignore[no-untyped-def]
        if not slow:  # the writer thread's first write: a file system that does not answer
            slow.append(time.monotonic())
            time.sleep(2.5)
        return real_write(job, timeout)

    state.write = stuck_write  # type: ignore[method-assign]
    autosave = Autosave(state, lambda message, error: None, lambda: None)

    async def session() -> None:
        autosave.start()
        state.add_bookmark("s", "confirmed on screen", Position(0, 2))
        autosave.flush()
        await asyncio.sleep(0.1)

    asyncio.run(session())  # the app's loop ends; the writer is still busy
    app = ReaderApp.__new__(ReaderApp)
    app.state, app.autosave = state, autosave
    lock = state.locks / f"{id_hash('s')}.lock"
    held = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        assert not app.save_now_quietly()
    finally:
        os.close(held)
    err = capsys.readouterr().err
    copy = Path(err.split("an emergency copy of it is in ")[1].splitlines()[0])
    assert [b["name"] for b in read(copy)["bookmarks"]] == ["confirmed on screen"]


# Two stories of one file name, opened directly -------------------------------------------


async def read_a_few_pages(story: Path, state_path: Path, pages: int) -> Position:
    app = make_app(state_path, story=story)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app)
        for _ in range(pages):
            await pilot.press("space")
        await saved_to_disk(pilot, app)
        place = app.screen.place
        await pilot.press("q")
    assert app.save_now_quietly()
    return place


async def reopened_at(story: Path, state_path: Path) -> Position:
    app = make_app(state_path, story=story)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app)
        place = app.screen.place
        await pilot.press("q")
    app.save_now_quietly()
    return place


async def test_a_story_whose_file_name_is_not_utf8_keeps_its_place(tmp_path: Path, state_path: Path) -> None:
    story = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt"))
    shutil.copy(SAMPLE / "the-midwinter-menu.txt", story)
    place = await read_a_few_pages(story, state_path, 3)
    assert place.offset > 0 and await reopened_at(story, state_path) == place


async def test_two_stories_named_story_txt_in_two_folders_keep_their_own_places(
    tmp_path: Path, state_path: Path
) -> None:
    a, b = tmp_path / "A" / "story.txt", tmp_path / "B" / "story.txt"
    for path, sample in ((a, "what-the-static-keeps.txt"), (b, "the-midwinter-menu.txt")):
        path.parent.mkdir()
        shutil.copy(SAMPLE / sample, path)
    a_place = await read_a_few_pages(a, state_path, 5)
    b_place = await read_a_few_pages(b, state_path, 2)
    assert a_place != b_place and a_place.offset > 0 and b_place.offset > 0
    assert await reopened_at(a, state_path) == a_place
    assert await reopened_at(b, state_path) == b_place
    assert len(story_files(state_path)) == 2
    assert {read(p)["title"] for p in story_files(state_path)} == {
        "What the Static Keeps",
        "The Midwinter Menu",
    }
