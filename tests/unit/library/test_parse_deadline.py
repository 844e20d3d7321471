"""Issue 13: a story whose parse takes longer than ``parse_seconds`` is abandoned in the
library's scan and the search index's build: its worker process is killed and replaced, its
entry says why, and the rest of the library goes on. The slow story is a real file: markdown
emphasis marks nested 300,000 deep (1.2 MB) take the linear parser ~3 s, against a limit of 1 s.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tests_support import processes, slow_story

from reader.formats import files
from reader.library import scanning, workers
from reader.library.listing import StoryEntry
from reader.library.scanning import scan, scan_batches
from reader.search.index import SearchIndex

LIMIT = 1


def story(path: Path, n: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Title: Story {n}\nAuthor: someone\n\nChapter 1\n\nThe owl {n} flew home.\n", encoding="utf-8"
    )
    return path


def children() -> list[int]:
    """This process's child processes but the resource tracker."""
    mine = os.getpid()
    return [
        pid for pid, parent, _, command in processes() if parent == mine and "resource_tracker" not in command
    ]


@pytest.fixture(autouse=True)
def one_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "PARSE_SECONDS", LIMIT)


def timed_scan(root: Path, cache: Path) -> tuple[list[StoryEntry], float]:
    start = time.monotonic()
    entries = scan(root, cache)
    return entries, time.monotonic() - start


def errors(entries: list[StoryEntry]) -> dict[str, str]:
    return {entry.path.name: entry.error for entry in entries if entry.error}


@pytest.mark.parametrize("count", [5, 40])  # few (a thread, then processes), many (processes)
def test_a_slow_story_is_abandoned_and_the_rest_listed(tmp_path: Path, count: int) -> None:
    root = tmp_path / "lib"
    for n in range(count):
        story(root / f"s{n:02d}.txt", n)
    slow_story(root / "s00-slow.md")
    entries, took = timed_scan(root, tmp_path / "c.sqlite3")
    assert len(entries) == count + 1
    assert errors(entries) == {
        "s00-slow.md": "s00-slow.md: took longer than 1 s to read, abandoned "
        "(parse_seconds in config.yaml sets the limit)"
    }
    assert took < LIMIT + 2
    assert children() == []


def test_a_slow_story_small_enough_for_the_thread_is_abandoned_there(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for n in range(5):
        story(root / f"s{n}.txt", n)
    slow_story(root / "a-slow.md", depth=200_000)  # 800 KB: parsed on the scan's thread, ~2 s
    assert os.path.getsize(root / "a-slow.md") <= scanning.ON_THREAD_BYTES
    entries, took = timed_scan(root, tmp_path / "c.sqlite3")
    assert list(errors(entries)) == ["a-slow.md"] and len(entries) == 6
    assert took < LIMIT + 2


def test_an_abandoned_story_is_remembered_until_its_file_or_the_limit_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = tmp_path / "lib", tmp_path / "c.sqlite3"
    for n in range(3):
        story(root / f"s{n}.txt", n)
    slow = slow_story(root / "slow.md")
    first, _ = timed_scan(root, cache)
    again, took = timed_scan(root, cache)
    assert again == first and "slow.md" in errors(again)
    assert took < 0.5  # from the cache: the limit is not spent on it again
    monkeypatch.setattr(files, "PARSE_SECONDS", 30)  # a higher limit: tried again, and read
    raised, took = timed_scan(root, cache)
    assert errors(raised) == {} and took > LIMIT
    monkeypatch.setattr(files, "PARSE_SECONDS", LIMIT)
    slow_story(slow, depth=300_001)  # the file changed: tried again
    changed, took = timed_scan(root, cache)
    assert "slow.md" in errors(changed) and took >= LIMIT
    slow.write_text("A quick story now.\n", encoding="utf-8")
    fixed, _ = timed_scan(root, cache)
    assert errors(fixed) == {} and {e.path.name: e.words for e in fixed}["slow.md"] == 4


def test_many_slow_stories_each_cost_the_limit_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every worker hangs at once, again and again: each is killed and replaced."""
    monkeypatch.setenv("READER_SCAN_WORKERS", "2")
    root = tmp_path / "lib"
    for n in range(30):
        story(root / f"s{n:02d}.txt", n)
    for n in range(6):
        slow_story(root / f"s{n:02d}-slow.md")
    entries, took = timed_scan(root, tmp_path / "c.sqlite3")
    assert len(entries) == 36 and sorted(errors(entries)) == [f"s{n:02d}-slow.md" for n in range(6)]
    assert took < 6 * LIMIT / 2 + 3  # two at a time, and a new worker for each
    assert children() == []


@pytest.mark.parametrize("kills", [1, 2])
def test_a_worker_killed_mid_story_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kills: int
) -> None:
    """``kill -9`` of the worker parsing a story: it is tried once more in a new worker; a
    story whose worker dies twice is given up with the reason."""
    monkeypatch.setattr(files, "PARSE_SECONDS", 60)
    monkeypatch.setenv("READER_SCAN_WORKERS", "2")
    root = tmp_path / "lib"
    for n in range(30):
        story(root / f"s{n:02d}.txt", n)
    slow = slow_story(root / "s15-slow.md", depth=100_000)  # ~1 s: time to kill its worker
    pool: list[Any] = []
    init = workers._Worker.__init__

    def keep(self: Any, *args: Any) -> None:
        init(self, *args)
        pool.append(self)

    monkeypatch.setattr(workers._Worker, "__init__", keep)
    killed: list[int] = []
    done = threading.Event()

    def killer() -> None:
        while not done.is_set() and len(killed) < kills:
            for worker in list(pool):
                held = worker.chunks
                pid = worker.process.pid
                if (
                    held
                    and held[0]
                    and held[0][0].path == slow
                    and worker.since is not None
                    and pid not in killed
                ):
                    time.sleep(0.1)
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.01)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        entries, _ = timed_scan(root, tmp_path / "c.sqlite3")
    finally:
        done.set()
        thread.join()
    assert len(killed) == kills and len(entries) == 31
    if kills == 1:
        assert errors(entries) == {}
    else:
        assert errors(entries) == {
            "s15-slow.md": "s15-slow.md: the process reading it ended unexpectedly, twice"
        }
    assert children() == []


def test_a_scan_told_to_stop_while_a_story_hangs_ends_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "PARSE_SECONDS", 60)
    root = tmp_path / "lib"
    for n in range(30):
        story(root / f"s{n:02d}.txt", n)
    slow_story(root / "s00-slow.md", depth=1_000_000)  # ~10 s
    stop = threading.Event()
    found: list[StoryEntry] = []
    start = time.monotonic()
    for batch in scan_batches(root, tmp_path / "c.sqlite3", should_stop=stop.is_set):
        found += batch.entries
        if len(found) == 30:
            stopped = time.monotonic()
            stop.set()
    assert len(found) == 30 and time.monotonic() - stopped < 0.5 and time.monotonic() - start < 8
    assert children() == []


def printing_reader(paths: list[Path], root: Path) -> list[StoryEntry]:
    """A chunk reader that writes to stdout and stderr, as a careless parser might."""
    print("NOISE on stdout")
    os.write(1, b"NOISE on fd 1\n")
    os.write(2, b"NOISE on fd 2\n")
    return scanning.read_chunk(paths, root)


def test_a_worker_that_prints_prints_nowhere(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "lib"
    paths = [story(root / f"s{n:02d}.txt", n) for n in range(30)]
    found = [
        entry for batch in scanning.parsed(root, paths, lambda: False, printing_reader) for entry in batch
    ]
    assert len(found) == 30
    out, err = capfd.readouterr()
    assert "NOISE" not in out + err


def test_the_index_build_abandons_a_slow_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lib"
    for n in range(5):
        story(root / f"s{n}.txt", n)
    slow_story(root / "slow.md")
    index = SearchIndex(root)
    try:
        start = time.monotonic()
        report = index.update()
        assert time.monotonic() - start < LIMIT + 3
        assert report.added == 5 and report.failed == 1
        assert len(index.search("owl")) == 5
        start = time.monotonic()
        again = index.update()  # the index remembers it as failed: not parsed again
        assert time.monotonic() - start < 0.5 and not again.added and not again.failed
        monkeypatch.setattr(files, "PARSE_SECONDS", 30)  # a higher limit: tried again, and read
        raised = index.update()
        assert raised.changed == 1 and not raised.failed
    finally:
        index.close()
    assert children() == []


def test_processes_that_cannot_start_leave_the_scan_to_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, *args: Any) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(workers._Worker, "__init__", broken)
    root = tmp_path / "lib"
    for n in range(30):
        story(root / f"s{n:02d}.txt", n)
    slow_story(root / "s00-slow.md")
    entries, took = timed_scan(root, tmp_path / "c.sqlite3")
    assert len(entries) == 31 and list(errors(entries)) == ["s00-slow.md"]
    assert took < LIMIT + 2  # the thread is left with the slow story; the rest on another
