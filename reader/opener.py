"""The opener's side of :mod:`reader.opening`: the process forked at the reader's start,
which forks one process for each story (or state folder) the reader asks for, and what those
processes do. Nothing here but :func:`shown_name` runs in the reader's own process."""

from __future__ import annotations

import marshal
import os
import select
import signal
import socket
from pathlib import Path
from typing import Any

#: What a request for the state's files, and its answer, begin with.
STATE = "state"
#: Seconds the state's files wait for the story asked for before them to be answered.
STORY_FIRST = 0.3


def shown_name(path: Path) -> str:
    from reader.clean import display_name

    return display_name(path.name)


def serve(sock: socket.socket) -> None:
    """The opener's loop: a process for each story asked for; ends with the reader."""
    status = 0
    try:
        _quiet()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the readings' ends need no waiting for
        # the parsers and the cache, imported here once, not again in each reading process
        from reader.formats import folder, loading, safe_text, story_cache  # noqa: F401

        readings: list[int] = []
        # One byte here once the latest story asked for is answered: the state's files are
        # parsed after it, not beside it (two processes beside the reader starting slowed it)
        answered: int | None = None
        while True:
            request, fds, _, _ = socket.recv_fds(sock, 1 << 16, 2)
            if not request:
                break  # the reader is gone
            story = marshal.loads(request)[0] != STATE
            after, told = os.pipe() if story else (answered, None)
            pid = os.fork()
            if pid == 0:
                sock.close()
                _read(request, fds[0], fds[1], told if story else after)
            for fd in fds if told is None else (*fds, told):
                os.close(fd)
            if story:
                if answered is not None:
                    os.close(answered)
                answered = after
            readings = [p for p in readings if _alive(p)] + [pid]
        for pid in readings:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    except BaseException:  # noqa: BLE001 - the opener says nothing; the reader falls back
        status = 1
    os._exit(status)


def _read(request: bytes, out: int, data: int, answered: int | None) -> None:
    """A reading process: the story at the requested path, written to ``data``, then a byte
    to ``out`` to say it is there (and one to ``answered``); then kept in the cache of parsed
    stories. Or the state's files, once the latest story is answered (``answered``)."""
    status = 0
    try:
        os.write(out, os.getpid().to_bytes(8, "little"))  # so that the reader can kill it
        asked = marshal.loads(request)
        if asked[0] == STATE:
            if answered is not None:
                ready(answered, STORY_FIRST)
            _answer(data, out, (STATE, _state_files(Path(os.fsdecode(asked[1])))))
            os._exit(0)
        from reader.formats import StoryError, files, load_story, story_cache

        path_bytes, root_bytes, files.MAX_FILE_BYTES, files.FOLLOW_OUTSIDE_LINKS = asked
        path = Path(os.fsdecode(path_bytes))
        root = None if root_bytes is None else Path(os.fsdecode(root_bytes))
        made = None
        try:
            story, made = story_cache.load(path, root)
            fresh = story is None
            if story is None:
                story = load_story(path, root)
            answer: tuple[str, Any] = ("story", story_cache.pack(story))
        except Exception as error:  # reported like any bad file, never a traceback
            reason = (
                str(error)
                if isinstance(error, StoryError)
                else f"{shown_name(path)}: could not be read ({error})"
            )
            fresh, answer = False, ("error", reason)
        _answer(data, out, answer)
        if answered is not None:
            os.write(answered, b".")
        if fresh and made is not None and story is not None:
            _taken(out)  # kept once the reader has it: writing 4 MB while it starts slows it
            story_cache.save(story, path, made)
        os.close(out)
    except BaseException:  # noqa: BLE001 - the reader sees the pipe end empty
        status = 1
    os._exit(status)


def _answer(data: int, out: int, answer: tuple[str, Any]) -> None:
    """Write ``answer`` into the memory file ``data``, then say so down the pipe ``out``."""
    with os.fdopen(data, "wb") as sink:
        sink.write(marshal.dumps(answer))
    os.write(out, b"1")


def _state_files(folder: Path) -> tuple[bytes, bytes, dict[str, tuple[Any, ...]]]:
    """(the state folder, its folder of last good copies, {name: the fields of the file's
    StoryFile and of its last good copy's}) for the story files of the state at ``folder``
    that its cache lacks, read the way :meth:`State.load` reads them."""
    from reader.state import State
    from reader.state.cache import load_cache
    from reader.state.disk import StoryFile, read_story
    from reader.state.folder import list_folder, locate

    where, old = locate(folder)
    previous = State(where).previous
    if old is not None:  # the first release's file: moved in by the reader itself, first
        return os.fsencode(where), os.fsencode(previous), {}
    known = load_cache(State(where).cache_path, os.path.realpath(where)).signs
    listing = list_folder(where, known, trust=True)

    def fields(got: StoryFile) -> tuple[Any, ...]:
        return (got.signature, got.text, got.record, got.problem, got.newer, got.notices)

    found = {
        name: (fields(read_story(where / name)), fields(read_story(previous / name)))
        for name, sign in listing.stories.items()
        if known.get(name) != sign
    }
    return os.fsencode(where), os.fsencode(previous), found


def ready(fd: int, wait: float = 0.0) -> bool:
    """Whether ``fd`` has something to read (or its end), within ``wait`` seconds (poll: any
    fd number)."""
    looking = select.poll()
    looking.register(fd, select.POLLIN)
    return bool(looking.poll(wait * 1000))


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
