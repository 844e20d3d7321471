"""The library's metadata cache and scan_batches: hits by mtime and size, changes, removals,
additions, a damaged or older cache, batches covering each story once."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLE

from reader.library import cache as library_cache
from reader.library import scanning
from reader.library import workers as parsing
from reader.library.listing import ScanBatch, default_cache_path, read_entry, story_files
from reader.library.scanning import scan, scan_batches
from reader.search.index import SearchIndex, default_db_path


def story(path: Path, title: str, words: int = 20, author: str = "someone") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = " ".join(["word"] * words)
    path.write_text(
        f"Title: {title}\nAuthor: {author}\nFandom: Tests\n\nChapter 1\n\n{body}\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    for n in range(5):
        story(root / f"s{n}.txt", f"Story {n}")
    return root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths parsed (not taken from the cache) on this thread."""
    seen: list[Path] = []
    import reader.library.scanning as library  # where the scan looks read_entry up

    real = library.read_entry

    def spy(path: Path, root: Path) -> library.StoryEntry:
        seen.append(path)
        return real(path, root)

    monkeypatch.setattr(library, "read_entry", spy)
    return seen


def batches(root: Path, cache: Path) -> list[ScanBatch]:
    return list(scan_batches(root, cache))


def titles(found: list[ScanBatch]) -> dict[str, str]:
    return {e.path.name: e.title for b in found for e in b.entries}


def test_the_second_scan_comes_from_the_cache_in_one_final_batch(
    lib: Path, tmp_path: Path, parses: list[Path]
) -> None:
    cache = tmp_path / "cache.sqlite3"
    first = batches(lib, cache)
    assert len(parses) == 5
    parses.clear()
    second = batches(lib, cache)
    assert parses == []
    assert len(second) == 1 and second[0].final and second[0].done == second[0].total == 5
    assert titles(second) == titles(first) == {f"s{n}.txt": f"Story {n}" for n in range(5)}


def test_a_changed_file_is_parsed_again(lib: Path, tmp_path: Path, parses: list[Path]) -> None:
    cache = tmp_path / "cache.sqlite3"
    batches(lib, cache)
    parses.clear()
    target = lib / "s2.txt"
    stat = target.stat()
    story(target, "Renamed story")  # another size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the size tells
    found = batches(lib, cache)
    assert parses == [target]
    assert titles(found)["s2.txt"] == "Renamed story"
    parses.clear()
    same_size = story(lib / "s3.txt", "Story X")  # same size, newer mtime
    os.utime(same_size, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    found = batches(lib, cache)
    assert parses == [same_size]
    assert titles(found)["s3.txt"] == "Story X"


def test_a_sidecar_change_is_seen(lib: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    batches(lib, cache)
    (lib / "s1.yaml").write_text("title: From the sidecar\n", encoding="utf-8")
    assert titles(batches(lib, cache))["s1.txt"] == "From the sidecar"


def test_a_removed_file_is_dropped_and_an_added_one_picked_up(lib: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    batches(lib, cache)
    (lib / "s0.txt").unlink()
    story(lib / "deeper" / "new.txt", "Newcomer")
    found = batches(lib, cache)
    names = [e.path.name for b in found for e in b.entries]
    assert sorted(names) == ["new.txt", "s1.txt", "s2.txt", "s3.txt", "s4.txt"]
    assert found[-1].final and found[-1].total == 5
    with sqlite3.connect(cache) as conn:
        rows = {row[0] for row in conn.execute("SELECT path FROM library_entries")}
    assert rows == {"deeper/new.txt", "s1.txt", "s2.txt", "s3.txt", "s4.txt"}


def test_a_corrupt_cache_file_is_rebuilt(lib: Path, tmp_path: Path, parses: list[Path]) -> None:
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"this is not a database at all" * 100)
    assert len(scan(lib, cache)) == 5
    parses.clear()
    assert len(scan(lib, cache)) == 5
    assert parses == []  # the rebuilt cache serves the second scan


def test_an_unusable_cache_still_gives_the_library(lib: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    entries = scan(lib, blocked / "cache.sqlite3")  # its folder cannot be made
    assert [e.title for e in entries] == [f"Story {n}" for n in range(5)]


def test_a_cache_of_another_version_is_rebuilt(lib: Path, tmp_path: Path, parses: list[Path]) -> None:
    cache = tmp_path / "cache.sqlite3"
    batches(lib, cache)
    with sqlite3.connect(cache) as conn:
        conn.execute("UPDATE library_info SET value = '0/old' WHERE key = 'version'")
        conn.execute("UPDATE library_entries SET title = 'stale'")
    parses.clear()
    found = batches(lib, cache)
    assert len(parses) == 5
    assert "stale" not in titles(found).values()


def test_batches_cover_each_story_once_and_end_final(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lib"
    for n in range(40):
        story(root / f"group{n % 3}" / f"s{n:02d}.txt", f"Story {n}", words=2000 + n)
    monkeypatch.setattr(parsing, "BATCH_SECONDS", 0.0)  # a batch for every story parsed
    cache = tmp_path / "cache.sqlite3"
    story_files(root)[5].with_suffix(".txt").write_text(" ")  # an empty file: an entry with an error
    for run in range(2):
        found = batches(root, cache)
        paths = [e.path for b in found for e in b.entries]
        assert sorted(paths) == sorted(story_files(root)), run
        assert [b.final for b in found] == [False] * (len(found) - 1) + [True]
        assert all(b.total == 40 for b in found)
        dones = [b.done for b in found]
        assert dones == sorted(dones) and dones[-1] == 40
        assert sum(1 for e in (e for b in found for e in b.entries) if e.error) == 1
        if run == 0:
            assert len(found) > 3  # the cold scan came in pieces


def test_worker_processes_give_the_same_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lib"
    for n in range(30):
        story(root / f"s{n:02d}.txt", f"Story {n}", words=500 + n)
    monkeypatch.setenv("READER_SCAN_WORKERS", "2")
    monkeypatch.setattr(scanning, "PARALLEL_FROM", 10)
    pooled = scan(root, tmp_path / "a.sqlite3")
    monkeypatch.setenv("READER_SCAN_WORKERS", "0")
    alone = scan(root, tmp_path / "b.sqlite3")
    assert pooled == alone and len(pooled) == 30


def test_cached_entries_equal_freshly_parsed_ones(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    fresh = [read_entry(path, SAMPLE) for path in story_files(SAMPLE)]
    scan(SAMPLE, cache)
    cached = scan(SAMPLE, cache)
    assert cached == fresh
    assert any(e.metadata.get("tags") for e in cached)  # lists survive the JSON


def test_the_cache_shares_the_search_index_file(lib: Path) -> None:
    assert default_cache_path(lib) == default_db_path(lib)
    scan(lib)  # the cache makes the file first …
    index = SearchIndex(lib)
    report = index.update()  # … and the index keeps it and fills its own tables
    assert report.added == 5
    assert index.search("word")
    with sqlite3.connect(default_cache_path(lib)) as conn:
        assert conn.execute("SELECT count(*) FROM library_entries").fetchone()[0] == 5
    index.close()
    assert [e.title for e in scan(lib)] == [f"Story {n}" for n in range(5)]


def test_a_locked_cache_does_not_stop_the_scan(
    lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache.sqlite3"
    batches(lib, cache)
    story(lib / "s9.txt", "Late")
    monkeypatch.setattr(library_cache, "BUSY_MS", 1)
    monkeypatch.setattr(library_cache, "WAIT_MS", 50)
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the file for the whole scan
    try:
        found = batches(lib, cache)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert titles(found)["s9.txt"] == "Late"


def test_rows_written_while_the_file_was_busy_are_written_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[Path]
) -> None:
    root = tmp_path / "lib"
    for n in range(12):
        story(root / f"s{n:02d}.txt", f"Story {n}")
    cache = tmp_path / "cache.sqlite3"
    list(scan_batches(tmp_path / "empty-library", cache))  # makes the file
    monkeypatch.setattr(library_cache, "BUSY_MS", 1)
    monkeypatch.setattr(parsing, "BATCH_SECONDS", 0.0)
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the search index is writing …
    for batch in scan_batches(root, cache):
        if batch.done >= 6 and holder.in_transaction:
            holder.execute("ROLLBACK")  # … and is done half-way through the scan
    holder.close()
    parses.clear()
    again = batches(root, cache)
    assert parses == [] and len(again) == 1 and again[0].done == 12


def test_workers_start_under_a_captured_stderr(tmp_path: Path) -> None:
    """Textual replaces sys.stderr with a capture whose fileno() is -1; the worker processes
    must still start (once, they did not, and the error took the app down)."""
    import subprocess
    import sys

    root = tmp_path / "lib"
    for n in range(30):
        story(root / f"s{n:02d}.txt", f"Story {n}", words=300)
    script = f"""
import logging, sys
from pathlib import Path
from reader.library import scanning
from reader.library.scanning import scan

class Captured:
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

warnings = []
class Keep(logging.Handler):
    def emit(self, record): warnings.append(record.getMessage())
logging.getLogger("reader").addHandler(Keep())
scanning.PARALLEL_FROM = 10
real, sys.stderr = sys.stderr, Captured()
entries = scan(Path({str(root)!r}), Path({str(tmp_path / "c.sqlite3")!r}))
sys.stderr = real
print(len(entries), warnings)
"""
    env = dict(os.environ, READER_SCAN_WORKERS="2")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stdout.strip() == "30 []", done.stdout + done.stderr


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_scan_told_to_stop_ends_without_parsing_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    root = tmp_path / "lib"
    for n in range(60):
        story(root / f"s{n:02d}.txt", f"Story {n}", words=300)
    monkeypatch.setenv("READER_SCAN_WORKERS", workers)
    monkeypatch.setattr(scanning, "PARALLEL_FROM", 10)
    monkeypatch.setattr(parsing, "CHUNK", 1)
    import threading

    quit = threading.Event()
    found: list[ScanBatch] = []
    for batch in scan_batches(root, tmp_path / "c.sqlite3", should_stop=quit.is_set):
        found.append(batch)
        if batch.entries:
            quit.set()  # the first stories came: the app quits
    seen = sum(len(b.entries) for b in found)
    assert 0 < seen < 60
    assert not any(b.final for b in found)


def test_a_damaged_row_is_parsed_again(lib: Path, tmp_path: Path, parses: list[Path]) -> None:
    cache = tmp_path / "cache.sqlite3"
    batches(lib, cache)
    with sqlite3.connect(cache) as conn:
        conn.execute("UPDATE library_entries SET metadata = '{not json' WHERE path = 's3.txt'")
    parses.clear()
    found = batches(lib, cache)
    assert parses == [lib / "s3.txt"]
    assert titles(found)["s3.txt"] == "Story 3"
