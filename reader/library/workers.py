"""Parsing stories under a time limit (``parse_seconds``): a story that takes longer is abandoned.

A thread cannot be stopped and ``re`` holds the GIL, so stories are parsed in worker
processes of our own ("spawn": the UI process has threads), one pipe each. A worker sends
each story's result; the parent knows what each worker holds and when its story began (as
the one before came back), and a worker whose story is not done ``limit`` seconds later is
killed and replaced: the story comes out as an entry with an error (``failed``), and the
library goes on. A worker that dies (out of memory, a ``kill -9``) is replaced too; its
story is tried once more, then given up. The few small stories of a small library are
parsed on a thread instead (``on_threads``: a process costs ~0.15 s to start); there, a
story past the limit is left to its thread, unseen, and the rest go on elsewhere.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol, TypeVar

from reader.clean import display_name
from reader.formats import files as format_files
from reader.formats.errors import too_slow_reason

_LOG = logging.getLogger(__name__)
StopCheck = Callable[[], bool]


class _Parsed(Protocol):
    path: Path


Parsed = TypeVar("Parsed", bound=_Parsed)
#: What a worker runs on a chunk of stories (see ``scanning.ChunkReader``).
ChunkReader = Callable[[list[Path], Path], list[Parsed]]
#: The item for a story that could not be parsed: (path, root, reason).
Failed = Callable[[Path, Path, str], Parsed]
#: Seconds between two batches of freshly parsed stories.
BATCH_SECONDS = 0.15
#: Stories handed to a worker at a time, once the first few came back one by one.
CHUNK = 4
#: Chunks sent to each worker ahead of what the caller has taken.
IN_FLIGHT = 2
#: Seconds a new worker may take to say anything: longer, and processes do not work here.
START_SECONDS = 30.0
#: Seconds a story may hold up the ones sent to its worker after it, once the others have
#: nothing left to do: then they are parsed elsewhere (and what it sends of them dropped).
STEAL_SECONDS = 0.5


class NoProcesses(Exception):
    """Worker processes cannot be started here (or die before they parse anything)."""


def died_reason(path: Path, times: int = 2) -> str:
    again = ", twice" if times == 2 else ""
    return f"{display_name(path.name)}: the process reading it ended unexpectedly{again}"


def on_threads(
    root: Path,
    paths: list[Path],
    should_stop: StopCheck,
    read: ChunkReader[Parsed],
    failed: Failed[Parsed],
    limit: float,
) -> Generator[list[Parsed], None, list[Path]]:
    """The stories parsed one by one on a daemon thread, in batches about every BATCH_SECONDS,
    while ``should_stop()`` is false (the caller's thread may be one the interpreter joins at
    exit). A story not done after ``limit`` seconds comes out as ``failed`` and its thread is
    left to finish it unseen; returns the stories not parsed then (else ``[]``)."""
    events: queue.Queue[list[Parsed] | None] = queue.Queue()
    given_up = threading.Event()
    # the story being parsed and since when: read here, with no message (a message a story
    # more would wake this thread, which then takes the GIL from the parse for 5 ms)
    current: list[tuple[int, float]] = []

    def parse_all() -> None:
        try:
            for n, path in enumerate(paths):
                if should_stop() or given_up.is_set():
                    return
                current[:] = [(n, time.monotonic())]
                events.put(read([path], root))
        finally:
            events.put(None)

    threading.Thread(target=parse_all, name="reader-scan-parse", daemon=True).start()
    batch: list[Parsed] = []
    last: float | None = None
    while True:
        try:
            event = events.get(timeout=BATCH_SECONDS)
        except queue.Empty:
            if should_stop():
                return []
            (n, since), *_ = current or [(0, time.monotonic())]
            if time.monotonic() - since > limit:
                given_up.set()
                batch.append(failed(paths[n], root, too_slow_reason(paths[n], limit)))
                yield batch
                return paths[n + 1 :]
            continue
        if event is None:
            break
        batch.extend(event)
        now = time.monotonic()
        if last is None or now - last >= BATCH_SECONDS:
            yield batch
            batch, last = [], now
    if batch and not should_stop():
        yield batch
    return []


class _Job:
    """A story sent to a worker; ``wanted`` is false once it was given to another worker."""

    __slots__ = ("path", "wanted")

    def __init__(self, path: Path) -> None:
        self.path, self.wanted = path, True


class _Worker:
    """One worker process, its pipe, and the chunks sent to it not yet all answered."""

    def __init__(self, read: ChunkReader[Any]) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        limits = (format_files.MAX_FILE_BYTES, format_files.FOLLOW_OUTSIDE_LINKS)
        self.process = context.Process(
            target=_serve, args=(theirs, read, *limits), name="reader-parse", daemon=True
        )
        try:
            start_quietly(self.process)
        finally:
            theirs.close()
        self.born = time.monotonic()
        self.heard = False  # it has said something: it started
        self.chunks: deque[list[_Job]] = deque()
        self.since: float | None = None  # when the story at the head of ``chunks`` began

    def give(self, chunk: list[Path], root: Path) -> None:
        if not self.chunks and self.heard:  # idle: it starts on it now
            self.since = time.monotonic()
        self.conn.send((chunk, root))
        self.chunks.append([_Job(path) for path in chunk])

    def held(self) -> list[_Job]:
        return [job for chunk in self.chunks for job in chunk]

    def answered(self) -> _Job:
        """The story at the head is done: its job, no longer held."""
        job = self.chunks[0].pop(0)
        if not self.chunks[0]:
            self.chunks.popleft()
        self.since = time.monotonic() if self.chunks else None  # it goes on with the next
        return job

    def stuck(self, now: float) -> bool:
        """Its story has taken long enough for the ones waiting behind it to go elsewhere."""
        return self.since is not None and now - self.since >= STEAL_SECONDS

    def waiting(self) -> list[_Job]:
        """The stories sent here behind the one being parsed, not given to another since."""
        return [job for job in self.held()[1:] if job.wanted]

    def steal(self) -> list[Path]:
        """The stories waiting behind one that has taken long (another worker is idle)."""
        waiting = self.waiting()
        for job in waiting:
            job.wanted = False
        return [job.path for job in waiting]

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(2)
        except (OSError, ValueError, AttributeError):  # never started, or gone already
            pass
        self.conn.close()


def in_processes(
    root: Path,
    paths: list[Path],
    workers: int,
    should_stop: StopCheck,
    read: ChunkReader[Parsed],
    failed: Failed[Parsed],
    limit: float,
) -> Generator[list[Parsed], None, None]:
    """``read`` of ``paths`` in ``workers`` processes, in batches about every BATCH_SECONDS (the
    first as soon as one is ready); a story over ``limit`` seconds is ``failed`` and its worker
    replaced. Raises NoProcesses when processes cannot be started here."""
    start_resource_tracker()
    pool = _Pool(root, paths, workers, read, failed, limit)
    last: float | None = None
    try:
        pool.start()
        while not should_stop():
            now = time.monotonic()
            busy = pool.feed(now)
            if not busy:
                break
            ends = pool.deadlines(busy, now)
            if pool.batch and last is not None:
                ends.append(last + BATCH_SECONDS)
            ready = wait([w.conn for w in busy], timeout=max(0.0, min(ends) - now))
            for worker in busy:
                if worker.conn in ready:
                    pool.receive(worker)
            now = time.monotonic()
            pool.check(now)
            if pool.batch and (last is None or now - last >= BATCH_SECONDS):
                yield pool.take()
                last = now
        if pool.batch:
            yield pool.take()
    finally:
        pool.close()


class _Pool:
    """The worker processes, the stories not sent yet, and what came back."""

    def __init__(
        self,
        root: Path,
        paths: list[Path],
        count: int,
        read: ChunkReader[Any],
        failed: Failed[Any],
        limit: float,
    ) -> None:
        self.root, self.count, self.read, self.failed, self.limit = root, count, read, failed, limit
        first = 2 * count  # one story a chunk at first, so that the first rows come soon
        self.todo = deque([paths[i : i + 1] for i in range(min(first, len(paths)))])
        self.todo += [paths[i : i + CHUNK] for i in range(first, len(paths), CHUNK)]
        self.workers: list[_Worker] = []
        self.deaths: dict[Path, int] = {}
        self.starts_failed = 0
        self.batch: list[Any] = []

    def start(self) -> None:
        try:
            self.workers.extend(_Worker(self.read) for _ in range(min(self.count, len(self.todo))))
        except Exception as error:  # noqa: BLE001 - whatever it is, processes do not start here
            raise NoProcesses(f"{type(error).__name__}: {error}") from error

    def feed(self, now: float) -> list[_Worker]:
        """Send stories to the workers that are not stuck (taking back those waiting behind a
        stuck one when another worker is idle); the workers that hold stories."""
        if not self.todo and not all(worker.chunks for worker in self.workers):
            for worker in filter(lambda worker: worker.stuck(now), self.workers):
                self.todo.extend([path] for path in worker.steal())
        for worker in self.workers:
            while self.todo and len(worker.chunks) < IN_FLIGHT and not worker.stuck(now):
                worker.give(self.todo.popleft(), self.root)
        return [worker for worker in self.workers if worker.chunks]

    def deadlines(self, busy: list[_Worker], now: float) -> list[float]:
        """When to look again: a story's limit, stories to take back, a worker's start."""
        ends = [now + BATCH_SECONDS]
        ends += [w.since + self.limit for w in busy if w.since is not None]
        if not self.todo and len(busy) < len(self.workers):
            ends += [w.since + STEAL_SECONDS for w in busy if w.since is not None and w.waiting()]
        ends += [w.born + START_SECONDS for w in busy if not w.heard]
        return ends

    def receive(self, worker: _Worker) -> None:
        """What ``worker`` sent; a worker that died is replaced, its story tried once more."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if not worker.heard:  # it is ready: its first story starts now
                    worker.heard = True
                    worker.since = time.monotonic() if worker.chunks else None
                elif worker.answered().wanted:
                    self.batch.extend(message)
        except (EOFError, OSError):  # it died
            if worker.chunks and not worker.heard:
                self.starts_failed += 1
                if self.starts_failed >= 2:
                    raise NoProcesses("worker processes end as they start") from None
            if not worker.chunks or not worker.heard:
                self.replace(worker, None)
                return
            head = worker.held()[0].path
            self.deaths[head] = self.deaths.get(head, 0) + 1
            self.replace(worker, died_reason if self.deaths[head] >= 2 else None)

    def check(self, now: float) -> None:
        """Kill the workers whose story is over the limit."""
        for worker in list(self.workers):
            if worker.since is not None and now - worker.since > self.limit:
                self.replace(worker, lambda path: too_slow_reason(path, self.limit))
            elif worker.chunks and not worker.heard and now - worker.born > START_SECONDS:
                raise NoProcesses("a worker process did not start")

    def replace(self, worker: _Worker, reason: Callable[[Path], str] | None) -> None:
        """Kill ``worker`` and start another; its story is ``failed`` (``reason``) or tried
        again, the rest of what it held goes back to the front of the queue."""
        worker.kill()
        held = worker.held()
        if held and reason is not None:
            if held[0].wanted:
                self.batch.append(self.failed(held[0].path, self.root, reason(held[0].path)))
            held = held[1:]
        self.todo.extendleft(reversed([[job.path] for job in held if job.wanted]))
        self.workers[self.workers.index(worker)] = _Worker(self.read)

    def take(self) -> list[Any]:
        batch, self.batch = self.batch, []
        return batch

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()


def start_quietly(process: Any) -> None:
    """Start ``process`` so that a ctrl+c while it starts up is never its to answer (it would
    print a traceback): on the main thread, SIGINT is ignored while it starts (a child keeps
    an ignored signal) and held back from this process meanwhile, not lost."""
    on_main = threading.current_thread() is threading.main_thread()
    if not on_main or not hasattr(signal, "pthread_sigmask") or signal.getsignal(signal.SIGINT) is None:
        process.start()  # (None: a handler set outside Python, which could not be put back)
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    answer = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process.start()
    finally:
        signal.signal(signal.SIGINT, answer)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _serve(conn: Connection, read: ChunkReader[Any], size_limit: int, follow_outside_links: bool) -> None:
    """A worker: says it is ready, then takes chunks of stories and sends each story's result
    (the parent counts a story's time from the one before it, or from when it sent it)."""
    start_worker(size_limit, follow_outside_links)
    conn.send(None)
    while True:
        try:
            chunk, root = conn.recv()
        except (EOFError, OSError):  # the reader is gone
            return
        for path in chunk:
            conn.send(read([path], root))


def start_worker(size_limit: int, follow_outside_links: bool = False) -> None:
    """In each worker: the reader's size limit and links setting, no ctrl+c (the reader's to
    answer), and no output onto the reader's screen (a story's parse that prints)."""
    format_files.MAX_FILE_BYTES = size_limit
    format_files.FOLLOW_OUTSIDE_LINKS = follow_outside_links
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    os.close(quiet)


def start_resource_tracker() -> None:
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
