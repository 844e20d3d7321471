"""Opening, paging and re-flowing a 4 MB single-file book (issue 2's speed figures).

Generates a deterministic plain-text book (~750,000 words, no chapter headings) and prints,
as the median of several runs:

* time from process start to the first page on screen, for ``reader BOOK`` in a real
  pseudo-terminal (80x24), at the start of the book and at a saved position half-way in,
  next to the start-up of a bare Textual app measured the same way in the same run;
* page-turn time and re-flow time after a resize, through Textual's pilot.

Usage: python benchmarks/open_book.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import random
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_WORD = "Marigoldenrod"
MIDDLE_WORD = "Halfwaythistle"  # begins the first paragraph past the half-way mark
SYLLABLES = ["an", "be", "cor", "dil", "em", "fa", "gor", "hin", "is", "jo", "ka", "lum", "mer", "no", "or",
             "pel", "qua", "ri", "sol", "tu", "ul", "ven", "wy", "xa", "yor", "zel", "the", "and", "of"]


def make_book(path: Path, target_bytes: int = 4 * 1024 * 1024) -> tuple[int, int]:
    """Write the book; return (bytes, words). Same seed, same book, every run."""
    rng = random.Random(20261121)
    vocabulary = ["".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3)))) for _ in range(5000)]
    vocabulary += ["the", "a", "and", "of", "to", "in", "was", "she", "he", "it"] * 200
    paragraphs, size, words = [], 0, 0
    first, middle = True, True
    while size < target_bytes:
        count = rng.randint(20, 180)
        chosen = [rng.choice(vocabulary) for _ in range(count)]
        if first:
            chosen[0], first = FIRST_WORD, False
        elif middle and size > target_bytes // 2:
            chosen[0], middle = MIDDLE_WORD.lower(), False
        text = " ".join(chosen).capitalize() + "."
        paragraphs.append(text)
        size += len(text) + 2
        words += count
    data = "\n\n".join(paragraphs) + "\n"
    path.write_text(data, encoding="utf-8")
    return len(data.encode()), words


def time_to_screen(argv: list[str], marker: str, env: dict[str, str], size=(80, 24), timeout=30.0) -> float:
    """Seconds from spawning ``argv`` in a pseudo-terminal until ``marker`` is drawn."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        os.execvpe(argv[0], argv, env)
    seen = b""
    needle = marker.encode()
    try:
        while True:
            remaining = timeout - (time.perf_counter() - start)
            if remaining <= 0:
                raise TimeoutError(f"{marker!r} not on screen after {timeout}s")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise RuntimeError(f"{argv} exited before showing {marker!r}: {seen[-500:]!r}") from None
            if not chunk:
                raise RuntimeError(f"{argv} exited before showing {marker!r}")
            seen = seen[-len(needle) :] + chunk
            if needle in seen:
                return time.perf_counter() - start
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


async def paging_and_reflow(book: Path, state: Path, turns: int, resizes: int) -> tuple[list[float], list[float], list[float]]:
    from reader.config import Config
    from reader.ui.app import ReaderApp
    from reader.ui.reading import ReadingScreen

    app = ReaderApp(story=book, state_path=state, config=Config())
    turn_times: list[float] = []
    reflow_times: list[float] = []
    core_reflow: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        while not (isinstance(app.screen, ReadingScreen) and app.screen.book is not None):
            await pilot.pause(0.01)
        screen = app.screen
        for _ in range(turns):
            t = time.perf_counter()
            await pilot.press("space")
            turn_times.append(time.perf_counter() - t)
        sizes = [(60, 20), (100, 30), (80, 24), (120, 40)]
        for i in range(resizes):
            t = time.perf_counter()
            await pilot.resize_terminal(*sizes[i % len(sizes)])
            await pilot.pause()
            reflow_times.append(time.perf_counter() - t)
            assert screen.book is not None and screen.book.height > 0
            screen.book = None  # time the layout work alone: a fresh layout at this size
            t = time.perf_counter()
            screen.relayout()
            core_reflow.append(time.perf_counter() - t)
    return turn_times, reflow_times, core_reflow


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    book = work / "book.txt"
    size, words = make_book(book)
    env = dict(os.environ, TERM="xterm-256color", READER_STATE=str(work / "state.yaml"),
               READER_CONFIG=str(work / "config.yaml"), XDG_CONFIG_HOME=str(work), XDG_STATE_HOME=str(work))
    half_state = work / "half.yaml"
    from reader.formats import load_story

    story = load_story(book, work)
    middle = story.chapters[0].text.index(MIDDLE_WORD)
    half_state.write_text(
        "version: 1\nstories:\n  book.txt:\n    position: {chapter: 0, offset: %d, snippet: ''}\n" % middle,
        encoding="utf-8",
    )
    python = sys.executable
    bare, start, half = [], [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits all three alike
        bare.append(time_to_screen([python, str(HERE / "bare_app.py")], "BARE-APP-READY", env))
        start.append(time_to_screen([python, "-m", "reader", str(book)], FIRST_WORD, env))
        half.append(time_to_screen([python, "-m", "reader", "--state", str(half_state), str(book)],
                                   MIDDLE_WORD, env))
    turns, reflows, core = asyncio.run(paging_and_reflow(book, work / "paging.yaml", 60, 12))

    base = statistics.median(bare)
    print(f"book: {size / 2**20:.1f} MB, {words:,} words, 1 chapter; {args.runs} runs; Python {sys.version.split()[0]}")
    print()
    print(f"{'measure':<48}{'median ms':>10}{'ratio':>8}   reach")
    print("-" * 80)
    print(f"{'bare Textual app: start to first screen':<48}{median_ms(bare):>10}{1.0:>8.2f}   (baseline)")
    print(f"{'reader BOOK: start to first page':<48}{median_ms(start):>10}{statistics.median(start) / base:>8.2f}"
          "   ≤ 1000 ms and ≤ 1.5×")
    print(f"{'reader BOOK at 50% (saved): start to first page':<48}{median_ms(half):>10}"
          f"{statistics.median(half) / base:>8.2f}   ≤ 1000 ms and ≤ 1.5×")
    print(f"{'page turn (pilot key press → screen updated)':<48}{median_ms(turns):>10}{'':>8}   ≤ 20 ms")
    print(f"{'re-flow after a resize (pilot, whole screen)':<48}{median_ms(reflows):>10}{'':>8}   ≤ 100 ms")
    print(f"{'re-flow: layout work alone':<48}{median_ms(core):>10}{'':>8}")
    print()
    print("max page turn: %.1f ms; max re-flow: %.1f ms" % (max(turns) * 1000, max(reflows) * 1000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
