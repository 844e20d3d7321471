"""Stories are read in processes of their own, which the reader can kill.

At start-up, before any thread exists, the reader forks one small process, the *opener*.
To read a story, the reader sends it the path (and a pipe); the opener forks once more, and
that process reads the story — from the parsed-story cache, or parsing it — writes it to the
pipe as plain values and exits (keeping a story it parsed in the cache after it has sent it).

Why a process, not a thread:

* **Limits hold.** A story that takes longer than ``parse_seconds`` is abandoned *and its
  process killed*: a thread cannot be stopped, and ``re`` holds the interpreter's lock.
* **Start-up.** The parse runs on the other core while the reader imports Textual, instead
  of taking turns with it for the one interpreter lock. The reader only unpacks the result.

Why fork from the opener, not from the reader: once Textual runs, the reader has threads,
and forking a process with threads can leave the child holding locks nobody will release. The
opener never has a thread. It ends when the reader does (it sees its socket close), and kills
any reading still going; the readings ignore ctrl+c and write nothing to the terminal.

What the opener and its processes do is :mod:`reader.opener`. A reading process can also
parse the state folder's files that the state's cache lacks (:func:`read_state`: on a
machine's first start, YAML's import and the parse happen beside Textual's import).

Where processes can't be made (no ``fork``, or it fails), :func:`read_story` falls back to
:class:`Preload`, a thread. This module imports nothing of the reader's at first: the opener
is forked before the reader has imported much (what the reader then changes in memory it had
at the fork is copied, page by page), and imports the parsers itself, on the other core.
"""

from __future__ import annotations

import marshal
import mmap
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.opener import STATE, ready, serve, shown_name

if TYPE_CHECKING:
    from reader.model import Story

#: Seconds the state waits for the files parsed for it (while that process lives: its end
#: gives {} at once), before it reads them itself.
STATE_WAIT = 60.0

#: The reader's end of the socket to the opener, once started (this process only).
_opener: Opener | None = None


class Opener:
    """The reader's handle on the opener process."""

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self._sock, self.pid = sock, pid
        self._lock = threading.Lock()

    def read(self, path: Path, root: Path | None, limits: tuple[int, bool]) -> Reading:
        """Start reading ``path`` in a process of its own. Nothing is waited for: the opener
        may still be importing the parsers (its first minutes of life are the reader's start),
        and the reading process says its pid down the pipe itself."""
        request = (os.fsencode(path), None if root is None else os.fsencode(root), *limits)
        return Reading(path, root, self._ask(request))

    def read_state(self, folder: Path) -> Reading:
        """Start parsing the story files of the state ``folder`` that its cache lacks."""
        return Reading(folder, None, self._ask((STATE, os.fsencode(folder))))

    def _ask(self, request: tuple[Any, ...]) -> tuple[int, int]:
        """Send ``request`` with a pipe and a memory file; the reader's ends of them."""
        into, out = os.pipe()
        data = _memory_file()
        try:
            with self._lock:
                socket.send_fds(self._sock, [marshal.dumps(request)], [out, data])
        except OSError:  # the opener is gone
            os.close(into)
            os.close(data)
            raise
        finally:
            os.close(out)
        return into, data


class Preload:
    """Read a story on a thread while the caller does other work (the UI starting up)."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        self.path, self.root = path, root
        self._story: Story | None = None
        self._error: Exception | None = None
        #: When the story was parsed (not kept from an earlier opening): how to keep it.
        self.keep: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._run, name="reader-preload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from reader.formats import StoryError

        try:
            self._story = self._read()
        except StoryError as error:
            self._error = error
        except Exception as error:  # reported like any bad file, never a traceback
            self._error = StoryError(f"{shown_name(self.path)}: could not be read ({error})")

    def _read(self) -> Story:
        from reader.formats import open_story

        story, self.keep = open_story(self.path, self.root)
        return story

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> Story:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._story is not None
        return self._story

    def cancel(self) -> None:
        """Nothing to do here: a thread can't be stopped (it ends with its parse, or the
        reader); a :class:`Reading`, in a process, is killed."""


class Reading(Preload):
    """One story being read in its process, which says its pid down a pipe, writes the story
    into a file in memory, then says one byte more. No thread waits for it here: ``done``
    looks at the pipe without waiting, and ``result()`` (on the thread that wants the story:
    the UI's, when it is in by the first frame, else a waiting thread's) reads it in one go.
    A thread of its own would take the interpreter's lock from the UI starting, twice (at its
    start, and to unpack), for nothing. ``cancel()`` kills the process."""

    def __init__(self, path: Path, root: Path | None, fds: tuple[int, int]) -> None:
        self.path, self.root = path, root
        self.keep = None  # the process keeps a story it parsed
        self._fds = fds
        self.pid: int | None = None  # the reading process's, once it has said it
        self._cancelled = False
        self._said = b""  # from the pipe: the pid (8 bytes), then b"1" once the story is there
        self._ended = False  # the pipe's end was reached
        self._lock = threading.Lock()
        self._finished = False
        self._story = None
        self._error = None

    def _hear(self, wait: bool) -> bool:
        """Take what the process has said (waiting for all of it: ``wait``); whether it is
        done (the story is there, or the process ended)."""
        pipe = self._fds[0]
        while not self._ended and len(self._said) < 9:
            if not wait and not ready(pipe):
                return False
            more = os.read(pipe, 9 - len(self._said))
            self._ended = not more
            self._said += more
            if self.pid is None and len(self._said) >= 8:
                self.pid = int.from_bytes(self._said[:8], "little")
                if self._cancelled:
                    self.cancel()
        return True

    @property
    def done(self) -> bool:
        if not self._lock.acquire(blocking=False):
            return False  # a thread is waiting for it
        try:
            return self._finished or self._hear(wait=False)
        finally:
            self._lock.release()

    def result(self) -> Story:
        with self._lock:
            if not self._finished:
                self._run()
                self._finished = True
        if self._error is not None:
            raise self._error
        assert self._story is not None
        return self._story

    def _read(self) -> Story:
        from reader.formats import StoryError, story_cache

        answer = self.answer()
        if answer is None:
            raise StoryError(f"{shown_name(self.path)}: could not be read (its reading process ended)")
        kind, value = answer
        if kind == "error":
            raise StoryError(str(value))
        return story_cache.unpack(value)

    def answer(self) -> tuple[str, Any] | None:
        """What the process wrote (waiting for it), once: ("story", the story packed),
        ("state", files) or ("error", why); None if it ended without an answer."""
        pipe, data = self._fds
        try:
            self._hear(wait=True)
            size = os.fstat(data).st_size if self._said[8:] == b"1" else 0
            return _unmarshal(data, size) if size else None  # type: ignore[no-any-return]
        finally:
            os.close(pipe)
            os.close(data)

    def cancel(self) -> None:
        """Kill the reading (abandoned: too slow, or the reader is going)."""
        self._cancelled = True  # killed as soon as it says its pid, if it has not yet
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass  # it had ended
        if not self._finished and not self._lock.locked():
            # Nobody waits for it: a thread does, to hear its pid (and kill it), then its end
            # (and close the pipe and the file).
            threading.Thread(target=self._end, name="reader-cancel", daemon=True).start()

    def _end(self) -> None:
        try:
            self.result()
        except Exception:  # noqa: BLE001 - abandoned: what it says is not wanted
            pass


def start() -> Opener | None:
    """Fork the opener; call it before any thread starts. None where it can't be made."""
    global _opener
    if _opener is not None or not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
        return _opener
    if threading.active_count() > 1:
        return None  # forking now could leave the opener holding another thread's lock
    try:
        ours, theirs = socket.socketpair()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the opener
        ours.close()
        serve(theirs)  # never returns
    theirs.close()
    _opener = Opener(ours, pid)
    return _opener


def read_story(path: Path, root: Path | None) -> Preload:
    """Start reading ``path``: in a process of its own when the opener runs, else on a
    thread. Either way it is a :class:`Preload`."""
    if _opener is not None:
        from reader.formats import files

        try:
            return _opener.read(path, root, (files.MAX_FILE_BYTES, files.FOLLOW_OUTSIDE_LINKS))
        except OSError:
            pass  # the opener is gone (killed?): a thread still reads it
    return Preload(path, root)


def read_state(folder: Path) -> Callable[[], dict[str, Any]] | None:
    """Start parsing, in a process of the opener's, the story files of the state ``folder``
    that the state's cache lacks (none, on nearly every start; every one, on a machine's
    first): YAML's import and the parse then happen on the other core, beside Textual's
    import. A function that gives them (name → the file's
    :class:`~reader.state.disk.StoryFile` and its last good copy's), waiting at most
    ``STATE_WAIT`` seconds; {} when they are not there (the state reads them itself). None
    where there is no opener."""
    if _opener is None:
        return None
    try:
        reading = _opener.read_state(folder)
    except OSError:
        return None

    def files() -> dict[str, Any]:
        deadline = time.monotonic() + STATE_WAIT
        while not reading.done:  # its pid first, then its answer
            if time.monotonic() > deadline:
                reading.cancel()
                return {}
            ready(reading._fds[0], 0.05)
        answer = reading.answer()  # once: this function is called once
        if answer is None or answer[0] != STATE:
            return {}
        from reader.state.disk import StoryFile

        where, previous = (Path(os.fsdecode(place)) for place in answer[1][:2])
        return {
            name: (StoryFile(where / name, *story), StoryFile(previous / name, *copy))
            for name, (story, copy) in answer[1][2].items()
        }

    return files


def _unmarshal(fd: int, size: int) -> Any:
    """What the first ``size`` bytes of the file ``fd`` hold: read from the file's own pages,
    mapped, not copied into memory first (4 MB less to copy and fault in, at start-up)."""
    try:
        mapped = mmap.mmap(fd, size, prot=mmap.PROT_READ)
    except (OSError, ValueError, AttributeError):
        return marshal.loads(os.pread(fd, size, 0))
    with mapped:
        return marshal.loads(mapped)


def _memory_file() -> int:
    """A file descriptor to a file that lives in memory (a temporary file where not Linux)."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create("reader-story")
        except OSError:
            pass
    import tempfile

    with tempfile.TemporaryFile() as file:
        return os.dup(file.fileno())
