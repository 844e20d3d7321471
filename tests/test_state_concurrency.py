"""Nothing lost: two reader processes on one state file, a file synced in from elsewhere,
a full or read-only disk, a corrupt file with a good backup — through State and the real app."""

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
from tests_support import make_app, open_story, wait_for_library

from reader.model import Position
from reader.state import State
from reader.ui import app as app_module

STORY = "what-the-static-keeps.txt"

#: One reader process: adds 50 bookmarks to a shared story and reads its own story,
#: saving after each step, as fast as it can.
WRITER = """
import sys, time
from pathlib import Path
from reader.model import Position
from reader.state import State

path, who, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
chapter = 1 if who == "b" else 0
while not go.exists():
    time.sleep(0.001)
state = State.load(path)
for number in range(50):
    state.add_bookmark("shared.txt", f"{who} {number}", Position(chapter, number, f"{who}{number}"))
    state.save_position(f"{who}.txt", Position(chapter, number), progress=number / 50, title=who, path=who)
    state.save()
"""


def test_two_processes_saving_at_once_lose_nothing(state_path: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(state_path), who, str(go)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    time.sleep(0.3)  # both started, both waiting for the word
    go.touch()
    reads = 0
    while any(writer.poll() is None for writer in writers):
        if state_path.exists():  # a reader never sees half a file
            data = yaml.safe_load(state_path.read_text(encoding="utf-8"))
            assert isinstance(data, dict) and data["version"] == 1
            reads += 1
        time.sleep(0.002)
    for writer in writers:
        assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
    state = State.load(state_path)
    assert state.warning is None and reads
    names = [mark.name for mark in state.bookmarks("shared.txt")]
    assert sorted(names) == sorted(f"{who} {n}" for who in "ab" for n in range(50))
    assert state.position("a.txt") == Position(0, 49) and state.position("b.txt") == Position(1, 49)
    assert yaml.safe_load(state.backup_path.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# Through the real app ------------------------------------------------------------------


def notices(app: app_module.ReaderApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


async def wait_until(pilot, condition, seconds: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("it never happened")


async def test_a_file_changed_by_another_reader_is_merged_in_while_reading(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "CHECK_INTERVAL", 0.1)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("space")
        await wait_until(
            pilot, lambda: state_path.exists() and STORY in state_path.read_text(encoding="utf-8")
        )
        # Changed in memory, not saved yet.
        mine = app.state.add_bookmark(STORY, "not saved yet", Position(0, 5))
        # Another device syncs its copy in.
        other = State.load(state_path)
        other.add_bookmark(STORY, "from the laptop", Position(0, 7))
        other.save_position("elsewhere.txt", Position(3, 30, "far"), progress=0.7, title="E", path="e")
        other.save()
        await wait_until(pilot, lambda: app.state.position("elsewhere.txt") is not None)
        assert {b.name for b in app.state.bookmarks(STORY)} == {"not saved yet", "from the laptop"}
        assert "not saved yet" not in state_path.read_text(encoding="utf-8")  # the check, not a save
        assert app.state.position(STORY) == app.screen.place
        await pilot.press("q", "q")
    saved = State.load(state_path)
    assert {b.name for b in saved.bookmarks(STORY)} == {mine.name, "from the laptop"}
    assert saved.position("elsewhere.txt") == Position(3, 30, "far")


async def test_the_library_shows_what_another_reader_read(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "CHECK_INTERVAL", 0.1)
    app = make_app(state_path)
    async with app.run_test(size=(120, 30)) as pilot:
        library = await wait_for_library(pilot, app)
        refreshed: list[int] = []
        real = library.refresh_rows
        monkeypatch.setattr(library, "refresh_rows", lambda: refreshed.append(1) or real())
        other = State.load(state_path)
        other.save_position(STORY, Position(0, 900, "x"), progress=0.4, title="T", path="p")
        other.save()
        await wait_until(pilot, lambda: bool(refreshed))
        assert app.state.progress(STORY) == 0.4


async def test_a_full_disk_warns_once_reading_goes_on_and_the_save_is_retried(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "RETRY_INTERVAL", 0.3)
    monkeypatch.setattr(app_module, "SAVE_INTERVAL", 0.1)
    real_replace = os.replace
    broken = [False]

    def replace(source: object, target: object) -> None:
        if broken[0] and str(target) == str(state_path):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        app.save_now()
        before = state_path.read_bytes()
        broken[0] = True
        for _ in range(3):
            await pilot.press("space")
            await pilot.pause(0.2)  # the debounced save, failing
        await pilot.press("m")  # a bookmark: saved at once, failing
        assert len(notices(app, "Not saved")) == 1
        assert "No space left" in notices(app, "Not saved")[0]
        assert state_path.read_bytes() == before  # nothing truncated, nothing half-written
        assert app.screen.ref.page == 3  # reading went on
        broken[0] = False  # space freed: the retry timer saves without a key press
        await wait_until(pilot, lambda: state_path.read_bytes() != before)
        assert any("saved again" in n.message for n in app._notifications)
        saved = State.load(state_path)
        assert saved.position(STORY) == app.screen.place and len(saved.bookmarks(STORY)) == 1
        assert len(notices(app, "Not saved")) == 1


async def test_a_read_only_folder_warns_and_keeps_the_file(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(app_module, "RETRY_INTERVAL", 0.2)
    monkeypatch.setattr(app_module, "SAVE_INTERVAL", 0.1)
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        app.save_now()
        before = state_path.read_bytes()

        def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
            raise OSError(errno.EROFS, "Read-only file system")

        with monkeypatch.context() as patch:
            patch.setattr(tempfile, "mkstemp", read_only)
            await pilot.press("space", "space")
            await pilot.pause(0.7)  # a debounced save and some retries, all failing
            assert len(notices(app, "Not saved")) == 1 and "Read-only" in notices(app, "Not saved")[0]
            assert state_path.read_bytes() == before
        await wait_until(pilot, lambda: state_path.read_bytes() != before)
        assert State.load(state_path).position(STORY) == app.screen.place


async def test_a_corrupt_file_is_restored_from_its_backup_and_the_user_told(state_path: Path) -> None:
    good = State.load(state_path)
    good.save_position(STORY, Position(0, 1200, "kept"), progress=0.2, title="T", path="p")
    good.add_bookmark(STORY, "survivor", Position(0, 1300))
    good.save()
    good.save()  # the backup now holds the same
    state_path.write_text("version: 1\nstories: {torn", encoding="utf-8")
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_library(pilot, app)
        (message,) = notices(app, "Reading state")
        assert "moved to" in message and "restored from the backup" in message
        assert [b.name for b in app.state.bookmarks(STORY)] == ["survivor"]
    (aside,) = state_path.parent.glob("state.yaml.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "version: 1\nstories: {torn"
    assert State.load(state_path).position(STORY) is not None


async def test_a_bookmark_deleted_in_the_app_stays_deleted(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("m", "space", "m")
        stale = State.load(state_path)  # another reader, with both bookmarks
        await pilot.press("B")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
    stale.save_position("other.txt", Position(), progress=0, title="O", path="o")
    stale.save()
    assert len(State.load(state_path).bookmarks(STORY)) == 1
