"""The library at scale (issue 7): a generated 5,000-story library and the bundled sample.

Generates (once; reused while it matches) a deterministic library of 5,000 stories — txt,
html and epub, 2 KB to 4 MB, about 1 GB — with benchmarks/library_gen.py, then prints the
medians of several runs, for it and for the bundled sample library:

* in the process: the old full scan (every story parsed, no cache) next to the cold
  ``scan_batches`` (parsing in worker processes) and the warm one (metadata cache present,
  which is also what the library's re-scan every few seconds costs); scan throughput; sort
  and filter over the whole library with the library screen's own ``Shelf``;
* the real reader in a pseudo-terminal (80x24): time from start to the first rows and to
  the complete list on a cold start (empty cache folder), to a usable list on a warm start,
  peak memory (VmHWM) of the reader and of its parsing workers, keystroke to screen for
  sort and filter, and Enter on a story to its first page.

Usage: python benchmarks/library_scale.py [--stories N] [--runs N] [--folder DIR] [--no-pty]
       (--stories 300 for a quick run; the generated folder defaults to /tmp/reader-scale-bench,
       or /tmp/reader-scale-bench-N for another count)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from library_gen import generate  # noqa: E402
from open_book import Terminal  # noqa: E402

from reader.library.listing import StoryEntry, read_entry, story_files  # noqa: E402
from reader.library.scanning import scan_batches  # noqa: E402

SAMPLE = HERE.parent / "sample_library"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def timed(job: Callable[[], object]) -> float:
    start = time.perf_counter()
    job()
    return time.perf_counter() - start


# In the process ------------------------------------------------------------------------


def full_scan(root: Path) -> list[StoryEntry]:
    """What the library did before the cache: parse every story, one after the other."""
    return [read_entry(path, root) for path in story_files(root)]


def cold_scan(root: Path, cache: Path) -> tuple[float, float, list[StoryEntry]]:
    """(seconds to the first entries, seconds to the end, entries) of a scan with no cache."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    first, entries = None, []
    for batch in scan_batches(root, cache):
        entries += batch.entries
        if first is None and batch.entries:
            first = time.perf_counter() - start
    return first or 0.0, time.perf_counter() - start, entries


def core_figures(root: Path, runs: int, full_runs: int) -> tuple[dict[str, float], list[StoryEntry]]:
    folder = Path(tempfile.mkdtemp(prefix="reader-scale-"))
    cache = folder / "cache.sqlite3"
    try:
        full = [timed(lambda: full_scan(root)) for _ in range(full_runs)]
        colds = [cold_scan(root, cache) for _ in range(runs)]
        entries = colds[-1][2]
        warm = [timed(lambda: list(scan_batches(root, cache))) for _ in range(max(5, runs))]
        figures = {
            "stories": len(entries),
            "full": median(full),
            "cold_first": median([c[0] for c in colds]),
            "cold": median([c[1] for c in colds]),
            "warm": median(warm),
        }
        figures.update(sort_filter_figures(entries, runs=max(5, runs)))
        return figures, entries
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sort_filter_figures(entries: list[StoryEntry], runs: int) -> dict[str, float]:
    """The library screen's Shelf: a full sort per order right after a change of the
    reading state (a third of the stories read, so stamps to parse), and filters, over
    ``entries``."""
    from reader.library.shelf import Shelf
    from reader.state import State

    state = State(Path(tempfile.mkdtemp()) / "state.yaml")
    for n, entry in enumerate(entries[::3]):
        stamp = f"2025-{n % 12 + 1:02}-{n % 28 + 1:02}T{n % 24:02}:{n % 60:02}:00+02:00"
        state.stories[entry.id] = {"last_read": stamp, "progress": (n % 100) / 100}
    index = Shelf(state)
    index.merge(entries)
    sorts, filters = [], []
    for _ in range(runs):
        for order in ("recent", "title", "author", "length", "progress"):
            index.forget_state()
            sorts.append(timed(lambda order=order: index.view("", order, False)))
        for query in ("a", "ma", "mature", "zel qua", "complete"):
            filters.append(timed(lambda query=query: index.view(query, "title", False)))
    return {
        "sort": median(sorts),
        "sort_max": max(sorts),
        "filter": median(filters),
        "filter_max": max(filters),
    }


# The real reader in a pseudo-terminal ------------------------------------------------


class Reader(Terminal):
    """The reader in a pty, with its own cache, state and config folders; peak memory sampled."""

    def __init__(self, root: Path, home: Path) -> None:
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
        for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            env[name] = str(home / name.lower())
        env["READER_STATE"] = str(home / "state.yaml")
        env["READER_CONFIG"] = str(home / "config.yaml")
        script = Path(sys.executable).parent / "reader"
        argv = [str(script)] if script.exists() else [sys.executable, "-m", "reader"]
        super().__init__([*argv, str(root)], env)
        self.exited = False
        self.peaks: dict[int, int] = {}  # pid → VmHWM (kB), the reader and its descendants
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in [self.pid, *descendants(self.pid)]:
                peak = vm_hwm(pid)
                if peak:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)
            self._stop.wait(0.05)

    def quit_time(self, timeout: float = 60.0) -> float:
        """Seconds from pressing q until the reader process has exited."""
        self.send(b"q")
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exited = True
                return time.perf_counter() - start
            self.read(0.02)  # keep the terminal drained, as a terminal would
        raise TimeoutError(f"the reader was still running {timeout}s after q")

    def memory(self) -> tuple[float, float, int]:
        """(reader's peak MB, largest worker's peak MB, workers seen)."""
        own = self.peaks.get(self.pid, 0) / 1024
        others = [kb / 1024 for pid, kb in self.peaks.items() if pid != self.pid]
        return own, max(others, default=0.0), len(others)

    def close(self) -> None:
        self._stop.set()
        self._sampler.join()
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the reader and any worker still running
        except ProcessLookupError:
            pass
        if not self.exited:
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{parent}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found


def vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def pty_figures(root: Path, entries: list[StoryEntry], runs: int) -> dict[str, float]:
    """Start-up, memory, sort, filter and open times of the real reader, medians of ``runs``."""
    from reader.formats import load_story
    from reader.library.shelf import filter_text

    count = len(entries)
    first = min(entries, key=lambda e: (e.title.casefold(), e.path))  # the top row, never read
    story = load_story(first.path, root)
    paragraph = next(b.text for c in story.chapters for b in c.blocks if b.kind == "paragraph")
    page_marker = " ".join(paragraph.split()[:3])
    keys_typed = filter_keys([filter_text(e) for e in entries])
    total = (f"{count} stories", f"{count:,} stories")  # the count as the status bar writes it
    keys: dict[str, list[float]] = {
        name: []
        for name in (
            "first",
            "echo",
            "quit",
            "complete",
            "warm",
            "rss",
            "rss_warm",
            "worker",
            "open",
            "sort",
            "filter",
        )
    }
    workers_seen = 0
    for _ in range(runs):
        home = Path(tempfile.mkdtemp(prefix="reader-scale-home-"))
        try:
            reader = Reader(root, home)  # cold: an empty cache folder
            try:
                if count > 40:
                    reader.wait_for(f"of {count:,}", timeout=60)
                    keys["first"].append(time.perf_counter() - reader.started)
                    if count > 1000:  # typing into the filter while the scan goes on
                        time.sleep(1.0)
                        reader.send(b"/v")
                        time.sleep(0.3)
                        for typed in ("vx", "vxj", "vxjz"):
                            reader.send(typed[-1].encode())
                            keys["echo"].append(reader.wait_for(typed, timeout=30))
                        reader.send(b"\x1b")
                reader.wait_for(total, timeout=600)
                keys["complete"].append(time.perf_counter() - reader.started)
                time.sleep(0.3)
                own, worker, seen = reader.memory()
                keys["rss"].append(own)
                keys["worker"].append(worker)
                workers_seen = max(workers_seen, seen)
            finally:
                reader.close()
            reader = Reader(root, home)  # warm: the cache the first run filled
            try:
                reader.wait_for(total, timeout=60)
                keys["warm"].append(time.perf_counter() - reader.started)
                time.sleep(0.5)
                for name in ("title", "author", "length", "progress"):
                    reader.send(b"s")
                    keys["sort"].append(reader.wait_for(f"by {name}", timeout=30))
                for _ in range(2):  # back to "recent", the order the top row was chosen in
                    reader.send(b"s")
                time.sleep(0.3)
                reader.send(b"/")
                time.sleep(0.3)
                for typed in (keys_typed[:1], keys_typed):
                    reader.send(typed[-1].encode())
                    keys["filter"].append(reader.wait_for(of_total(shown(entries, typed), count), timeout=30))
                reader.send(b"\x1b")  # clear the filter
                reader.wait_for(total, timeout=30)
                keys["rss_warm"].append(reader.memory()[0])
            finally:
                reader.close()
            reader = Reader(root, home)  # warm again: Enter on the top row
            try:
                reader.wait_for(total, timeout=60)
                keys["warm"].append(time.perf_counter() - reader.started)
                time.sleep(0.3)
                reader.send(b"\r")
                keys["open"].append(reader.wait_for(page_marker, timeout=60))
            finally:
                reader.close()
            if count > 1000:  # q in the middle of a cold scan: how long until the reader is gone
                shutil.rmtree(home / "xdg_cache_home", ignore_errors=True)
                reader = Reader(root, home)
                try:
                    reader.wait_for(f"of {count:,}", timeout=60)
                    time.sleep(1.0)
                    keys["quit"].append(reader.quit_time())
                finally:
                    reader.close()
        finally:
            shutil.rmtree(home, ignore_errors=True)
    figures = {name: median(values) for name, values in keys.items()}
    figures["workers"] = workers_seen
    return figures


def filter_keys(texts: list[str]) -> str:
    """Two letters to type into the filter, each of which changes how many stories are shown."""
    total = len(texts)
    for word in ("zel", "qua", "xa", "wy", "yor", "ven", "ka", "ri", "ta", "po", "st"):
        one = sum(1 for t in texts if word[0] in t)
        two = sum(1 for t in texts if word[:2] in t)
        if 0 < two < one < total:
            return word[:2]
    return "zz"


def of_total(shown: int, count: int) -> tuple[str, str]:
    return f"{shown} of {count} stories", f"{shown:,} of {count:,} stories"


def shown(entries: list[StoryEntry], query: str) -> int:
    from reader.library.shelf import filter_text

    words = query.casefold().split()
    return sum(1 for e in entries if all(w in filter_text(e) for w in words))


# Report --------------------------------------------------------------------------------


def report(name: str, core: dict[str, float], tty: dict[str, float] | None) -> None:
    stories = int(core["stories"])
    print(f"\n{name}: {stories:,} stories")
    rows = [
        (
            "old full scan (parse all, one thread)",
            ms(core["full"]),
            f"{stories / core['full']:,.0f} stories/s",
        ),
        ("cold scan_batches: first entries", ms(core["cold_first"]), ""),
        ("cold scan_batches: all", ms(core["cold"]), f"{stories / core['cold']:,.0f} stories/s"),
        (
            "warm scan_batches (= a re-scan)",
            ms(core["warm"]),
            f"{core['full'] / core['warm']:,.0f}x faster than the full scan",
        ),
        ("sort, whole library (Shelf)", ms(core["sort"]), f"max {ms(core['sort_max'])}"),
        ("filter, whole library (Shelf)", ms(core["filter"]), f"max {ms(core['filter_max'])}"),
    ]
    if tty is not None:
        rows += [
            (
                "reader: cold start → first rows",
                ms(tty["first"]) if tty["first"] == tty["first"] else "-",
                "",
            ),
            (
                "keystroke → echoed while a cold scan runs",
                ms(tty["echo"]) if tty["echo"] == tty["echo"] else "-",
                "",
            ),
            (
                "reader: cold start → complete list",
                ms(tty["complete"]),
                f"{stories / tty['complete']:,.0f} stories/s",
            ),
            ("reader: warm start → usable list", ms(tty["warm"]), ""),
            ("reader: peak memory, cold (VmHWM)", f"{tty['rss']:,.0f} MB", ""),
            ("reader: peak memory, warm (VmHWM)", f"{tty['rss_warm']:,.0f} MB", ""),
            (
                "parsing worker: peak memory each",
                f"{tty['worker']:,.0f} MB",
                f"{int(tty['workers'])} child processes (workers, resource tracker)",
            ),
            ("keystroke → sorted list on screen", ms(tty["sort"]), ""),
            ("keystroke → filtered list on screen", ms(tty["filter"]), ""),
            ("Enter → the story's first page", ms(tty["open"]), ""),
            (
                "q during a cold scan → reader exited",
                ms(tty["quit"]) if tty["quit"] == tty["quit"] else "-",
                "",
            ),
        ]
    width = max(len(row[0]) for row in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>10}  {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--no-pty", action="store_true", help="only the in-process figures")
    args = parser.parse_args()
    folder = args.folder or Path(
        "/tmp/reader-scale-bench" + ("" if args.stories == 5000 else f"-{args.stories}")
    )
    start = time.perf_counter()
    made = generate(folder, args.stories)
    print(
        f"library {folder}: {made['count']:,} stories ({made['txt']} txt, {made['html']} html, "
        f"{made['epub']} epub), {made['text_bytes'] / 1e9:.2f} GB of text, "
        f"{made['file_bytes'] / 1e9:.2f} GB on disk; ready in {time.perf_counter() - start:.1f} s"
    )
    print(f"medians of {args.runs} runs (the old full scan: 1 run), {os.cpu_count()} cores")
    for name, root in (("sample library", SAMPLE), ("generated library", folder)):
        core, entries = core_figures(root, args.runs, full_runs=1 if root == folder else args.runs)
        tty = None if args.no_pty else pty_figures(root, entries, args.runs)
        report(name, core, tty)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
