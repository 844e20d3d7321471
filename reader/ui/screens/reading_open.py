"""Opening a story on the reading screen: a daemon thread waits for it to be read (not a
Textual worker: the executor's threads are joined at exit, so quitting would wait for it),
and a story that takes longer than ``parse_seconds`` is abandoned with a message — and its
reading process killed (see :mod:`reader.opening`)."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import Any

from textual.timer import Timer

from reader.clean import display_name
from reader.formats import StoryError
from reader.opening import Preload


def wait_for(screen: Any, reading: Preload, limit: int) -> Timer:
    """Post ``screen.Loaded`` (or ``screen.Failed``) once ``reading`` is done; the timer that
    calls ``screen.too_slow(limit)`` after ``limit`` seconds (stopped once it is in)."""
    threading.Thread(target=_wait, args=(screen, reading), name="reader-open", daemon=True).start()
    return screen.set_timer(limit, partial(_too_slow, screen, reading, limit))  # type: ignore[no-any-return]


def _too_slow(screen: Any, reading: Preload, limit: int) -> None:
    if screen.session is None:
        reading.cancel()  # in a process of its own, it is killed (see reader.opening)
    screen.too_slow(limit)


def stop(deadline: Timer | None) -> Timer | None:
    """Stop the opening's deadline (the story is in, or could not be read): None, to keep."""
    if deadline is not None:
        deadline.stop()
    return None


def _wait(screen: Any, reading: Preload) -> None:
    try:
        story, keep = reading.result(), reading.keep
    except StoryError as error:
        screen.post_message(screen.Failed(str(error)))
        return
    screen.post_message(screen.Loaded(story, keep))


def too_slow_reason(path: Path, limit: int) -> str:
    return (
        f"{display_name(path.name)}: took longer than {limit} s to read, abandoned "
        "(parse_seconds in config.yaml sets the limit)"
    )
