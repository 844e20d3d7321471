"""SQLite FTS5 against Tantivy (the ``tantivy`` bindings on PyPI) on the same passages.

Takes the first ``--stories`` stories of the library ``search_library.py`` generates, cuts
them into the reader's passages (``reader.search.extract``, on both cores), and indexes the
passages' words with each engine, keeping no copy of the text in either (the reader finds
the text in the story file). Prints, per engine: build time and MB/s, size on disk and its
ratio to the stories, query median / p95 / max for the benchmark's word, phrase and prefix
queries (the 50 best by each engine's BM25, no snippets; FTS5 here ranks every match, as the
reader does up to 20,000 of them; the two BM25s differ, so their hits do), and the start-up
cost of a fresh process that imports the engine, opens the index and answers one query.
The wheel size is what ``pip download`` fetches (FTS5 is in Python's standard library).

Tantivy is not a dependency of the reader: install it beside the reader to run this
(``pip install tantivy``); without it only FTS5 is measured.

Usage: python benchmarks/search_engines.py [--folder /tmp/reader-search-bench] [--stories 1000]
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_library import sample_queries  # noqa: E402

from reader.library.scanning import parsed  # noqa: E402
from reader.search.extract import extract_chunk  # noqa: E402
from reader.search.query import parse_query  # noqa: E402

FTS5 = "CREATE VIRTUAL TABLE p USING fts5(body, tokenize='unicode61 remove_diacritics 2', content='')"


def passages_of(library: Path, count: int) -> tuple[list[str], int]:
    files = sorted(library.glob("*.txt"))[:count]
    texts = [place[2] for batch in parsed(library, files, lambda: False, read=extract_chunk) for e in batch
             for place in e.places]  # fmt: skip
    return texts, sum(path.stat().st_size for path in files)


def build_fts5(texts: list[str], folder: Path) -> tuple[float, int, Callable[[str], list[int]]]:
    db = folder / "fts5.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(FTS5)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO p(rowid, body) VALUES (?, ?)", enumerate(texts))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - started

    def search(query: str) -> list[int]:
        sql = "SELECT rowid FROM p WHERE p MATCH ? ORDER BY rank LIMIT 50"
        return [row[0] for row in conn.execute(sql, (parse_query(query).match(),))]

    return seconds, db.stat().st_size, search


def build_tantivy(texts: list[str], folder: Path) -> tuple[float, int, Callable[[str], list[int]]]:
    import tantivy

    path = folder / "tantivy"
    path.mkdir()
    schema = tantivy.SchemaBuilder()
    schema.add_text_field("body", stored=False, index_option="position")
    schema.add_integer_field("rowid", stored=False, indexed=False, fast=True)
    built = schema.build()
    index = tantivy.Index(built, path=str(path))
    started = time.perf_counter()
    writer = index.writer(heap_size=200_000_000, num_threads=2)
    for rowid, text in enumerate(texts):
        writer.add_document(tantivy.Document(body=text, rowid=rowid))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()

    def search(query: str) -> list[int]:
        if query.endswith("*"):  # a prefix: Tantivy's regex query on the word (constant score)
            parsed_query = tantivy.Query.regex_query(built, "body", re.escape(query[:-1].lower()) + ".*")
        else:
            parsed_query = index.parse_query(tantivy_syntax(query), ["body"])
        return [address.doc for _, address in searcher.search(parsed_query, 50).hits]

    return seconds, sum(f.stat().st_size for f in path.iterdir()), search


def tantivy_syntax(query: str) -> str:
    """Every word required (Tantivy's parser joins words with OR)."""
    return query if query.startswith('"') else " ".join(f"+{word}" for word in query.split())


STARTUP = {
    "fts5": "import sqlite3; c = sqlite3.connect({path!r}); "
    "c.execute(\"SELECT rowid FROM p WHERE p MATCH 'zyxquillion' ORDER BY rank LIMIT 50\").fetchall()",
    "tantivy": "import tantivy; i = tantivy.Index.open({path!r}); "
    "i.searcher().search(i.parse_query('zyxquillion', ['body']), 50)",
}


def startup(engine: str, path: Path) -> float:
    """Seconds a fresh Python takes to import the engine, open the index and answer one query
    (timed inside that process; the fastest of 7, the least disturbed by other work)."""
    code = "import time; t = time.perf_counter(); " + STARTUP[engine].format(path=str(path))
    code += "; print(time.perf_counter() - t)"
    runs = [
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        for _ in range(7)
    ]
    return min(float(run.stdout) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/reader-search-bench"))
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    library = args.folder / "library"
    texts, size = passages_of(library, args.stories)
    queries = sample_queries(library, random.Random(args.seed + 1), 30)
    print(f"{args.stories} stories, {size / 1e6:.0f} MB, {len(texts)} passages\n")
    engines: dict[str, Callable[..., tuple[float, int, Callable[[str], list[int]]]]] = {"fts5": build_fts5}
    try:
        import tantivy  # noqa: F401

        engines["tantivy"] = build_tantivy
    except ImportError:
        print("tantivy is not installed: FTS5 only\n")
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        for name, build in engines.items():
            seconds, disk, search = build(texts, Path(scratch))
            print(f"{name:8} build {seconds:6.1f} s  {size / 1e6 / seconds:5.1f} MB/s   "
                  f"size {disk / 1e6:6.0f} MB ({disk / size:.2f}x)")  # fmt: skip
            for kind, items in queries.items():
                for query in items:
                    search(query)  # warm
                times = []
                for query in items:
                    started = time.perf_counter()
                    search(query)
                    times.append(time.perf_counter() - started)
                times.sort()
                p95 = times[round(0.95 * (len(times) - 1))]
                print(f"         {kind:7} median {statistics.median(times) * 1000:6.1f} ms  "
                      f"p95 {p95 * 1000:6.1f} ms  max {times[-1] * 1000:6.1f} ms")  # fmt: skip
            where = Path(scratch) / ("fts5.sqlite3" if name == "fts5" else "tantivy")
            print(f"         start-up (import, open, one query) {startup(name, where) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
