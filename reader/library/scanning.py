"""Scanning a library folder: the metadata cache first, then the rest parsed in worker processes.

``run_scan`` is what ``library.scan_batches`` runs. The walk and one stat a story find what
the cache still knows, which comes out at once in one batch; the other stories are parsed —
on the scanning thread when they are few, else by a pool of "spawn" processes (the UI
process has threads, so no plain fork), which keeps both cores busy and keeps a 4 MB story's
parse out of the UI process's memory. Their entries come out in batches about every
0.15 s (the first as soon as one is ready) and are written to the cache as they come.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path
from typing import Protocol, TypeVar

from reader.formats import files as format_files
from reader.formats.files import natural_key
from reader.library.cache import CachedRow, MetadataCache, default_cache_path, metadata_json
from reader.library.listing import ScanBatch, StoryEntry, read_entry, story_listing

_LOG = logging.getLogger(__name__)
StopCheck = Callable[[], bool]


class _Parsed(Protocol):
    path: Path


Parsed = TypeVar("Parsed", bound=_Parsed)
#: What a worker runs on a chunk of stories: ``read_chunk`` for the library list; the search
#: index passes its own, which gives the list's entries and its passages from one parse.
ChunkReader = Callable[[list[Path], Path], list[Parsed]]
#: Fewer stories to parse than this: parse them on the scanning thread (a pool costs ~0.3 s).
PARALLEL_FROM = 24
#: Seconds between two batches of freshly parsed stories.
BATCH_SECONDS = 0.15
#: Stories handed to a worker at a time, once the first few came back one by one.
CHUNK = 4
#: Chunks submitted to each worker ahead of what the caller has taken.
IN_FLIGHT = 3


def worker_count() -> int:
    """Processes that parse a cold library: ``READER_SCAN_WORKERS``, else one a core (≤ 4);
    0 or 1 parses on the scanning thread."""
    configured = os.environ.get("READER_SCAN_WORKERS", "").strip()
    if configured.isdigit():
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def run_scan(root: Path, cache_path: Path, should_stop: StopCheck = lambda: False) -> Iterator[ScanBatch]:
    files = story_listing(root)
    total = len(files)
    cache = MetadataCache(cache_path, format_files.MAX_FILE_BYTES)
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
    root: Path, paths: list[Path], should_stop: StopCheck, read: ChunkReader[Parsed] | None = None
) -> Generator[list[Parsed], None, None]:
    """``read`` (``read_chunk`` when None) of ``paths``, in batches about every BATCH_SECONDS
    (the first as soon as one is ready), in worker processes when there are many; stops
    early, within about BATCH_SECONDS, once ``should_stop()`` is true."""
    reader: ChunkReader[Parsed] = read if read is not None else read_chunk  # type: ignore[assignment]
    workers = worker_count()
    if len(paths) < PARALLEL_FROM or workers <= 1:
        yield from _on_this_thread(root, paths, should_stop, reader)
        return
    left = dict.fromkeys(paths)
    try:
        for batch in _in_workers(root, paths, workers, should_stop, reader):
            for entry in batch:
                left.pop(entry.path, None)
            yield batch
    except Exception as error:  # noqa: BLE001 - whatever it is, the stories are still read
        # a worker died (out of memory?) or processes cannot be started here: go on alone
        if not isinstance(error, BrokenProcessPool):
            _LOG.warning(
                "parsing in worker processes failed (%s: %s); parsing here", type(error).__name__, error
            )
        yield from _on_this_thread(root, list(left), should_stop, reader)


def _on_this_thread(
    root: Path, paths: list[Path], should_stop: StopCheck, read: ChunkReader[Parsed]
) -> Iterator[list[Parsed]]:
    """The stories parsed one by one — on a daemon thread of their own, waited for here while
    ``should_stop()`` is false: a story that takes seconds never holds up quitting (the
    caller's thread may be one the interpreter joins at exit)."""
    done: queue.Queue[list[Parsed] | None] = queue.Queue()

    def parse_all() -> None:
        try:
            for path in paths:
                if should_stop():
                    return
                done.put(read([path], root))
        finally:
            done.put(None)

    threading.Thread(target=parse_all, name="reader-scan-parse", daemon=True).start()
    batch: list[Parsed] = []
    last: float | None = None
    while True:
        try:
            parsed = done.get(timeout=BATCH_SECONDS)
        except queue.Empty:
            if should_stop():
                return
            continue
        if parsed is None:
            break
        batch.extend(parsed)
        now = time.monotonic()
        if last is None or now - last >= BATCH_SECONDS:
            yield batch
            batch, last = [], now
    if batch and not should_stop():
        yield batch


def _in_workers(
    root: Path, paths: list[Path], workers: int, should_stop: StopCheck, read: ChunkReader[Parsed]
) -> Iterator[list[Parsed]]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    _start_resource_tracker()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(format_files.MAX_FILE_BYTES, format_files.FOLLOW_OUTSIDE_LINKS),
    )
    futures: list[Future[list[Parsed]]] = []
    try:
        first = 2 * workers  # one story a task at first, so that the first rows come soon
        chunks = [paths[i : i + 1] for i in range(min(first, len(paths)))]
        chunks += [paths[i : i + CHUNK] for i in range(first, len(paths), CHUNK)]
        queued = iter(chunks)
        pending: set[Future[list[Parsed]]] = set()

        def submit(count: int) -> None:
            for chunk in islice(queued, count):
                futures.append(pool.submit(read, chunk, root))
                pending.add(futures[-1])

        # a few chunks a worker in flight, no more: what the caller has not taken yet is not
        # parsed ahead and held in memory (the search index's build writes slower than two
        # processes parse, and millions of parsed passages piling up made the garbage
        # collector pause the UI thread)
        submit(IN_FLIGHT * workers)
        batch: list[Parsed] = []
        last: float | None = None
        while pending and not should_stop():
            timeout = BATCH_SECONDS if last is None else max(0.0, last + BATCH_SECONDS - time.monotonic())
            finished, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            pending -= finished
            for future in finished:
                if not future.cancelled():
                    batch.extend(future.result())
            submit(len(finished))
            now = time.monotonic()
            if batch and (last is None or now - last >= BATCH_SECONDS):
                yield batch
                batch, last = [], now
        if batch:
            yield batch
    finally:
        # Cancel what has not started here: shutdown(cancel_futures=True) alone does it only
        # while the pool object lives, and it goes with this frame (a weak reference); then
        # the interpreter's exit would wait for every story still queued.
        for future in futures:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr: under Textual,
    ``sys.stderr`` is a capture whose ``fileno()`` is -1, and "spawn" then fails with "bad
    value(s) in fds_to_keep". The tracker's stderr is /dev/null, not the screen."""
    from multiprocessing import resource_tracker

    try:
        if sys.stderr is not None and sys.stderr.fileno() >= 0:
            return resource_tracker.ensure_running()
    except (AttributeError, OSError, ValueError):
        pass
    captured = sys.stderr
    with open(os.devnull, "w") as quiet:
        sys.stderr = quiet
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = captured


def _start_worker(size_limit: int, follow_outside_links: bool = False) -> None:
    """In each worker: the reader's size limit and links setting, and no output onto the
    reader's screen."""
    import signal

    format_files.MAX_FILE_BYTES = size_limit
    format_files.FOLLOW_OUTSIDE_LINKS = follow_outside_links
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl+c is the reader's to answer, not the workers'
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    os.close(quiet)


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
