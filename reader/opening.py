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

Where processes can't be made (no ``fork``, or it fails), :func:`read_story` falls back to
:class:`Preload`, a thread. This module imports nothing of the reader's at first: the opener
is forked before the reader has imported much (what the reader then changes in memory it had
at the fork is copied, page by page), and imports the parsers itself, on the other core.
"""

from __future__ import annotations

import marshal
import mmap
import os
import select
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader.model import Story

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
        into, out = os.pipe()
        data = _memory_file()
        request = marshal.dumps((os.fsencode(path), None if root is None else os.fsencode(root), *limits))
        try:
            with self._lock:
                socket.send_fds(self._sock, [request], [out, data])
        except OSError:  # the opener is gone
            os.close(into)
            os.close(data)
            raise
        finally:
            os.close(out)
        return Reading(path, root, (into, data))


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
            self._error = StoryError(f"{_name(self.path)}: could not be read ({error})")

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
            if not wait and not _ready(pipe):
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

        pipe, data = self._fds
        try:
            self._hear(wait=True)
            size = os.fstat(data).st_size if self._said[8:] == b"1" else 0
            answer: tuple[str, Any] | None = _unmarshal(data, size) if size else None
        finally:
            os.close(pipe)
            os.close(data)
        if answer is None:
            raise StoryError(f"{_name(self.path)}: could not be read (its reading process ended)")
        kind, value = answer
        if kind == "error":
            raise StoryError(str(value))
        return story_cache.unpack(value)

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
        _serve(theirs)  # never returns
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


def _serve(sock: socket.socket) -> None:
    """The opener's loop: a process for each story asked for; ends with the reader."""
    status = 0
    try:
        _quiet()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the readings' ends need no waiting for
        # the parsers and the cache, imported here once, not again in each reading process
        from reader.formats import folder, loading, safe_text, story_cache  # noqa: F401

        readings: list[int] = []
        while True:
            request, fds, _, _ = socket.recv_fds(sock, 1 << 16, 2)
            if not request:
                break  # the reader is gone
            pid = os.fork()
            if pid == 0:
                sock.close()
                _read(request, fds[0], fds[1])
            for fd in fds:
                os.close(fd)
            readings = [p for p in readings if _alive(p)] + [pid]
        for pid in readings:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    except BaseException:  # noqa: BLE001 - the opener says nothing; the reader falls back
        status = 1
    os._exit(status)


def _read(request: bytes, out: int, data: int) -> None:
    """A reading process: the story at the requested path, written to ``data``, then a byte
    to ``out`` to say it is there; then kept in the cache of parsed stories."""
    status = 0
    try:
        os.write(out, os.getpid().to_bytes(8, "little"))  # so that the reader can kill it
        from reader.formats import StoryError, files, load_story, story_cache

        path_bytes, root_bytes, files.MAX_FILE_BYTES, files.FOLLOW_OUTSIDE_LINKS = marshal.loads(request)
        path = Path(os.fsdecode(path_bytes))
        root = None if root_bytes is None else Path(os.fsdecode(root_bytes))
        made = None
        try:
            story, made = story_cache.load(path, root)
            fresh = story is None
            if story is None:
                story = load_story(path, root)
            answer = marshal.dumps(("story", story_cache.pack(story)))
        except Exception as error:  # reported like any bad file, never a traceback
            reason = (
                str(error) if isinstance(error, StoryError) else f"{_name(path)}: could not be read ({error})"
            )
            fresh, answer = False, marshal.dumps(("error", reason))
        with os.fdopen(data, "wb") as sink:
            sink.write(answer)
        os.write(out, b"1")
        if fresh and made is not None and story is not None:
            _taken(out)  # kept once the reader has it: writing 4 MB while it starts slows it
            story_cache.save(story, path, made)
        os.close(out)
    except BaseException:  # noqa: BLE001 - the reader sees the pipe end empty
        status = 1
    os._exit(status)


def _ready(fd: int) -> bool:
    """Whether ``fd`` has something to read (or its end), now (poll: any fd number)."""
    looking = select.poll()
    looking.register(fd, select.POLLIN)
    return bool(looking.poll(0))


def _taken(out: int, limit: float = 10.0) -> None:
    """Wait (at most ``limit`` seconds) for the reader to have read the story: it closes its
    end of the pipe, and this end reports an error."""
    waiting = select.poll()
    waiting.register(out, 0)  # an error or a hang-up is always reported
    waiting.poll(limit * 1000)


def _quiet() -> None:
    """Nothing from here reaches the terminal, and ctrl+c is the reader's to answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    os.close(quiet)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _name(path: Path) -> str:
    from reader.clean import display_name

    return display_name(path.name)


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
