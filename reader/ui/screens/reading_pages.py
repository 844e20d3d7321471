"""The reading screen's work between page turns: the next page drawn ahead, a story just
parsed kept for the next opening."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.screen import Screen

from reader.session import ReadingSession
from reader.ui.widgets.page_view import PageView


def draw_next(view: PageView, session: ReadingSession | None) -> None:
    """Lay out and draw the page after the one shown, so that turning to it costs neither
    (called once the shown page's frame is written, while the reader reads it)."""
    if session is None or session.book is None:
        return
    ref = session.book.next(session.ref)
    if ref is not None:
        view.prepare(session.story.chapters[ref.chapter], session.book.page(ref))


#: Seconds without a move before a story just parsed is kept (see :func:`keep_when_idle`).
KEEP_IDLE = 3.0


def keep_when_idle(screen: Screen[None], keep: Callable[[], None], idle: Callable[[], float]) -> None:
    """Keep the story parsed (``keep``: tens of milliseconds of work for a 4 MB book, on a
    thread that still shares the interpreter) once the reader has not moved for
    :data:`KEEP_IDLE` seconds (``idle()``), so that it never lands among page turns."""
    wait = KEEP_IDLE - idle()
    if wait > 0:
        screen.set_timer(wait, partial(keep_when_idle, screen, keep, idle))
    else:
        screen.run_worker(keep, thread=True, group="keep")
