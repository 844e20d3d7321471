"""Opening, paging and re-flowing a 4 MB single-file book (issue 2's speed figures).

Generates a deterministic plain-text book (~750,000 words, no chapter headings) and prints,
as the median of several runs:

* time from process start to the first page on screen, for ``reader BOOK`` (the command pip
  installed beside this Python, as a user starts it; ``python -m reader`` where there is
  none) in a real pseudo-terminal (80x24), at the start of the book and at a saved position
  half-way in, next to the start-up of a bare Textual app measured the same way in the same
  run;
* page-turn time and re-flow time after a resize, in the same pseudo-terminal;
* the page turn *as seen on screen*, the way ``turnprobe`` measures it: the program runs in
  tmux (100x30), each Space is sent with ``tmux send-keys`` and timed until
  ``tmux capture-pane`` shows a different screen, 30 turns 100 ms apart, one second after
  the first page is up; ``less BOOK`` is measured the same way, rounds interleaved, as the
  baseline (the probe's own cost is in both).

The reader's modules are compiled to bytecode first (``compileall``), as an installed reader's
are: with ``PYTHONDONTWRITEBYTECODE`` set, each start would otherwise compile them again, a
cost the bare Textual app, installed, does not pay.

Usage: python benchmarks/open_book.py [--runs N] [--probe-rounds N]
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import pty
import random
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import uuid
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
        """Kill the program (if it still runs) and close the terminal."""
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):  # it has ended, and was waited for
            pass
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


def seen_turns(argv: list[str], marker: str, env: dict[str, str], turns: int = 30) -> list[float]:
    """Space → a changed screen, in tmux at 100x30, as a person sees it (turnprobe's method).

    A private tmux server (its own socket) starts with ``env``, so no running server's
    environment leaks in; it is killed afterwards.
    """
    tmux = ["tmux", "-L", f"open-book-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
    command = " ".join(subprocess.list2cmdline([arg]) for arg in argv)

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", "probe"], capture_output=True, text=True
        ).stdout

    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "probe", "-x", "100", "-y", "30", command], env=env, check=True
    )
    times = []
    try:
        start = time.perf_counter()
        while marker not in screen():
            if time.perf_counter() - start > 60:
                raise TimeoutError(f"{marker!r} never appeared; the screen was:\n{screen()}")
            time.sleep(0.02)
        time.sleep(1.0)  # the page count of the long chapter finishes, as a reader would wait
        for _ in range(turns):
            before = screen()
            sent = time.perf_counter()
            subprocess.run([*tmux, "send-keys", "-t", "probe", "space"])
            while screen() == before and time.perf_counter() - sent < 5:
                time.sleep(0.001)
            times.append(time.perf_counter() - sent)
            time.sleep(0.1)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    return times


def seen_against_less(
    book: Path, env: dict[str, str], work: Path, rounds: int
) -> tuple[list[float], list[float]] | None:
    """(reader, less) as-seen page turns, ``rounds`` × 30 each, interleaved; None without tmux
    or less. Each round of the reader starts from a fresh state folder, at the book's start."""
    if not (shutil.which("tmux") and shutil.which("less")):
        return None
    reader, less = [], []
    for round_ in range(rounds):
        less += seen_turns(["less", str(book)], FIRST_WORD, env)
        state = dict(env, READER_STATE=str(work / f"seen-state-{round_}"))
        reader += seen_turns([sys.executable, "-m", "reader", str(book)], FIRST_WORD, state)
    return reader, less


#: The start-up rows: a bare Textual app, and the reader opening the book for the first time
#: (parsed) and again (read back from the parsed-story cache), at its start and half-way in.
STARTS = {
    "bare": "bare Textual app: start to first screen",
    "start": "reader BOOK, first opening: start to first page",
    "start again": "reader BOOK, opened again: start to first page",
    "start new": "  first opening, the state's record cache kept",
    "half": "reader BOOK at 50% (saved), first opening",
    "half again": "reader BOOK at 50% (saved), opened again",
}


def reader_command() -> list[str]:
    """``reader`` as a user starts it: the command pip installed beside this Python (else
    ``python -m reader``, which also imports ``runpy``: 2-3 ms more)."""
    script = Path(sys.executable).parent / "reader"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reader"]


def keep_parsed(argv: list[str], env: dict[str, str]) -> None:
    """Open the book once and leave it up long enough for the reader to keep it parsed."""
    term = Terminal(argv, env)
    try:
        term.wait_for(FIRST_WORD)
        time.sleep(5.0)  # the reader keeps a story parsed after 3 s without a page turn
    finally:
        term.close()


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
    parser.add_argument("--probe-rounds", type=int, default=3, help="rounds of 30 as-seen turns (0: none)")
    args = parser.parse_args()
    compileall.compile_dir(HERE.parent / "reader", quiet=1)  # as installed: see the docstring
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
        XDG_CACHE_HOME=str(work / "cache"),  # the state's record cache, the parsed-story cache
        XDG_DATA_HOME=str(work / "data"),
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
    command = reader_command()
    reader = [*command, str(book)]
    at_half = [*command, "--state", str(half_state), str(book)]
    keep_parsed(reader, env)
    # A book opened for the first time on a machine the reader has run on: its parsed-story
    # cache empty, the state's record cache kept ("first opening" above empties both).
    new_book = dict(env, XDG_CACHE_HOME=str(work / "cache-new-book"))
    time_to_screen(reader, FIRST_WORD, new_book)  # writes the state's record cache
    starts: dict[str, list[float]] = {name: [] for name in STARTS}
    for run in range(args.runs):  # interleaved, so machine noise hits all alike
        cold = dict(env, XDG_CACHE_HOME=str(work / f"cold-cache-{run}"))  # a first opening: parsed
        starts["bare"].append(time_to_screen([python, str(HERE / "bare_app.py")], "BARE-APP-READY", env))
        starts["start"].append(time_to_screen(reader, FIRST_WORD, cold))
        starts["start again"].append(time_to_screen(reader, FIRST_WORD, env))
        shutil.rmtree(work / "cache-new-book" / "reader" / "stories", ignore_errors=True)
        starts["start new"].append(time_to_screen(reader, FIRST_WORD, new_book))
        starts["half"].append(time_to_screen(at_half, MIDDLE_WORD, cold))
        starts["half again"].append(time_to_screen(at_half, MIDDLE_WORD, env))
    turns, reflows = turns_and_reflows(story, book, env, 60, 12)
    seen = seen_against_less(book, env, work, args.probe_rounds)
    core_turns, core_reflows = core_times(story, 200)

    base = statistics.median(starts["bare"])
    print(
        f"book: {size / 2**20:.1f} MB, {words:,} words, 1 chapter; {args.runs} runs; "
        f"Python {sys.version.split()[0]}"
    )
    print("terminal: a real pseudo-terminal, 80x24; times end when the expected text is written to it")
    print(f"reader started as: {' '.join(Path(word).name for word in command)} BOOK")
    print()
    print(f"{'measure':<52}{'median ms':>10}{'ratio':>8}   reach")
    print("-" * 84)
    for name, label in STARTS.items():
        reach = "(baseline)" if name == "bare" else "≤ 1000 ms and ≤ 1.25×"
        ratio = statistics.median(starts[name]) / base
        print(f"{label:<52}{median_ms(starts[name]):>10}{ratio:>8.2f}   {reach}")
    print(f"{'page turn: Space to the new page written (pty)':<52}{median_ms(turns):>10}{'':>8}   ≤ 20 ms")
    print(
        f"{'re-flow: resize to the re-flowed page on screen':<52}{median_ms(reflows):>10}{'':>8}   ≤ 100 ms"
    )
    if seen is not None and seen[0]:
        reader_seen, less_seen = seen
        ratio = statistics.median(reader_seen) / statistics.median(less_seen)
        print(
            f"{'page turn seen on screen (tmux 100x30): less':<52}{median_ms(less_seen):>10}"
            f"{1.0:>8.2f}   (baseline)"
        )
        print(
            f"{'page turn seen on screen (tmux 100x30): reader':<52}{median_ms(reader_seen):>10}{ratio:>8.2f}"
            "   ≤ 1.5 × less"
        )
    print(f"{'  of which layout work (next page, in process)':<52}{median_ms(core_turns):>10}")
    print(f"{'  of which layout work (new size, in process)':<52}{median_ms(core_reflows):>10}")
    print()
    print(
        f"slowest: page turn {max(turns) * 1000:.1f} ms, re-flow {max(reflows) * 1000:.1f} ms "
        f"({len(turns)} turns, {len(reflows)} resizes)"
    )
    if seen is not None and seen[0]:
        reader_seen, less_seen = seen
        print(
            f"seen on screen: reader max {max(reader_seen) * 1000:.1f} ms "
            f"({max(reader_seen) / statistics.median(reader_seen):.1f} × its median; reach < 3 ×), "
            f"less max {max(less_seen) * 1000:.1f} ms; {len(reader_seen)} turns each, "
            f"{args.probe_rounds} interleaved rounds"
        )
    elif seen is None:
        print("seen on screen: not measured (tmux or less not found)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
