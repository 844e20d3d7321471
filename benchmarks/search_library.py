"""Library search at scale: a 5,000-story, 1 GB library through ``reader.search.index``.

Generates (once; reused while the seed matches) a deterministic library of plain-text
stories of varied sizes, from a few thousand invented words and common English words with a
Zipf-like frequency, with a few rare words and a phrase planted in known stories. Then
prints, for this machine:

* the index build time and throughput (MB/s), and beside it the index's size on disk and
  its ratio to the library's;
* query latency, median / p95 / max over 30 queries each of single words, two-word phrases
  and four-letter prefixes (plus the most common word, the worst case for ranking);
* update time with nothing changed, after one story changed, and after one added and one
  removed (the library is put back afterwards);
* regex mode: patterns holding a run of three letters (narrowed by the index) and one
  without (every passage is read);
* a full scan (Python ``re`` over every file's text) for a sample of the same queries, and
  how many times faster the index is.

``--hits FILE`` writes the top hits of every query to FILE (JSON), taken after the updates;
``--compare FILE`` says how many queries give the same hits, in the same order, as such a
file. ``--code DIR`` runs another checkout's ``reader`` (the same queries against the code
before a change):

    python benchmarks/search_library.py --code /path/to/old/checkout --hits /tmp/before.json
    python benchmarks/search_library.py --compare /tmp/before.json

Usage: python benchmarks/search_library.py [--folder /tmp/reader-search-bench] [--stories 5000]
       [--megabytes 1000] [--seed 7] [--no-scan]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

_CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv[:-1] else None
sys.path.insert(0, str(_CODE or Path(__file__).resolve().parent.parent))

from reader.search.index import SearchIndex  # noqa: E402

COMMON = (
    "the and to of a in was he she it that his her with as had for you on at but they not be "
    "said from all were there one have them this by out up into what so could would when over "
    "back down no like then if about their him been just only before through more now did again "
    "than some after who where little know our time eyes hand way door light voice face night long "
    "room still even away never nothing something thought looked turned felt made want"
).split()
SYLLABLES = (
    "ka lo mi ren tha vel dor sin qua bri eth mor lun ast pel gri ves tor nim oa ul cy fen jar".split()
)
RARE_WORD = "zyxquillion"  # planted in three stories
RARE_PHRASE = "amber lantern protocol"  # planted in two stories
NEW_WORD = "quendralith"  # added by the incremental update


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3, 3, 3, 4)))))
    invented = sorted(words)
    rng.shuffle(invented)
    return COMMON + invented  # rank order: common English first


def story_text(rng: random.Random, index: int, size: int, vocab: list[str], cum: list[float]) -> str:
    names = rng.sample(vocab[len(COMMON) :], 4)
    header = (
        f"Title: The {names[0].title()} of {names[1].title()}\nAuthor: {names[2].title()}\n"
        f"Fandom: {['Skyward Archive', 'Tidewater', 'The Long Road', 'Hollow Stars'][index % 4]}\n"
        f"Tags: {names[3]}, {'slow burn' if index % 3 else 'angst'}\n\n"
    )
    words = rng.choices(vocab, cum_weights=cum, k=max(200, size // 6))
    parts: list[str] = []
    chapter, at = 0, 0
    while at < len(words):
        if at == 0 or rng.random() < 0.01:
            chapter += 1
            parts.append(f"Chapter {chapter}: {rng.choice(vocab[len(COMMON) :]).title()}")
        n = rng.randint(15, 180)
        sentence = words[at : at + n]
        sentence[0] = sentence[0].capitalize()
        parts.append(" ".join(sentence) + ".")
        at += n
    if index in (11, 777, 1500):
        parts.insert(len(parts) // 2, f"And there, at last, was the {RARE_WORD} they had looked for.")
    if index in (42, 1999):
        parts.insert(len(parts) // 3, f"She read the {RARE_PHRASE} twice before she believed it.")
    return header + "\n\n".join(parts) + "\n"


def generate(folder: Path, stories: int, megabytes: int, seed: int) -> Path:
    library = folder / "library"
    marker = library / ".seed"
    key = f"{seed} {stories} {megabytes}"
    if marker.exists() and marker.read_text() == key:
        return library
    shutil.rmtree(library, ignore_errors=True)
    library.mkdir(parents=True)
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(vocab))))
    sizes = [rng.lognormvariate(0, 1.1) for _ in range(stories)]
    scale = megabytes * 1_000_000 / sum(sizes)
    started = time.perf_counter()
    for index, weight in enumerate(sizes):
        text = story_text(rng, index, max(4000, int(weight * scale)), vocab, cum)
        (library / f"story-{index:04d}.txt").write_text(text, encoding="utf-8")
    marker.write_text(key)
    print(f"generated {stories} stories in {time.perf_counter() - started:.0f} s")
    return library


def sample_queries(library: Path, rng: random.Random, count: int) -> dict[str, list[str]]:
    vocab = vocabulary(random.Random(int((library / ".seed").read_text().split()[0])))
    files = sorted(library.glob("*.txt"))
    phrases: list[str] = []
    while len(phrases) < count:
        text = rng.choice(files).read_text(encoding="utf-8")
        at = rng.randrange(len(text) // 2, len(text) - 200)
        pair = re.findall(r"[a-z]+", text[at : at + 200].lower())[1:3]
        if len(pair) == 2:
            phrases.append(f'"{pair[0]} {pair[1]}"')
    return {
        "word": rng.sample(vocab, count),
        "phrase": phrases,
        "prefix": [word[:4] + "*" for word in rng.sample(vocab[len(COMMON) :], count)],
    }


def scan_pattern(query: str) -> re.Pattern[str]:
    if query.endswith("*"):
        return re.compile(rf"\b{re.escape(query[:-1])}\w*", re.I)
    words = query.strip('"').split()
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\b", re.I)


def full_scan(files: list[Path], query: str) -> tuple[float, int]:
    pattern = scan_pattern(query)
    started = time.perf_counter()
    found = sum(len(pattern.findall(path.read_text(encoding="utf-8"))) for path in files)
    return time.perf_counter() - started, found


def timed(index: SearchIndex, query: str, regex: bool = False) -> tuple[float, int]:
    started = time.perf_counter()
    hits = index.search(query, regex=regex)
    return time.perf_counter() - started, len(hits)


#: Regex mode: three patterns holding a run of three letters, one without.
REGEXES = (RARE_WORD + "|" + NEW_WORD, r"amber\s+lan\w+", r"\bdoor\w*\s+(?:at|in)\b", r"\b[zq]\w{9}on\b")


def top_hits(index: SearchIndex, queries: dict[str, list[str]]) -> dict[str, list[list[object]]]:
    """The hits of every query, in order, as (story id, chapter, offset, length)."""
    found = {query: hit_keys(index, query) for items in queries.values() for query in items}
    for query in ("the", '"the door"', "th*", "fandom:tidewater door", RARE_WORD, f'"{RARE_PHRASE}"'):
        found[query] = hit_keys(index, query)
    for pattern in REGEXES:
        found["regex " + pattern] = hit_keys(index, pattern, regex=True)
    return found


def hit_keys(index: SearchIndex, query: str, regex: bool = False) -> list[list[object]]:
    return [[hit.id, hit.chapter, hit.offset, hit.length] for hit in index.search(query, regex=regex)]


def compare(found: dict[str, list[list[object]]], path: Path) -> str:
    before = json.loads(path.read_text(encoding="utf-8"))
    same = [query for query in found if before.get(query) == found[query]]
    differ = [query for query in found if query in before and before[query] != found[query]]
    return f"{len(same)} of {len(found)} queries: same hits, same order" + (
        f"; differ: {', '.join(differ[:5])}" if differ else ""
    )


def file_bytes(db: Path) -> int:
    return sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())


class Rows(list[tuple[str, str]]):
    """The table, printed a row at a time as it is measured."""

    def append(self, row: tuple[str, str]) -> None:
        super().append(row)
        print(f"{row[0]:<36}  {row[1]}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/reader-search-bench"))
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--megabytes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--code", type=Path, help="the checkout whose reader/ to run")
    parser.add_argument("--hits", type=Path, help="write every query's top hits here (JSON)")
    parser.add_argument("--compare", type=Path, help="compare the top hits with this file")
    parser.add_argument("--no-scan", action="store_true", help="skip the full scans")
    args = parser.parse_args()
    library = generate(args.folder, args.stories, args.megabytes, args.seed)
    files = sorted(library.glob("*.txt"))
    total_bytes = sum(path.stat().st_size for path in files)
    db = args.folder / "index.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(f"library: {len(files)} stories, {total_bytes / 1e6:.0f} MB in {library}")
    print(f"code: {Path(sys.modules['reader'].__file__ or '').parent}\n")
    rows = Rows()

    index = SearchIndex(library, db)
    report = index.update()
    build = report.seconds
    db_bytes = file_bytes(db)
    rows.append(
        (
            "index build",
            f"{build:8.1f} s   {total_bytes / 1e6 / build:.1f} MB/s, index {db_bytes / 1e6:,.0f} MB "
            f"({db_bytes / total_bytes:.2f}x the library), {report.added} stories, {report.failed} failed",
        )
    )

    checks = {RARE_WORD: 3, f'"{RARE_PHRASE}"': 2}
    for query, expected in checks.items():
        found = len({hit.id for hit in index.search(query)})
        rows.append((f"check {query}", f"{found} stories (expected {expected})"))

    queries = sample_queries(library, random.Random(args.seed + 1), args.queries)
    medians: dict[str, float] = {}
    for kind, items in queries.items():
        for query in items:  # warm-up pass
            index.search(query)
        times = sorted(timed(index, query)[0] for query in items)
        medians[kind] = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        rows.append(
            (
                f"query {kind} ({len(items)})",
                f"{ms(medians[kind])} median, {ms(p95)} p95, {ms(times[-1])} max   e.g. {items[0]}",
            )
        )
    for query in ("the", '"the door"', "th*"):
        seconds, hits = timed(index, query)
        rows.append((f"worst case {query}", f"{ms(seconds)}   ({hits} hits)"))
    author = re.search(r"^Author: (.*)$", files[42].read_text(encoding="utf-8"), re.M)
    assert author is not None
    for query in (f'author:"{author.group(1)}" door', "fandom:tidewater door", "fandom:tidewater"):
        seconds, hits = timed(index, query)
        rows.append((f"filter {query}", f"{ms(seconds)}   ({hits} hits)"))
    for pattern in REGEXES:
        seconds, hits = timed(index, pattern, regex=True)
        rows.append((f"regex {pattern}", f"{ms(seconds)}   ({hits} hits)"))

    index.close()
    first = SearchIndex(library, db).update().seconds  # a new index object checks the file first
    index = SearchIndex(library, db)
    again = statistics.median(index.update().seconds for _ in range(6))
    index.close()
    rows.append(("update, nothing changed", f"{ms(again)} median of 6 (the app's case); {ms(first)} first"))
    changed, added, removed = (
        files[min(1234, len(files) - 1)],
        library / "story-new.txt",
        files[321 % len(files)],
    )
    original, removed_text = changed.read_bytes(), removed.read_bytes()
    try:
        changed.write_bytes(original + f"\nThe {NEW_WORD} hummed in the dark.\n".encode())
        index = SearchIndex(library, db)
        report = index.update()
        found = bool(index.search(NEW_WORD))
        rows.append(
            (
                "update, one story changed",
                f"{ms(report.seconds)}   (changed={report.changed}, new word found: {found})",
            )
        )
        added.write_bytes(original)
        removed.unlink()
        report = index.update()
        rows.append(
            (
                "update, one added + one removed",
                f"{ms(report.seconds)}   (added={report.added}, removed={report.removed})",
            )
        )
    finally:
        changed.write_bytes(original)
        removed.write_bytes(removed_text)
        added.unlink(missing_ok=True)
    index.close()

    index = SearchIndex(library, db)
    index.update()
    rows.append(("index after the updates", f"{file_bytes(db) / 1e6:,.0f} MB"))
    # after the updates, so that two runs compare indexes in the same state (the story put
    # back has a new place in the index, which orders ties and unranked hits)
    found = top_hits(index, queries)
    if args.hits:
        args.hits.write_text(json.dumps(found), encoding="utf-8")
    if args.compare:
        rows.append(("top hits against --compare", compare(found, args.compare)))
    for kind, items in queries.items():
        if args.no_scan:
            break
        sample = items[:3]
        scans = [full_scan(files, query) for query in sample]
        scan = statistics.median(seconds for seconds, _ in scans)
        rows.append(
            (
                f"full scan {kind} ({len(sample)})",
                f"{scan:8.2f} s median   "
                f"{scan / medians[kind]:.0f}x slower than the index"
                f"   e.g. {sample[0]}: {scans[0][1]} matches",
            )
        )
    index.close()


if __name__ == "__main__":
    main()
