"""Scanning a library folder: the metadata cache first, then the rest parsed in worker processes.

``run_scan`` is what ``library.scan_batches`` runs. The walk and one stat a story find what
the cache still knows, which comes out at once in one batch; the other stories are parsed —
on a thread when they are few and small, else by worker processes (``reader.library.workers``),
which keep both cores busy, keep a 4 MB story's parse out of the UI process's memory, and
can be killed: a story that takes longer than ``parse_seconds`` is abandoned, its entry
says so, and the rest of the library goes on. Their entries come out in batches about every
0.15 s (the first as soon as one is ready) and are written to the cache as they come; an
abandoned story's too (the next start does not spend the limit on it again), until its file
changes or ``parse_seconds`` does.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from reader.formats import files as format_files
from reader.formats.files import natural_key
from reader.library.cache import CachedRow, MetadataCache, default_cache_path, files_signature, metadata_json
from reader.library.listing import ScanBatch, StoryEntry, failed_entry, read_entry, story_listing
from reader.library.workers import ChunkReader, Failed, Parsed, in_processes, on_threads

__all__ = ["ChunkReader", "Parsed", "parsed", "read_chunk", "row_of", "scan", "scan_batches", "worker_count"]
_LOG = logging.getLogger(__name__)
StopCheck = Callable[[], bool]
#: Fewer stories to parse than this, none bigger than ON_THREAD_BYTES: parse them on a thread
#: of this process (a worker process costs ~0.15 s before its first story).
PARALLEL_FROM = 24
ON_THREAD_BYTES = 1 << 20


def worker_count() -> int:
    """Processes that parse a cold library: ``READER_SCAN_WORKERS``, else one a core (≤ 4);
    0 parses on a thread of this process (then a story past the time limit cannot be stopped)."""
    configured = os.environ.get("READER_SCAN_WORKERS", "").strip()
    if configured.isdigit():
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def run_scan(root: Path, cache_path: Path, should_stop: StopCheck = lambda: False) -> Iterator[ScanBatch]:
    files = story_listing(root)
    total = len(files)
    cache = MetadataCache(cache_path, format_files.MAX_FILE_BYTES, format_files.PARSE_SECONDS)
    cache.open()
    try:
        known = cache.rows()
        hits: list[StoryEntry] = []
        todo: list[tuple[Path, str, tuple[int, int] | None]] = []
        for path, rel, sig in files:
            row = known.pop(rel, None)
            entry = None
            if sig is not None and row is not None and row[1:3] == sig:
                entry = entry_from_row(path, row)
            if entry is not None:
                hits.append(entry)
            else:
                todo.append((path, rel, sig))
        yield ScanBatch(hits, len(hits), total, final=not todo)
        cache.forget(known)  # what is left of it: stories whose files are gone
        if not todo:
            return
        done = len(hits)
        sigs = {path: (rel, sig) for path, rel, sig in todo}
        for entries in parsed(root, [path for path, _, _ in todo], should_stop, read_chunk):
            done += len(entries)
            rows = [row_of(sigs[e.path][0], sig, e) for e in entries if (sig := sigs[e.path][1]) is not None]
            cache.store(rows)
            yield ScanBatch(entries, done, total, final=False)
        if not should_stop():
            yield ScanBatch([], done, total, final=True)
    finally:
        cache.close()


def entry_from_row(path: Path, row: CachedRow) -> StoryEntry | None:
    """The entry a cache row holds; None for a row that does not make one (parse again)."""
    _, _, _, story_id, title, author, words, chapters, metadata, error = row
    try:
        fields = json.loads(metadata)
    except (TypeError, ValueError):
        return None
    if not isinstance(fields, dict):
        return None
    return StoryEntry(path, story_id, title, author, words, chapters, fields, error)


def row_of(rel: str, sig: tuple[int, int], entry: StoryEntry) -> CachedRow:
    meta = metadata_json(entry.metadata)
    return (rel, *sig, entry.id, entry.title, entry.author, entry.words, entry.chapters, meta, entry.error)


def parsed(
    root: Path,
    paths: list[Path],
    should_stop: StopCheck,
    read: ChunkReader[Parsed] | None = None,
    failed: Failed[Parsed] | None = None,
) -> Generator[list[Parsed], None, None]:
    """``read`` (``read_chunk`` when None) of ``paths``, in batches about every BATCH_SECONDS
    (the first as soon as one is ready), in worker processes unless they are few and small;
    stops early, within about BATCH_SECONDS, once ``should_stop()`` is true. A story that
    takes longer than ``parse_seconds`` is abandoned: ``failed`` (``failed_entry`` when None)
    gives its item, with the reason."""
    reader: ChunkReader[Parsed] = read if read is not None else read_chunk  # type: ignore[assignment]
    failing: Failed[Parsed] = failed if failed is not None else failed_entry  # type: ignore[assignment]
    limit = format_files.PARSE_SECONDS
    workers = worker_count()
    rest = paths
    if workers == 0 or (len(paths) < PARALLEL_FROM and _all_small(paths)):
        rest = yield from on_threads(root, paths, should_stop, reader, failing, limit)
    while rest and not should_stop():
        if workers > 0:
            left = dict.fromkeys(rest)
            count = min(workers, len(rest))
            try:
                for batch in in_processes(root, rest, count, should_stop, reader, failing, limit):
                    for item in batch:
                        left.pop(item.path, None)
                    yield batch
                return
            except Exception as error:  # noqa: BLE001 - whatever it is, the stories are still read
                # processes cannot be started here (or a bug): go on with threads
                _LOG.warning("parsing in worker processes failed (%s); parsing here", error)
                workers, rest = 0, list(left)
        rest = yield from on_threads(root, rest, should_stop, reader, failing, limit)


def _all_small(paths: list[Path]) -> bool:
    """Every story is at most ON_THREAD_BYTES: parsed on a thread, one past the limit costs
    a few seconds of it at most (the parsers are linear), not minutes."""
    for path in paths:
        sig = files_signature(path)
        if sig is not None and sig[1] > ON_THREAD_BYTES:
            return False
    return True


def read_chunk(paths: list[Path], root: Path) -> list[StoryEntry]:
    """Entries of ``paths`` (run in a worker process)."""
    return [read_entry(path, root) for path in paths]


def scan_batches(
    root: Path, cache_path: Path | None = None, should_stop: Callable[[], bool] | None = None
) -> Iterator[ScanBatch]:
    """Every story under ``root``, in batches: first, in one batch, all the ones the metadata
    cache still knows (same mtime and size); then the rest as they are parsed, a batch about
    every 0.1-0.2 s. The last batch has ``final=True`` (it may be empty). Stories whose files
    are gone are not yielded. Runs on any thread (the UI's worker); see ``reader.library.scanning``.

    ``should_stop()`` (e.g. "the worker was cancelled") is asked between stories and while
    waiting for the parsing processes: once true, the scan ends within ~0.15 s, with no final
    batch, and the stories not yet parsed are dropped (quitting mid-way through a cold scan
    must not wait for it)."""
    cache = cache_path if cache_path is not None else default_cache_path(root)
    yield from run_scan(Path(root), cache, should_stop or (lambda: False))


def scan(root: Path, cache_path: Path | None = None) -> list[StoryEntry]:
    """Every story under ``root``, in the library's order (through the metadata cache)."""
    entries: dict[Path, StoryEntry] = {}
    for batch in scan_batches(root, cache_path):
        entries.update((entry.path, entry) for entry in batch.entries)
    return sorted(entries.values(), key=lambda entry: natural_key(entry.path.relative_to(root).as_posix()))
