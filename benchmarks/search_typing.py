"""Results as you type: from the last keystroke to the results on screen, in a real terminal.

Runs ``reader LIBRARY`` in an 80x24 pseudo-terminal on the library that
``benchmarks/search_library.py`` made (run that first), opens the search screen with ``S``,
types each query in one burst (as a quick typist or a paste does) and times, from the last
key, until the status line with that query's hit count is written to the terminal. The index
that benchmark built is linked into the cache folder the reader uses, so nothing is rebuilt.

Usage: python benchmarks/search_typing.py [--folder /tmp/reader-search-bench]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from open_book import Terminal  # noqa: E402

QUERIES = ["zyxquillion", '"amber lantern protocol"', "door", '"the door"', "sto*", "fandom:tidewater door"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/reader-search-bench"))
    args = parser.parse_args()
    library, built = args.folder / "library", args.folder / "index.sqlite3"
    if not built.exists():
        print(f"no index at {built}: run benchmarks/search_library.py first", file=sys.stderr)
        return 2
    cache = args.folder / "cache"
    os.environ["XDG_CACHE_HOME"] = str(cache)
    from reader.search import hits_count
    from reader.search.index import SearchIndex, default_db_path

    target = default_db_path(library)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.link(built, target)
    index = SearchIndex(library)
    index.update()
    env = dict(
        os.environ,
        TERM="xterm-256color",
        READER_STATE=str(args.folder / "state.yaml"),
        READER_CONFIG=str(args.folder / "config.yaml"),
    )
    term = Terminal([sys.executable, "-m", "reader", str(library)], env)
    rows = []
    try:
        term.wait_for("stories", timeout=120)
        term.send(b"S")
        term.wait_for("words (all must match)", timeout=60)
        time.sleep(2.0)  # the search screen's own incremental update: nothing changed
        for query in QUERIES:
            hits = index.search(query, limit=100)
            stories = len({hit.id for hit in hits})
            expected = hits_count(len(hits), stories) if hits else "Nothing found."  # as the screen says it
            # Typed as one burst (a fast typist or a paste): only the query as a whole can
            # produce this status line, so the clock stops on its results, not on those of a
            # shorter query that happened to match too.
            term.send(query.encode())
            rows.append((query, len(hits), term.wait_for(expected, timeout=10)))
            term.send(b"\x15")  # ctrl+u: clear the query
            term.wait_for("words (all must match)", timeout=10)
    finally:
        term.close()
        index.close()
    print(f"library: {library} · index {target.stat().st_size / 2**20:.0f} MB · 80x24 pseudo-terminal")
    print(f"{'query':<28}{'hits':>6}{'last key → results on screen':>32}")
    for query, count, seconds in rows:
        print(f"{query:<28}{count:>6}{seconds * 1000:>29.1f} ms")
    times = [seconds for _, _, seconds in rows]
    print(
        f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms (reach: ≤ 100 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
