"""Saving the reading state without a pause: debounced, on a writer thread, retried.

The UI thread takes copies of the stories that changed (:meth:`State.jobs`) and hands them to
one writer thread, which writes each story's small file (lock, re-read, merge, replace); the
results come back to the UI thread (``loop.call_soon_threadsafe``) and are merged into
memory there. A key press never waits on the disk. A lock another reader keeps, or a full
disk, leaves the story to be written again a little later; nothing is written unmerged.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.state import LockBusy

if TYPE_CHECKING:
    from reader.state import State
    from reader.state.saving import Job, Written

#: The state is written at most this often while paging (seconds): one small file, off the UI thread.
SAVE_INTERVAL = 0.5
#: After a busy lock, how soon the save is tried again (seconds).
BUSY_RETRY = 0.5
#: After a failed write (a full or read-only disk), how soon it is tried again (seconds).
RETRY_INTERVAL = 5.0

Done = Callable[[bool], None]
Report = Callable[[str, bool], None]  # (message, it is an error)
_Batch = tuple[list["Job"], Done | None]


class Autosave:
    """One writer thread for one :class:`State`; every method but the thread's runs on the UI loop."""

    def __init__(self, state: State, report: Report, changed: Callable[[], None]) -> None:
        self.state = state
        self.report = report  # tell the user (a notice), once per trouble
        self.changed = changed  # memory took something another reader wrote
        self._queue: queue.Queue[_Batch | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="reader-autosave", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due: asyncio.TimerHandle | None = None
        self._last = 0.0
        self._failing = False
        self.busy = 0  # batches handed to the thread and not yet back
        self._in_hand: dict[int, Job] = {}  # jobs handed to the thread whose results are not in

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread.start()

    def request(self) -> None:
        """Save soon: at most once every :data:`SAVE_INTERVAL` seconds."""
        if self._due is not None or self._loop is None:
            return
        wait = max(0.05, SAVE_INTERVAL - (time.monotonic() - self._last))
        self._due = self._loop.call_later(wait, self.flush)

    def flush(self, then: Done | None = None) -> None:
        """Hand every changed story to the writer now; ``then(saved)`` runs when it is done."""
        if self._due is not None:
            self._due.cancel()
            self._due = None
        self._last = time.monotonic()
        jobs = [] if self.state.read_only else self.state.jobs()
        if not jobs or self._loop is None or not self._thread.is_alive():
            if jobs:  # no thread (not started, or stopped): write here
                self._finish(self._write_all(jobs), then)
            elif then is not None:
                then(True)
            return
        self.busy += 1
        self._in_hand.update((id(job), job) for job in jobs)
        self._queue.put((jobs, then))

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            jobs, then = batch
            results = self._write_all(jobs)
            try:
                assert self._loop is not None
                self._loop.call_soon_threadsafe(self._finish, results, then)
            except RuntimeError:  # the loop is closed: the exit's own save takes over
                for job in jobs:
                    self.state.failed(job)
                    self._in_hand.pop(id(job), None)

    def _write_all(self, jobs: list[Job]) -> list[Written | tuple[Job, Exception]]:
        results: list[Written | tuple[Job, Exception]] = []
        for job in jobs:
            try:
                results.append(self.state.write(job))
            except (OSError, LockBusy) as error:
                results.append((job, error))
            except Exception as error:  # a bug must not stop saving for the session: say it, retry
                results.append((job, OSError(f"{type(error).__name__}: {error}")))
        return results

    def _finish(self, results: list[Written | tuple[Job, Exception]], then: Done | None) -> None:
        from reader.state.saving import Written  # imported by the writes that made these

        self.busy = max(0, self.busy - 1)
        trouble: Exception | None = None
        took = False
        for result in results:
            self._in_hand.pop(id(result.job if isinstance(result, Written) else result[0]), None)
            if isinstance(result, Written):
                before = self.state.stories.get(result.job.story_id)
                self.state.took(result)
                took = took or before != self.state.stories.get(result.job.story_id)
            else:
                job, error = result
                self.state.failed(job)
                trouble = trouble or error
        for notice in self.state.pop_notices():
            self.report(notice, False)
        if took:
            self.changed()
        if trouble is None:
            if self._failing:
                self.report("Your place is saved again.", False)
            self._failing = False
        else:
            self._retry(trouble)
        if then is not None:
            then(trouble is None)

    def _retry(self, error: Exception) -> None:
        busy = isinstance(error, LockBusy)
        if not busy and not self._failing:
            strerror = getattr(error, "strerror", None) or error
            self.report(
                f"Could not save your place in {self.state.folder}: {strerror}. Reading goes on; "
                "saving will be retried.",
                True,
            )
            self._failing = True
        if self._loop is not None and self._due is None:
            self._due = self._loop.call_later(BUSY_RETRY if busy else RETRY_INTERVAL, self.flush)

    def stop(self, timeout: float = 2.0) -> None:
        """Let the writer finish what it holds (at most ``timeout`` seconds) and end it."""
        if self._due is not None:
            self._due.cancel()
            self._due = None
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
        # What the writer still holds (a lock that does not answer) or wrote without the loop
        # taking the result: the exit's own save writes it again (merged: no harm done twice).
        for job in list(self._in_hand.values()):
            self.state.failed(job)
        self._in_hand.clear()
