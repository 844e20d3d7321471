"""Find in a story: every match of a literal phrase or a regular expression, in reading order."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from reader.model import Position, Story

#: More matches than this in one story are not collected (a search for "e").
MAX_MATCHES = 20_000


class FindError(ValueError):
    """A pattern that cannot be searched for; str() says why in a line."""


@dataclass(frozen=True, order=True)
class Match:
    chapter: int
    start: int
    end: int


def compile_pattern(text: str, regex: bool = False) -> re.Pattern[str]:
    """A case-insensitive pattern. Literal text matches across any run of white space, so a
    phrase is found however the source wrapped it."""
    if regex:
        try:
            return re.compile(text, re.IGNORECASE)
        except re.error as error:
            raise FindError(f"not a valid regular expression: {error}") from None
    words = text.split()
    if not words:
        raise FindError("nothing to find")
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


class Matches:
    """The matches of one pattern in one story, and the way from one to the next."""

    def __init__(self, story: Story, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        found: list[Match] = []
        for index, chapter in enumerate(story.chapters):
            for m in pattern.finditer(chapter.text):
                if m.end() > m.start():
                    found.append(Match(index, m.start(), m.end()))
                    if len(found) >= MAX_MATCHES:
                        break
            if len(found) >= MAX_MATCHES:
                break
        self.all = found
        self._keys = [(m.chapter, m.start) for m in found]

    def __len__(self) -> int:
        return len(self.all)

    def in_chapter(self, chapter: int, start: int = 0, end: int | None = None) -> list[Match]:
        """Matches of ``chapter`` that overlap ``[start, end)``."""
        lo = bisect_left(self._keys, (chapter, 0))
        hi = bisect_left(self._keys, (chapter + 1, 0))
        return [m for m in self.all[lo:hi] if m.end > start and (end is None or m.start < end)]

    def first_from(self, position: Position) -> int | None:
        """Index of the first match at or after ``position`` (wrapping to the start)."""
        if not self.all:
            return None
        index = bisect_left(self._keys, (position.chapter, position.offset))
        return index % len(self.all)

    def next(self, index: int, step: int) -> int:
        return (index + step) % len(self.all)

    def index_of(self, chapter: int, offset: int) -> int | None:
        """Index of the match that starts at or holds ``offset``, if any."""
        index = bisect_right(self._keys, (chapter, offset)) - 1
        if 0 <= index < len(self.all):
            match = self.all[index]
            if match.chapter == chapter and match.start <= offset < max(match.end, match.start + 1):
                return index
        return None
