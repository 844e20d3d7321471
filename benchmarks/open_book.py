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
SYLLABLES = [
    "an",
    "be",
    "cor",
    "dil",
    "em",
    "fa",
    "gor",
    "hin",
    "is",
    "jo",
    "ka",
    "lum",
    "mer",
    "no",
    "or",
    "pel",
    "qua",
    "ri",
    "sol",
    "tu",
    "ul",
    "ven",
    "wy",
    "xa",
    "yor",
    "zel",
    "the",
    "and",
    "of",
]


def make_book(path: Path, target_bytes: int = 4 * 1024 * 1024) -> tuple[int, int]:
    """Write the book; return (bytes, words). Same seed, same book, every run."""
    rng = random.Random(20261121)
    vocabulary = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3)))) for _ in range(5000)
    ]
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


class Terminal:
    """A program in a pseudo-terminal: type to it, resize it, wait for text on its screen."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: fd 1 is the terminal (sys.stdout may be a test's capture)
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.seen = b""

    def read(self, timeout: float) -> bytes | None:
        """What the program wrote next: None if nothing within ``timeout``, b"" once it exited."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            return os.read(self.fd, 65536)
        except OSError:
            return b""

    def wait_for(self, text: str | tuple[str, ...], timeout: float = 30.0) -> float:
        """Seconds until ``text`` (or any of several) is written to the screen (counting from
        the last send)."""
        needles = [t.encode() for t in ((text,) if isinstance(text, str) else text)]
        start = time.perf_counter()
        while not any(needle in self.seen for needle in needles):
            remaining = timeout - (time.perf_counter() - start)
            if remaining <= 0:
                tail = self.seen[-300:]
                raise TimeoutError(f"{text!r} not on screen after {timeout}s; last written: {tail!r}")
            chunk = self.read(remaining)
            if chunk is None:
                continue
            if not chunk:
                raise RuntimeError(f"the program exited before showing {text!r}")
            self.seen = self.seen[-4096:] + chunk
        self.seen = b""
        return time.perf_counter() - start

    def send(self, data: bytes) -> None:
        self.seen = b""
        os.write(self.fd, data)

    def resize(self, width: int, height: int) -> None:
        self.seen = b""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def time_to_screen(argv: list[str], marker: str, env: dict[str, str]) -> float:
    """Seconds from spawning ``argv`` in an 80x24 pseudo-terminal until ``marker`` is drawn."""
    term = Terminal(argv, env)
    try:
        term.wait_for(marker)
        return time.perf_counter() - term.started
    finally:
        term.close()


def first_line(story, width: int, height: int, chapter: int, offset: int) -> tuple[str, int]:
    """What the reader shows first on the page holding ``offset`` at a terminal of this size."""
    from reader.layout import StoryLayout

    book = StoryLayout(story, min(70, width - 2), height - 2)  # title and status lines
    page = book.page(book.page_for(chapter, offset))
    line = page.lines[0]
    return story.chapters[chapter].text[line.start : line.end], page.start


def turns_and_reflows(story, book: Path, env: dict[str, str], turns: int, resizes: int):
    """Real key presses and real resizes, timed until the expected text is on screen."""
    from reader.layout import StoryLayout

    term = Terminal([sys.executable, "-m", "reader", str(book)], env)
    turn_times, reflow_times = [], []
    try:
        layout = StoryLayout(story, 70, 22)
        ref = layout.page_for(0, 0)
        term.wait_for(FIRST_WORD)
        time.sleep(1.0)  # let the page count of the long chapter finish, as a reader would
        for _ in range(turns):
            ref = layout.next(ref)
            page = layout.page(ref)
            line = page.lines[0]
            term.send(b" ")
            turn_times.append(term.wait_for(story.chapters[0].text[line.start : line.end]))
        anchor = layout.page(ref).start
        sizes = [(60, 20), (100, 30), (80, 24), (120, 40)]
        for i in range(resizes):
            width, height = sizes[i % len(sizes)]
            text, _ = first_line(story, width, height, 0, anchor)
            term.resize(width, height)
            reflow_times.append(term.wait_for(text))
    finally:
        term.close()
    return turn_times, reflow_times


def core_times(story, turns: int) -> tuple[list[float], list[float]]:
    """The reader's own work, in process: the next page, and a fresh layout at a new size."""
    from reader.layout import StoryLayout

    turn, reflow = [], []
    layout = StoryLayout(story, 70, 22)
    ref = layout.page_for(0, len(story.chapters[0].text) // 2)
    for _ in range(turns):
        t = time.perf_counter()
        ref = layout.next(ref)
        layout.page(ref)
        turn.append(time.perf_counter() - t)
    anchor = layout.page(ref).start
    for width, height in [(60, 20), (100, 30), (80, 24), (120, 40)] * 3:
        t = time.perf_counter()
        fresh = StoryLayout(story, min(70, width - 2), height - 2)
        fresh.page(fresh.page_for(0, anchor))
        reflow.append(time.perf_counter() - t)
    return turn, reflow


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reader-bench-"))
    book = work / "book.txt"
    size, words = make_book(book)
    env = dict(
        os.environ,
        TERM="xterm-256color",
        READER_STATE=str(work / "state.yaml"),
        READER_CONFIG=str(work / "config.yaml"),
        XDG_CONFIG_HOME=str(work),
        XDG_STATE_HOME=str(work),
    )
    half_state = work / "half.yaml"
    from reader.formats import load_story

    story = load_story(book, work)
    middle = story.chapters[0].text.index(MIDDLE_WORD)
    half_state.write_text(
        f"version: 1\nstories:\n  book.txt:\n    path: {book}\n"  # a first-release state, migrated once
        f"    position: {{chapter: 0, offset: {middle}, snippet: ''}}\n",
        encoding="utf-8",
    )
    python = sys.executable
    bare, start, half = [], [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits all three alike
        bare.append(time_to_screen([python, str(HERE / "bare_app.py")], "BARE-APP-READY", env))
        start.append(time_to_screen([python, "-m", "reader", str(book)], FIRST_WORD, env))
        half.append(
            time_to_screen([python, "-m", "reader", "--state", str(half_state), str(book)], MIDDLE_WORD, env)
        )
    turns, reflows = turns_and_reflows(story, book, env, 60, 12)
    core_turns, core_reflows = core_times(story, 200)

    base = statistics.median(bare)
    print(
        f"book: {size / 2**20:.1f} MB, {words:,} words, 1 chapter; {args.runs} runs; "
        f"Python {sys.version.split()[0]}"
    )
    print("terminal: a real pseudo-terminal, 80x24; times end when the expected text is written to it")
    print()
    print(f"{'measure':<52}{'median ms':>10}{'ratio':>8}   reach")
    print("-" * 84)
    print(f"{'bare Textual app: start to first screen':<52}{median_ms(bare):>10}{1.0:>8.2f}   (baseline)")
    print(
        f"{'reader BOOK: start to first page':<52}{median_ms(start):>10}"
        f"{statistics.median(start) / base:>8.2f}"
        "   ≤ 1000 ms and ≤ 1.5×"
    )
    print(
        f"{'reader BOOK at 50% (saved): start to first page':<52}{median_ms(half):>10}"
        f"{statistics.median(half) / base:>8.2f}   ≤ 1000 ms and ≤ 1.5×"
    )
    print(f"{'page turn: Space to the new page on screen':<52}{median_ms(turns):>10}{'':>8}   ≤ 20 ms")
    print(
        f"{'re-flow: resize to the re-flowed page on screen':<52}{median_ms(reflows):>10}{'':>8}   ≤ 100 ms"
    )
    print(f"{'  of which layout work (next page, in process)':<52}{median_ms(core_turns):>10}")
    print(f"{'  of which layout work (new size, in process)':<52}{median_ms(core_reflows):>10}")
    print()
    print(
        f"slowest: page turn {max(turns) * 1000:.1f} ms, re-flow {max(reflows) * 1000:.1f} ms "
        f"({len(turns)} turns, {len(reflows)} resizes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
