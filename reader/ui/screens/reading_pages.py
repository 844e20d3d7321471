"""The reading screen's work between page turns: the next page drawn ahead."""

from __future__ import annotations

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
