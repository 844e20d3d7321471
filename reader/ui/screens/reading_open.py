"""Opening a story on the reading screen: a daemon thread waits for it to be read (not a
Textual worker: the executor's threads are joined at exit, so quitting would wait for it),
and a story that takes longer than ``parse_seconds`` is abandoned with a message — and its
reading process killed (see :mod:`reader.opening`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from textual.timer import Timer

from reader.clean import display_name
from reader.formats import StoryError, neighbour_ids
from reader.model import Story
from reader.opening import Preload
from reader.session import ReadingSession
from reader.state import Found
from reader.ui.keymap import key_of
from reader.ui.services import services


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


def start_session(screen: Any, story: Story, clock: Callable[[], float]) -> ReadingSession:
    """The reading session of a story just read, under the id the state knows it by."""
    app = services(screen)
    found = Found(story.id, story.path, story.title, story.author)
    story.id = app.state.identify(found, lambda: neighbour_ids(Path(story.path)))
    session = ReadingSession(story, app.state, clock=clock, recorded=app.request_save)
    session.find_key = key_of("reading.find", screen.app._keymap)
    return session


def opened(screen: Any, session: ReadingSession) -> None:
    """The first page is drawn: the story counts as opened (read now, c continues it) — once
    its state file is looked at, when the start took the state's cache on trust: the page
    was drawn from the cache, and a crash or another device may have left a later place."""
    if not services(screen).state.unlooked:
        session.opened()
        return

    def look() -> None:
        if session.freshen():
            screen.relayout()  # the place on disk: one frame after the cache's
        session.opened()

    screen.call_after_refresh(look)
