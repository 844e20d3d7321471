"""One story's parse in a child process, killed at the time limit: ``reader dump``.

A thread could not be stopped; a child forked from a process with no other thread costs a few
milliseconds (else it is spawned, ~0.15 s). The child ignores ctrl+c and prints nowhere, as
the scan's workers do (:mod:`reader.library.workers`).
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from reader.formats import files as format_files
from reader.library.workers import NoProcesses, start_quietly, start_resource_tracker, start_worker


def run_in_child(job: Callable[..., Any], args: tuple[Any, ...], limit: float) -> Any:
    """``job(*args)`` in a child process, killed after ``limit`` seconds (TimeoutError); an
    exception the job raised is raised here; EOFError when the child died, NoProcesses when
    none can be started. Forked when this process has no other thread (a few ms), else spawned."""
    method = "fork" if _fork_is_safe() else "spawn"
    context: Any = multiprocessing.get_context(method)
    if method == "spawn":
        start_resource_tracker()
    ours, theirs = context.Pipe(duplex=False)
    limits = (format_files.MAX_FILE_BYTES, format_files.FOLLOW_OUTSIDE_LINKS)
    child = context.Process(target=_run_one, args=(theirs, job, args, *limits), daemon=True)
    try:
        start_quietly(child)
    except Exception as error:  # noqa: BLE001 - whatever it is, no child here
        ours.close()
        raise NoProcesses(f"{type(error).__name__}: {error}") from error
    finally:
        theirs.close()
    try:
        if not ours.poll(limit):
            raise TimeoutError(limit)
        done, value = ours.recv()
    finally:
        ours.close()
        child.kill()
        child.join(2)
    if not done:
        raise value
    return value


def _fork_is_safe() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and sys.platform.startswith("linux")
        and threading.active_count() == 1
    )


def _run_one(
    conn: Connection, job: Callable[..., Any], args: tuple[Any, ...], size_limit: int, follow: bool
) -> None:
    start_worker(size_limit, follow)
    try:
        result: tuple[bool, Any] = (True, job(*args))
    except Exception as error:  # noqa: BLE001 - the parent raises it again
        result = (False, error)
    conn.send(result)
