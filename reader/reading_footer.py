"""The reading screen's status line as text: chapter title, page, per cent and time left.

Pure (no Textual), so the choice of what fits a given width is tested without a screen.
"""

from __future__ import annotations

from reader.state.stats import duration, minutes_for


def footer_text(
    title: str, width: int, pages: str, percent: int, words_in_chapter: int, words_after: int, wpm: int
) -> str:
    """The status line, ``width`` cells: the chapter ``title`` on the left, and on the right
    ``pages``, ``percent`` and the time left at ``wpm`` in the chapter and in the book.

    On a wide terminal, the longest right part that leaves room for the chapter title (its
    first 20 cells); else the longest that leaves some of it; the title is cut with "…".
    """
    chapter_left = duration(60 * minutes_for(words_in_chapter, wpm))
    book_left = f"{duration(60 * minutes_for(words_in_chapter + words_after, wpm))} in book"
    variants = [
        [pages, f"{percent}%", f"{chapter_left} left in chapter", book_left, "? help"],
        [pages, f"{percent}%", f"{chapter_left} left in chapter", book_left],
        [pages, f"{percent}%", f"{chapter_left} left", book_left],
        [pages, f"{percent}%", f"{chapter_left} left"],
        [pages, f"{percent}%"],
    ]
    rights = [" " + " · ".join(parts) + " " for parts in variants]
    wide = [text for text in rights[:3] if width - len(text) > min(len(title), 20)]
    some = [text for text in rights if width - len(text) >= 12]
    right = (wide or some or rights[-1:])[0]
    room = max(0, width - len(right) - 1)
    shown = title if len(title) <= room else title[: max(0, room - 1)] + "…"
    return " " + shown.ljust(room) + right
