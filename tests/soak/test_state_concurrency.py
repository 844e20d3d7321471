"""Nothing lost: three reader processes on one state folder (with and without a large state
beside), a file another reader changed while reading, a full or read-only disk, a damaged
file, a deletion — through State and the real app."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from tests_support import make_app, open_story, saved_stories, saved_to_disk, wait_for_library, wait_until

from reader import atomic_write
from reader.model import Position
from reader.state import State, saving
from reader.state.disk import DAMAGED, file_name
from reader.ui import app as app_module
from reader.ui import autosave

pytestmark = pytest.mark.soak  # the soak tier: run alone with `pytest -m soak`

STORY = "what-the-static-keeps.txt"
MARKS = 30

#: One reader process: adds bookmarks to a shared story and reads its own, saving after each
#: step, as fast as it can. Each process bookmarks its own chapter (two bookmarks made in the
#: same millisecond at the same place would be one bookmark).
WRITER = """
import sys, time
from pathlib import Path
from reader.model import Position
from reader.state import State


path, who, chapter, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.001)
state = State.load(path)
for number in range(int(sys.argv[5])):
    state.add_bookmark("shared", f"{who} {number}", Position(chapter, number, f"{who}{number}"))
    state.save_position(f"{who}-own", Position(chapter, number), progress=number / 50, title=who, path=who)
    state.save()
"""


def run_three_writers(state_path: Path, go: Path) -> float:
    """Start three writers at one word; while they run, check that the shared story's file is
    never seen half written. Returns the seconds they took."""
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(state_path), who, str(chapter), str(go), str(MARKS)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for chapter, who in enumerate("abc")
    ]
    time.sleep(0.5)  # all started, all waiting for the word
    started = time.monotonic()
    go.touch()
    shared = state_path / file_name("shared", "shared")
    reads = 0
    while any(writer.poll() is None for writer in writers):
        if shared.exists():
            data = yaml.safe_load(shared.read_text(encoding="utf-8"))
            assert isinstance(data, dict) and data["version"] == 2 and data["id"] == "shared"
            reads += 1
        time.sleep(0.002)
    took = time.monotonic() - started
    for writer in writers:
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
    assert reads
    return took


def check_nothing_lost(state_path: Path) -> None:
    state = State.load(state_path)
    assert state.warning is None and state.pop_notices() == []
    names = [mark.name for mark in state.bookmarks("shared")]
    assert sorted(names) == sorted(f"{who} {n}" for who in "abc" for n in range(MARKS))
    for chapter, who in enumerate("abc"):
        assert state.position(f"{who}-own") == Position(chapter, MARKS - 1)
    assert [p.name for p in state_path.iterdir() if p.name.endswith(".tmp")] == []
    assert not (state_path / DAMAGED).exists()


def test_three_processes_saving_at_once_lose_nothing(state_path: Path, tmp_path: Path) -> None:
    run_three_writers(state_path, tmp_path / "go")
    check_nothing_lost(state_path)
    assert len(list(state_path.glob("*.yaml"))) == 4


def large_state(folder: Path, stories: int = 5000) -> None:
    """``stories`` story files as a heavy reader has them: a bookmark and twenty days each."""
    folder.mkdir(parents=True)
    days = "".join(f"  '2025-{m:02d}-{d:02d}': [{60 * d}, {200 * d}]\n" for m in (1, 2) for d in range(1, 11))
    for number in range(stories):
        story_id = f"https://example.org/works/{number}"
        (folder / file_name(f"Story number {number}", story_id)).write_text(
            f"version: 2\nid: {story_id}\ntitle: Story number {number}\n"
            f"position: {{chapter: 1, offset: {number}}}\nlast_read: '2025-06-01T10:00:00+00:00'\n"
            "reading_time: 1200\nbookmarks:\n- name: m\n  position: {chapter: 1, offset: 5}\n"
            f"  created: '2025-05-01T10:00:00+00:00'\ndays:\n{days}",
            encoding="utf-8",
        )


def test_three_processes_with_a_large_state_present_lose_nothing_and_stay_quick(
    state_path: Path, tmp_path: Path
) -> None:
    large_state(state_path)
    assert len(State.load(state_path).stories) == 5000  # the first start reads them all
    before = {p.name: os.stat(p).st_mtime_ns for p in state_path.glob("*.yaml")}
    took = run_three_writers(state_path, tmp_path / "go")
    assert took < 10, f"three readers took {took:.1f} s"
    check_nothing_lost(state_path)
    after = {p.name: os.stat(p).st_mtime_ns for p in state_path.glob("*.yaml")}
    assert {name for name in before if after[name] != before[name]} == set()  # the others untouched
    assert len(after) == 5004


# Through the real app ------------------------------------------------------------------


def notices(app: app_module.ReaderApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


def story_file(state_path: Path) -> Path:
    (path,) = [
        p for p in state_path.glob("*.yaml") if STORY in str(yaml.safe_load(p.read_text()).get("path"))
    ]
    return path


async def test_a_file_changed_by_another_reader_is_merged_in_while_reading(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "CHECK_INTERVAL", 0.1)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        story_id = app.screen.story.id
        await pilot.press("space")
        await saved_to_disk(pilot, app)
        mine = app.state.add_bookmark(story_id, "not saved yet", Position(0, 5))  # in memory only
        other = State.load(state_path)  # another device syncs its copy in
        other.add_bookmark(story_id, "from the laptop", Position(0, 7))
        other.save_position("elsewhere", Position(3, 30, "far"), progress=0.7, title="E", path="e")
        other.save()
        await wait_until(pilot, lambda: app.state.position("elsewhere") is not None)
        assert {b.name for b in app.state.bookmarks(story_id)} == {"not saved yet", "from the laptop"}
        assert app.state.position(story_id) == app.screen.place
        await pilot.press("q", "q")
    app.save_now_quietly()
    saved = State.load(state_path)
    assert {b.name for b in saved.bookmarks(story_id)} == {mine.name, "from the laptop"}
    assert saved.position("elsewhere") == Position(3, 30, "far")


async def test_the_library_shows_what_another_reader_read(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "CHECK_INTERVAL", 0.1)
    app = make_app(state_path)
    async with app.run_test(size=(120, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        (entry,) = [e for e in library.entries if e.path.name == STORY]
        refreshed: list[int] = []
        real = library.refresh_rows
        monkeypatch.setattr(library, "refresh_rows", lambda: refreshed.append(1) or real())
        other = State.load(state_path)
        other.save_position(entry.id, Position(0, 900, "x"), progress=0.4, title="T", path=str(entry.path))
        other.save()
        await wait_until(pilot, lambda: bool(refreshed))
        assert app.state.progress(entry.id) == 0.4


async def test_a_full_disk_warns_once_reading_goes_on_and_the_save_is_retried(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autosave, "RETRY_INTERVAL", 0.3)
    monkeypatch.setattr(autosave, "SAVE_INTERVAL", 0.1)
    real_write = saving.write_atomic
    broken = [False]

    def write(path: Path, text: str, **kwargs: object) -> None:
        if broken[0] and Path(path).parent == state_path:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(saving, "write_atomic", write)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space")
        await saved_to_disk(pilot, app)
        path = story_file(state_path)
        before = path.read_bytes()
        broken[0] = True
        for _ in range(2):
            await pilot.press("space")
            await pilot.pause(0.2)  # the debounced save, failing
        await pilot.press("m")  # a bookmark: saved at once, failing
        await pilot.pause(0.2)
        assert len(notices(app, "Not saved")) == 1
        assert "No space left" in notices(app, "Not saved")[0]
        assert path.read_bytes() == before  # nothing truncated, nothing half-written
        assert app.screen.ref.page == 3  # reading went on
        broken[0] = False  # space freed: the retry timer saves without a key press
        await wait_until(pilot, lambda: path.read_bytes() != before)
        await saved_to_disk(pilot, app)
        assert any("saved again" in n.message for n in app._notifications)
        saved = State.load(state_path)
        story_id = app.screen.story.id
        assert saved.position(story_id) == app.screen.place and len(saved.bookmarks(story_id)) == 1
        assert len(notices(app, "Not saved")) == 1


async def test_a_read_only_folder_warns_and_keeps_the_file(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autosave, "RETRY_INTERVAL", 0.2)
    monkeypatch.setattr(autosave, "SAVE_INTERVAL", 0.1)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space")
        await saved_to_disk(pilot, app)
        path = story_file(state_path)
        before = path.read_bytes()

        def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
            raise OSError(errno.EROFS, "Read-only file system")

        with monkeypatch.context() as patch:
            patch.setattr(atomic_write.tempfile, "mkstemp", read_only)
            await pilot.press("space", "space")
            await pilot.pause(0.7)  # a debounced save and some retries, all failing
            assert len(notices(app, "Not saved")) == 1 and "Read-only" in notices(app, "Not saved")[0]
            assert path.read_bytes() == before
        await wait_until(pilot, lambda: path.read_bytes() != before)
        await saved_to_disk(pilot, app)
        assert State.load(state_path).position(app.screen.story.id) == app.screen.place


async def test_a_damaged_story_file_is_restored_from_its_last_good_copy_and_the_user_told(
    state_path: Path,
) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space", "m")
        await saved_to_disk(pilot, app)
        story_id = app.screen.story.id
        await pilot.press("q", "q")
    app.save_now_quietly()
    path = story_file(state_path)
    path.write_text("version: 2\nposition: {torn", encoding="utf-8")
    again = make_app(state_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for_library(pilot, again)
        message = "\n".join(notices(again, "Reading state"))
        assert "restored from its last good copy" in message and DAMAGED in message
        assert len(again.state.bookmarks(story_id)) == 1
    (aside,) = (state_path / DAMAGED).iterdir()
    assert aside.read_text(encoding="utf-8") == "version: 2\nposition: {torn"
    assert len(saved_stories(state_path)[STORY]["bookmarks"]) == 1


async def test_a_bookmark_deleted_in_the_app_stays_deleted(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        story_id = app.screen.story.id
        await pilot.press("m", "space", "m")
        await saved_to_disk(pilot, app)
        stale = State.load(state_path)  # another reader, with both bookmarks
        assert len(stale.bookmarks(story_id)) == 2
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
        await saved_to_disk(pilot, app)
    app.save_now_quietly()
    stale.entry(story_id)  # the stale reader writes the story (it still holds both bookmarks)
    stale.save_position("other", Position(), progress=0, title="O", path="o")
    stale.save()
    assert len(State.load(state_path).bookmarks(story_id)) == 1
    assert len(saved_stories(state_path)[STORY]["bookmarks"]) == 1
