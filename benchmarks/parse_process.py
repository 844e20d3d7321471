"""What reading the story in a worker process would cost at start-up (issue 13's question,
against issue 16's start-up goal of ≤ 1.25 × a bare Textual app).

``reader BOOK`` reads the story on a thread while Textual is imported. A process could be
killed when a story takes too long, but its result must come back pickled. Each mode runs in
a fresh interpreter (cold imports, as at start-up) and measures, from process start, the
moment both the story is read and Textual is imported — when the first page could be drawn:

* ``textual``: importing Textual's App alone (the baseline);
* ``thread``: the story read on a thread meanwhile (what the reader does);
* ``fork``: read in a forked child, sent back pickled through a pipe;
* ``spawn``: read in a "spawn" process (multiprocessing), sent back pickled;
* ``opener``: what the reader does now (``reader/opening.py``): the opener is forked first,
  before anything is imported, and forks the process that reads the story, which sends it
  back as plain values through a file in memory (the parsed-story cache empty each run).

Usage: python benchmarks/parse_process.py [--runs N]   (the 4 MB book of open_book.py)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from open_book import make_book  # noqa: E402

CHILD = r"""
import os, sys, time, pickle, threading
start = time.perf_counter()
mode, book = sys.argv[1], sys.argv[2]

def read():
    from reader.formats import load_story
    return load_story(book)

result = {}
if mode == "thread":
    thread = threading.Thread(target=lambda: result.setdefault("story", read()))
    thread.start()
elif mode == "fork":
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        with os.fdopen(w, "wb") as out:
            out.write(pickle.dumps(read(), protocol=5))
        os._exit(0)
    os.close(w)
    def fetch():
        with os.fdopen(r, "rb") as pipe:
            result["story"] = pickle.loads(pipe.read())
        os.waitpid(pid, 0)
    thread = threading.Thread(target=fetch)
    thread.start()
elif mode == "opener":
    from pathlib import Path
    from reader import opening
    opening.start()
    reading = opening.read_story(Path(book), None)
elif mode == "spawn":
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    sys.path.insert(0, os.getcwd())
    import reader.formats
    future = pool.submit(reader.formats.load_story, book)
import textual.app  # noqa: F401
if mode in ("thread", "fork"):
    thread.join()
elif mode == "opener":
    reading.result()
elif mode == "spawn":
    future.result()
    pool.shutdown()
print(time.perf_counter() - start)
"""


def once(mode: str, book: Path) -> float:
    with tempfile.TemporaryDirectory() as cache:  # no story kept from an earlier run
        out = subprocess.run(
            [sys.executable, "-c", CHILD, mode, str(book)],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, XDG_CACHE_HOME=cache),
        )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "book.txt"
        make_book(book)
        modes = ["textual", "thread", "fork", "spawn", "opener"]
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(args.runs):  # interleaved: the machine's load falls on every mode alike
            for mode in modes:
                times[mode].append(once(mode, book))
    base = statistics.median(times["textual"])
    print(f"4 MB book, median of {args.runs} runs (process start → story read and Textual imported)")
    print(f"{'mode':<10}{'median':>10}{'× textual':>12}")
    for mode in modes:
        median = statistics.median(times[mode])
        print(f"{mode:<10}{median * 1000:>8.0f} ms{median / base:>11.2f}×")


if __name__ == "__main__":
    main()
