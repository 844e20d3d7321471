"""The reading state at scale (issue 11): a heavy reader's first-release state, migrated.

Generates (benchmarks/state_gen.py; seeded) a first-release ``state.yaml`` (version 1) of
5,000 stories — three bookmarks each, some deleted-bookmark tombstones, statuses, and three
years (1,095 days) of daily history spread across them — whose stories are the first 5,000
of benchmarks/library_gen.py's generated library (one in ten is instead an AO3 download
known by its URL, its file gone). Then prints the medians of several runs, each measure in
a fresh process with its own cache, data and config folders, next to a baseline taken in
the same run:

* migration: ``State.load(folder)`` on a folder holding only that ``state.yaml`` (copied
  afresh each run), the files and bytes it writes; next to the first release's own
  ``State.load`` of the same file (its code taken from git, ``47079f2^``);
* ``State.load`` of the migrated folder alone, warm (its record cache present) and cold
  (cache deleted), next to an empty state;
* the real reader on the generated library in an 80x24 pseudo-terminal (library_scale.py's
  ``Reader``): start to a usable list (the library cache warm, as is the state's), with the
  large state and with an empty one (three times the runs: starts are cheap, and noisy);
  then ``#`` to the statistics on screen; peak memory (VmHWM) of the reader;
* page turns as seen on screen: /work/shared/tools/turnprobe (tmux) on ``reader BOOK``
  (open_book.py's 4 MB book) with READER_STATE at either state, interleaved (twice the runs:
  a probe's median moves by a few ms from run to run), and on ``less BOOK`` (the probe's own
  cost); and the app's own work per turn through the pilot (Space → the next page's frame);
* ``#`` to the statistics screen mounted and rendered, through Textual's pilot (the app on
  the bundled sample library, the state large or empty): from the key press to the first
  frame of the screen after it drew its content, rendered to segments as a terminal gets
  them.

``--kills N`` instead runs the kill harness (benchmarks/kill_harness.py) N times with its
state folder pre-filled by the migrated state: the reader's own story is one more file among
5,000. Files the reader has not touched since the pre-fill are known good and not parsed
after every kill (that would cost seconds a kill); at the end every pre-filled file is
checked to be there and to parse.

Usage: python benchmarks/state_scale.py [--quick] [--runs N] [--stories N] [--turns N]
                                        [--kills N [--seed N]] [--out FILE]
       (--quick: 1,000 stories and a 1,000-story library, 2 runs, 15 turns a probe)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if "--child" not in sys.argv or "v1load" not in sys.argv:  # the first release's code must win there
    sys.path.insert(0, str(ROOT))

import state_gen  # noqa: E402

TURNPROBE = Path("/work/shared/tools/turnprobe")
FIRST_RELEASE = "47079f2^"  # the commit before the state folder: the first release's state code
XDG = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    if seconds != seconds:
        return "-"
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


# Folders and processes -------------------------------------------------------------------


def home_env(home: Path) -> dict[str, str]:
    """The environment of a reader whose folders all live in ``home`` (as library_scale's
    ``Reader`` lays them out: its state folder is ``home/state``)."""
    env = dict(os.environ, TERM="xterm-256color", READER_CONFIG=str(home / "config.yaml"))
    for name in XDG:
        env[name] = str(home / name.lower())
    env["READER_STATE"] = str(home / "state")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def child(kind: str, env: dict[str, str], *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run this script's ``--child KIND`` in a fresh process; what it printed last (JSON)."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, *args],
        env=env,
        cwd=str(HERE),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"child {kind} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def maxrss_mb() -> float:
    """This process's peak memory (VmHWM: ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def yaml_files(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*.yaml")] if folder.is_dir() else []


def signatures(folder: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for path in yaml_files(folder):
        info = path.stat()
        found[path.name] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


# Children: each measure in a fresh process -----------------------------------------------


def child_migrate(folder: str) -> dict[str, Any]:
    from reader.state import State

    start = time.perf_counter()
    state = State.load(Path(folder))
    seconds = time.perf_counter() - start
    files = yaml_files(Path(folder))
    cache = state.cache_path.stat().st_size if state.cache_path.exists() else 0
    kept = [p for p in state.previous.rglob("*") if p.is_file()] if state.previous.is_dir() else []
    return {
        "seconds": seconds,
        "stories": len(state.stories),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "cache_bytes": cache,
        "previous": len(kept),
        "previous_bytes": sum(p.stat().st_size for p in kept),
        "kept_v1": (Path(folder) / "state.yaml.v1").is_file(),
        "maxrss": maxrss_mb(),
        "warning": state.warning,
    }


def child_load(folder: str, cold: str) -> dict[str, Any]:
    from reader.state import State

    if cold == "cold":
        State(Path(folder)).cache_path.unlink(missing_ok=True)
    start = time.perf_counter()
    state = State.load(Path(folder))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "stories": len(state.stories), "maxrss": maxrss_mb()}


def child_v1load(release: str, path: str) -> dict[str, Any]:
    """The first release's own ``State.load`` of its ``state.yaml``."""
    sys.path.insert(0, release)
    import reader.state as old

    assert Path(old.__file__).resolve().is_relative_to(Path(release).resolve()), old.__file__
    start = time.perf_counter()
    state = old.State.load(Path(path))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "stories": len(state.stories), "maxrss": maxrss_mb()}


def child_scan(root: str) -> dict[str, Any]:
    """Fill the library's metadata cache (a cold scan, in worker processes)."""
    from reader.library.cache import default_cache_path
    from reader.library.scanning import scan_batches

    start = time.perf_counter()
    entries = sum(len(batch.entries) for batch in scan_batches(Path(root), default_cache_path(Path(root))))
    return {"seconds": time.perf_counter() - start, "entries": entries}


def child_stats(library: str, folder: str) -> dict[str, Any]:
    """``#`` in the library through the pilot: key press → statistics screen drawn and rendered."""
    from reader.config import Config
    from reader.ui.app import ReaderApp
    from reader.ui.screens.stats import StatsScreen

    app = ReaderApp(library=Path(library), state_path=Path(folder), config=Config())
    marks: dict[str, float] = {}
    draws: list[float] = []
    draw = StatsScreen.draw

    def timed_draw(screen: StatsScreen) -> None:
        start = time.perf_counter()
        draw(screen)
        draws.append(time.perf_counter() - start)
        marks.setdefault("drawn", time.perf_counter())

    StatsScreen.draw = timed_draw  # type: ignore[method-assign,assignment]
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None and isinstance(screen, StatsScreen) and "drawn" in marks:
            if "shown" not in marks:
                if hasattr(renderable, "render_segments"):  # what a terminal would be sent
                    renderable.render_segments(app.console)
                marks["shown"] = time.perf_counter()

    app._display = timed_display  # type: ignore[method-assign]

    async def run() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(600):
                await pilot.pause(0.05)
                if getattr(app.screen, "loaded", False):
                    break
            else:
                raise RuntimeError("the library never loaded")
            await pilot.pause(0.5)
            marks["pressed"] = time.perf_counter()
            await pilot.press("number_sign")
            for _ in range(500):
                if "shown" in marks:
                    break
                await pilot.pause(0.01)
            assert isinstance(app.screen, StatsScreen), app.screen
            text = str(app.screen.query_one("#stats-text").render())
            marks["ok"] = float("All time" in text)

    asyncio.run(run())
    return {
        "seconds": marks["shown"] - marks["pressed"],
        "draw": draws[0] if draws else float("nan"),
        "ok": marks.get("ok"),
        "stories": len(app.state.stories),
    }


def child_turns(book: str, folder: str, turns: str) -> dict[str, Any]:
    """Space on ``reader BOOK`` through the pilot: key press → the next page's frame (the
    app's own work, without a terminal's noise), every turn; and the saves that followed."""
    from reader.config import Config
    from reader.ui.app import ReaderApp
    from reader.ui.screens.reading import ReadingScreen

    app = ReaderApp(story=Path(book), state_path=Path(folder), config=Config())
    frames: list[float] = []
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None and isinstance(screen, ReadingScreen):
            if hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
            frames.append(time.perf_counter())

    app._display = timed_display  # type: ignore[method-assign]
    times: list[float] = []

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(600):
                await pilot.pause(0.05)
                if isinstance(app.screen, ReadingScreen) and app.screen.book is not None:
                    break
            await pilot.pause(1.0)  # as turnprobe waits: the page count of the long chapter
            for _ in range(int(turns)):
                ref = app.screen.ref  # type: ignore[attr-defined]
                frames.clear()
                pressed = time.perf_counter()
                await pilot.press("space")
                for _ in range(500):
                    if frames and app.screen.ref != ref:  # type: ignore[attr-defined]
                        break
                    await pilot.pause(0.002)
                times.append(frames[0] - pressed)
                await pilot.pause(0.1)
            await pilot.pause(1.2)  # the last save

    asyncio.run(run())
    return {"median": statistics.median(times), "max": max(times), "times": times}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "migrate": child_migrate,
    "load": child_load,
    "v1load": child_v1load,
    "scan": child_scan,
    "stats": child_stats,
    "turns": child_turns,
}


# The measures -----------------------------------------------------------------------------


def tree() -> str:
    """The code measured: the commit, and whether reader/ has changes not committed."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "reader"], capture_output=True, text=True
        ).stdout.splitlines()
    except OSError:
        return "code: unknown"
    return f"code: {head}" + (f" + {len(changed)} uncommitted file(s) in reader/" if changed else "")


def first_release(work: Path) -> Path | None:
    """The first release's ``reader`` package, from git, in ``work/first-release``."""
    target = work / "first-release"
    target.mkdir()
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", FIRST_RELEASE, "reader"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return target if (target / "reader" / "state.py").is_file() else None


def migration(v1: Path, large: Path, work: Path, runs: int, release: Path | None) -> dict[str, Any]:
    """Migrate ``v1`` ``runs`` times (the first straight into ``large``'s state folder), and
    the first release's load of the same file as the baseline."""
    out: dict[str, Any] = {"runs": [], "v1": []}
    for n in range(runs):
        home = large if n == 0 else Path(tempfile.mkdtemp(prefix="state-migrate-", dir=work))
        folder = home / "state"
        folder.mkdir(parents=True)
        shutil.copyfile(v1, folder / "state.yaml")
        try:
            out["runs"].append(child("migrate", home_env(home), str(folder)))
        finally:
            if n:
                shutil.rmtree(home, ignore_errors=True)
        if release is not None:
            out["v1"].append(child("v1load", home_env(work / "v1-home"), str(release), str(v1)))
    return out


def loads(large: Path, empty: Path, runs: int) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in ("warm", "cold", "empty_warm", "empty_cold")}
    for _ in range(runs):
        for name, home in (("", large), ("empty_", empty)):
            found[name + "cold"].append(child("load", home_env(home), str(home / "state"), "cold"))
            found[name + "warm"].append(child("load", home_env(home), str(home / "state"), "warm"))
    return found


def library_cache(root: Path, large: Path, empty: Path) -> int:
    """Fill the library cache once (in ``empty``) and give ``large`` a copy; the entries."""
    scanned = child("scan", home_env(empty), str(root), timeout=1800)
    source = empty / "xdg_cache_home" / "reader" / "index"
    target = large / "xdg_cache_home" / "reader" / "index"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    print(
        f"library cache filled: {scanned['entries']:,} stories scanned cold in {ms(scanned['seconds'])}",
        flush=True,
    )
    return int(scanned["entries"])


def starts(root: Path, count: int, large: Path, empty: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    """The real reader on the library: start → usable list, # → statistics, peak memory."""
    from library_scale import Reader

    total = (f"{count} stories", f"{count:,} stories")
    figures: dict[str, dict[str, list[float]]] = {
        name: {"start": [], "stats": [], "rss": []} for name in ("large", "empty")
    }
    for home in (large, empty):  # a first start each: caches settle, the library joins the state
        reader = Reader(root, home)
        try:
            reader.wait_for(total, timeout=300)
            time.sleep(1.0)
            reader.quit_time()
        finally:
            reader.close()
    for n in range(runs):
        order = [("large", large), ("empty", empty)]
        for name, home in order if n % 2 == 0 else order[::-1]:
            reader = Reader(root, home)
            try:
                reader.wait_for(total, timeout=120)
                figures[name]["start"].append(time.perf_counter() - reader.started)
                time.sleep(0.5)
                reader.send(b"#")
                figures[name]["stats"].append(reader.wait_for("All time", timeout=30))
                time.sleep(0.2)
                figures[name]["rss"].append(reader.memory()[0])
            finally:
                reader.close()
    return figures


def probe(book: Path, marker: str, turns: int, env: dict[str, str], argv: list[str]) -> tuple[float, float]:
    """turnprobe's (median, max) in seconds for ``argv`` in tmux, ``turns`` Space presses."""
    done = subprocess.run(
        [sys.executable, str(TURNPROBE), marker, "space", str(turns), "--", *argv],
        env=dict(env, TURNPROBE_KEEP_HOME="1", TURNPROBE_SIZE="80x24"),
        cwd=str(book.parent),
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = re.search(r"median ([\d.]+) ms\s+max ([\d.]+) ms", done.stdout)
    if not found:
        raise RuntimeError(f"turnprobe: {done.stdout}{done.stderr}")
    return float(found.group(1)) / 1000, float(found.group(2)) / 1000


def forget(home: Path, before: set[str]) -> None:
    """Remove the files of ``home``'s state folder not in ``before`` (the book's record, a temp
    file) and their last good copies, so that the next run opens the book on page 1."""
    folder = home / "state"
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.name not in before:
            path.unlink(missing_ok=True)
            for copy in (home / "xdg_data_home").rglob(path.name):
                copy.unlink(missing_ok=True)


def gone(argument: str, timeout: float = 15.0) -> None:
    """Wait until no process runs with ``argument`` on its command line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                running = argument.encode() in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if running:
                break
        if not running:
            return
        time.sleep(0.05)
    raise TimeoutError(f"a process with {argument} still runs after {timeout} s")


def page_turns(
    book: Path, large: Path, empty: Path, runs: int, turns: int
) -> dict[str, list[tuple[float, float]]]:
    """turnprobe on ``reader BOOK`` with either state (and on ``less BOOK``), interleaved.
    The book's own record is removed after each run, so that every run opens on page 1."""
    from open_book import FIRST_WORD

    found: dict[str, list[tuple[float, float]]] = {"large": [], "empty": [], "less": []}
    less = shutil.which("less")
    for n in range(runs):
        order = [("large", large), ("empty", empty)]
        for name, home in order if n % 2 == 0 else order[::-1]:
            folder = home / "state"
            before = set(signatures(folder))
            env = home_env(home)
            found[name].append(
                probe(book, FIRST_WORD, turns, env, [sys.executable, "-m", "reader", str(book)])
            )
            gone(str(book))  # the session is killed: the reader saves on SIGHUP, then exits
            forget(home, before)
        if less:
            found["less"].append(probe(book, FIRST_WORD, turns, dict(os.environ), [less, str(book)]))
    return found


def turns_pilot(
    book: Path, large: Path, empty: Path, runs: int, turns: int
) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"large": [], "empty": []}
    for n in range(runs):
        order = [("large", large), ("empty", empty)]
        for name, home in order if n % 2 == 0 else order[::-1]:
            folder = home / "state"
            before = set(signatures(folder))
            found[name].append(child("turns", home_env(home), str(book), str(folder), str(turns)))
            forget(home, before)
    return found


def stats_pilot(large: Path, empty: Path, runs: int) -> dict[str, list[dict[str, Any]]]:
    from library_scale import SAMPLE

    found: dict[str, list[dict[str, Any]]] = {"large": [], "empty": []}
    for _ in range(runs):
        for name, home in (("large", large), ("empty", empty)):
            found[name].append(child("stats", home_env(home), str(SAMPLE), str(home / "state")))
    return found


# The report -------------------------------------------------------------------------------


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    heads = ("measure", "empty / base", "large state", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [heads, *rows]) for i in range(5)]

    def line(row: tuple[str, ...]) -> str:
        cells = [f"{row[0]:<{widths[0]}}", *(f"{row[i]:>{widths[i]}}" for i in (1, 2, 3)), row[4]]
        return "  ".join(cells)

    return "\n".join([line(heads), "-" * (sum(widths) + 10), *map(line, rows)])


def ratio(large: float, base: float) -> str:
    return f"{large / base:.2f}x" if base and base == base and large == large else "-"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def measure(args: argparse.Namespace) -> str:
    from library_gen import generate
    from open_book import make_book

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="state-scale-"))
    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    try:
        library = args.library or Path(
            "/tmp/reader-scale-bench" + ("" if args.stories == 5000 else f"-{args.stories}")
        )
        made = generate(library, args.stories)
        data = state_gen.make_v1(args.stories, library)
        v1 = work / "state.yaml"
        size = state_gen.write_v1(v1, data)
        days, day_entries, read = state_gen.history(data)
        marks = sum(len(e["bookmarks"]) for e in data["stories"].values())
        tombs = sum(len(e.get("deleted_bookmarks", ())) for e in data["stories"].values())
        say(
            f"first-release state.yaml: {size / 1e6:.1f} MB, {len(data['stories']):,} stories, "
            f"{marks:,} bookmarks, {tombs} tombstones, {days:,} days of history "
            f"({day_entries:,} story-days on {read:,} stories)"
        )
        say(
            f"library {library}: {made['count']:,} stories ({made['file_bytes'] / 1e9:.2f} GB); "
            f"state stories 0..{args.stories - 1} are its stories, one in ten an AO3 URL whose file is gone"
        )
        say(
            f"medians of {args.runs} runs (warm starts {3 * args.runs}), {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]}, "
            f"load average {os.getloadavg()[0]:.1f} at the start; {tree()}"
        )
        large, empty = work / "large", work / "empty"
        for home in (large, empty):
            home.mkdir()
        release = first_release(work)
        mig = migration(v1, large, work, args.runs, release)
        say(f"  (migration done: {time.perf_counter() - started:.0f} s)")
        load = loads(large, empty, args.runs)
        count = library_cache(library, large, empty)
        start = starts(library, count, large, empty, 3 * args.runs)  # cheap, and noisy: more runs
        say(f"  (library starts done: {time.perf_counter() - started:.0f} s)")
        book = work / "book.txt"
        make_book(book)
        turns = page_turns(book, large, empty, 2 * args.runs, args.turns)  # noisy: more runs
        pilot_turns = turns_pilot(book, large, empty, args.runs, args.turns)
        say(f"  (page turns done: {time.perf_counter() - started:.0f} s)")
        stats = stats_pilot(large, empty, args.runs)

        def med(items: list[dict[str, Any]], key: str = "seconds") -> float:
            return median([float(item[key]) for item in items])

        runs = mig["runs"]
        v1_load = med(mig["v1"]) if mig["v1"] else float("nan")
        rows = [
            (
                "first release: its State.load(state.yaml)",
                "",
                ms(v1_load),
                "1.00x",
                "the baseline of the next 3 ratios (its code from git)",
            ),
            (
                "migration: State.load(folder with state.yaml)",
                "",
                ms(med(runs)),
                ratio(med(runs), v1_load),
                "(vs the first release's load of that file)",
            ),
            (
                "  files / bytes written",
                "",
                f"{runs[0]['files']:,} / {runs[0]['bytes'] / 1e6:.1f} MB",
                "",
                f"+ {runs[0]['previous']:,} last good copies ({runs[0]['previous_bytes'] / 1e6:.1f} MB), "
                f"record cache {runs[0]['cache_bytes'] / 1e6:.1f} MB; "
                f"state.yaml.v1 kept: {runs[0]['kept_v1']}",
            ),
            (
                "  peak memory (VmHWM; base: the first release's load)",
                f"{med(mig['v1'], 'maxrss'):.0f} MB" if mig["v1"] else "-",
                f"{med(runs, 'maxrss'):.0f} MB",
                ratio(med(runs, "maxrss"), med(mig["v1"], "maxrss")) if mig["v1"] else "-",
                "",
            ),
            (
                "State.load alone, warm (record cache hit)",
                ms(med(load["empty_warm"])),
                ms(med(load["warm"])),
                ratio(med(load["warm"]), v1_load),
                "(vs the first release's load)",
            ),
            (
                "State.load alone, cold (record cache deleted)",
                ms(med(load["empty_cold"])),
                ms(med(load["cold"])),
                ratio(med(load["cold"]), v1_load),
                "(vs the first release's load)",
            ),
            (
                "  peak memory, warm load (VmHWM)",
                f"{med(load['empty_warm'], 'maxrss'):.0f} MB",
                f"{med(load['warm'], 'maxrss'):.0f} MB",
                ratio(med(load["warm"], "maxrss"), med(load["empty_warm"], "maxrss")),
                "",
            ),
        ]
        s_large, s_empty = median(start["large"]["start"]), median(start["empty"]["start"])
        rows.append(
            (
                f"reader LIBRARY ({count:,} stories): warm start → usable list ({3 * args.runs} runs)",
                ms(s_empty),
                ms(s_large),
                ratio(s_large, s_empty),
                f"≤ 1.2x: {verdict(s_large <= 1.2 * s_empty)}",
            )
        )
        r_large, r_empty = median(start["large"]["rss"]), median(start["empty"]["rss"])
        rows.append(
            (
                "  reader peak memory (VmHWM), list + stats",
                f"{r_empty:.0f} MB",
                f"{r_large:.0f} MB",
                ratio(r_large, r_empty),
                "",
            )
        )
        k_large, k_empty = median(start["large"]["stats"]), median(start["empty"]["stats"])
        rows.append(
            (
                "  # → statistics on screen (pty)",
                ms(k_empty),
                ms(k_large),
                ratio(k_large, k_empty),
                "≤ 300 ms: " + verdict(k_large <= 0.3),
            )
        )
        t_large = median([t[0] for t in turns["large"]])
        t_empty = median([t[0] for t in turns["empty"]])
        rows.append(
            (
                f"page turn on screen (turnprobe, {args.turns} × {2 * args.runs})",
                ms(t_empty),
                ms(t_large),
                ratio(t_large, t_empty),
                f"within 10 %: {verdict(abs(t_large / t_empty - 1) <= 0.10)}",
            )
        )
        rows.append(
            (
                "  slowest turn",
                ms(max(t[1] for t in turns["empty"])),
                ms(max(t[1] for t in turns["large"])),
                "",
                f"less BOOK, same probe: median {ms(median([t[0] for t in turns['less']]))}"
                if turns["less"]
                else "",
            )
        )
        u_large = median([t for r in pilot_turns["large"] for t in r["times"]])
        u_empty = median([t for r in pilot_turns["empty"] for t in r["times"]])
        rows.append(
            (
                f"  page turn in the app (pilot: Space → frame, {args.turns} × {args.runs})",
                ms(u_empty),
                ms(u_large),
                ratio(u_large, u_empty),
                "the app's own work, no terminal: all turns pooled",
            )
        )
        p_large, p_empty = med(stats["large"]), med(stats["empty"])
        rows.append(
            (
                "# → StatsScreen mounted + rendered (pilot)",
                ms(p_empty),
                ms(p_large),
                ratio(p_large, p_empty),
                f"≤ 300 ms: {verdict(p_large <= 0.3)}",
            )
        )
        rows.append(
            (
                "  of which StatsScreen.draw()",
                ms(med(stats["empty"], "draw")),
                ms(med(stats["large"], "draw")),
                ratio(med(stats["large"], "draw"), med(stats["empty"], "draw")),
                "",
            )
        )
        say()
        say(table(rows))
        say()

        def each(values: list[float]) -> str:
            return " ".join(f"{v * 1000:.0f}" for v in values)

        say("each run, ms (large | empty):")
        say(f"  warm start     {each(start['large']['start'])} | {each(start['empty']['start'])}")
        say(
            f"  page turn      {each([t[0] for t in turns['large']])} | "
            f"{each([t[0] for t in turns['empty']])}"
        )
        say(
            f"  # (pilot)      {each([s['seconds'] for s in stats['large']])} | "
            f"{each([s['seconds'] for s in stats['empty']])}"
        )
        say(
            f"  State.load     warm {each([x['seconds'] for x in load['warm']])}, "
            f"cold {each([x['seconds'] for x in load['cold']])}; "
            f"migration {each([x['seconds'] for x in runs])}"
        )
        say(
            f"wall time {time.perf_counter() - started:.0f} s; "
            f"load average {os.getloadavg()[0]:.1f} at the end"
        )
        return "\n".join(out)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# The kill harness with the large state present ----------------------------------------


def kills(args: argparse.Namespace) -> tuple[str, bool]:
    import yaml
    from kill_harness import KillHarness
    from library_gen import generate

    work = Path(tempfile.mkdtemp(prefix="state-kills-"))
    try:
        library = args.library or Path(
            "/tmp/reader-scale-bench" + ("" if args.stories == 5000 else f"-{args.stories}")
        )
        generate(library, args.stories)
        data = state_gen.make_v1(args.stories, library)
        v1 = work / "state.yaml"
        state_gen.write_v1(v1, data)
        migrated = work / "migrated"
        migrated.mkdir()
        (migrated / "state").mkdir()
        shutil.copyfile(v1, migrated / "state" / "state.yaml")
        done = child("migrate", home_env(migrated), str(migrated / "state"))
        (migrated / "state" / "state.yaml.v1").unlink()  # the harness's folder: story files only
        print(f"migrated {done['stories']:,} stories in {ms(done['seconds'])}", flush=True)

        class Prefilled(KillHarness):
            """KillHarness whose state folder holds the migrated state before the first kill."""

            def __init__(self, folder: Path, prefill: Path, **options: Any) -> None:
                super().__init__(folder, **options)
                shutil.copytree(prefill, self.state_path)
                self.prefilled = signatures(self.state_path)

            def story_files(self) -> list[Path]:
                # Untouched pre-filled files are known good: parse only what the reader wrote.
                now = signatures(self.state_path)
                return sorted(self.state_path / n for n, s in now.items() if self.prefilled.get(n) != s)

        def log(message: str) -> None:
            if args.verbose or message.startswith("FAIL"):
                print(message, flush=True)

        seed = args.seed if args.seed is not None else 20261208
        (work / "kills").mkdir()
        harness = Prefilled(work / "kills", migrated / "state", seed=seed, log=log)
        report = harness.run(args.kills)
        # Every pre-filled story still there, and parsing (the reader's own story is extra).
        after = signatures(harness.state_path)
        present = sum(1 for name in harness.prefilled if name in after)
        changed = sum(1 for name, sign in harness.prefilled.items() if after.get(name) not in (None, sign))
        broken = 0
        for path in yaml_files(harness.state_path):
            try:
                record = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
                broken += not (isinstance(record, dict) and isinstance(record.get("id"), str))
            except (yaml.YAMLError, UnicodeDecodeError):
                broken += 1
        lines = [
            report.table(),
            f"{'pre-filled story files (migrated)':<47}{len(harness.prefilled):,}",
            f"{'  present after the last kill':<47}{present:,} ({changed} rewritten by the reader)",
            f"{'  files in the folder that do not parse':<47}{broken}",
        ]
        if report.failures:
            lines += ["", f"{len(report.failures)} failure(s):", *(f"  {f}" for f in report.failures)]
        text = "\n".join(lines)
        print()
        print(text)
        return text, report.ok and not broken and present == len(harness.prefilled)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](*sys.argv[3:])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 stories, 2 runs, 15 turns a probe")
    parser.add_argument("--stories", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--turns", type=int, default=None)
    parser.add_argument(
        "--library", type=Path, help="the generated library (default /tmp/reader-scale-bench[-N])"
    )
    parser.add_argument(
        "--kills", type=int, default=0, help="run the kill harness N times instead, state pre-filled"
    )
    parser.add_argument("--seed", type=int, default=None, help="the kill harness's random plan")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    args.stories = args.stories or (1000 if args.quick else 5000)
    args.runs = args.runs or (2 if args.quick else 3)
    args.turns = args.turns or (15 if args.quick else 30)
    if args.kills:
        text, ok = kills(args)
    else:
        text, ok = measure(args), True
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
