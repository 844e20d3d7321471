"""A closed terminal ends the reader, always, within 2 s.

On SIGHUP (the terminal closed: a tmux window killed, an ssh drop) or SIGTERM the app is
asked to exit and save, as usual. But with the terminal gone, Textual's shutdown can hang
for good: its writer thread dies on the write the closed terminal refuses, and the main
thread then waits in ``WriterThread.stop`` → ``Queue.put`` for a reader that never comes.
A handler on the event loop never runs then, so the handler here is a plain Python one (it
runs on the main thread even while that waits on a lock), and it starts a last-resort
thread: if the process is still there after ``GRACE`` seconds, it saves what it can (unless
the normal way out is saving already) and ends the process with ``os._exit``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

#: Seconds the normal way out has before the last resort saves and ends the process.
GRACE = 1.0
#: Seconds the last resort's save may take (another reader's lock): the whole stays under 2 s.
SAVE_SECONDS = 0.8

_started = threading.Event()


def install(exit_app: Callable[[], None], save: Callable[[], bool]) -> None:
    """On SIGHUP and SIGTERM: ``exit_app()`` on the event loop, and the last resort armed.
    ``save()`` is the final save (``ReaderApp.save_now_quietly``); it must be safe to call
    twice (a lock makes the second wait for the first)."""
    import asyncio

    loop = asyncio.get_running_loop()

    def handler(signum: int, frame: object) -> None:
        if not _started.is_set():
            _started.set()
            threading.Thread(target=_last_resort, args=(save,), name="reader-hangup", daemon=True).start()
        try:
            loop.call_soon_threadsafe(exit_app)
        except RuntimeError:  # the loop is closed: the normal way out is under way
            pass

    for sig in (signal.SIGHUP, signal.SIGTERM):
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread (a test's app), or no such signal
            pass


def _last_resort(save: Callable[[], bool]) -> None:
    time.sleep(GRACE)
    result: list[bool] = []

    def saving() -> None:
        try:
            result.append(save())
        except BaseException:  # noqa: BLE001 - whatever it is, the process ends below
            result.append(False)

    saver = threading.Thread(target=saving, name="reader-last-save", daemon=True)
    saver.start()
    saver.join(SAVE_SECONDS)
    os._exit(0 if result and result[0] else 1)
