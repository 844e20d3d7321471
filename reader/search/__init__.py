"""Search: the library-wide index (index, query) and matches inside one story (in_story)."""

from __future__ import annotations


def hits_count(hits: int, stories: int, capped: bool = False) -> str:
    """ "1 hit in 1 story", "12 hits in 3 stories"; "first 40 hits in 9 stories" when the
    search stopped at a limit (there are more)."""
    if not hits:
        return "no hits"
    counted = f"{'first ' if capped else ''}{hits:,} hit{'s' if hits != 1 else ''}"
    return f"{counted} in {stories:,} stor{'ies' if stories != 1 else 'y'}"
