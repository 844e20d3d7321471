"""The data the reader works with: stories, chapters, blocks and positions (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, NamedTuple

#: The kinds of block a chapter is made of.
BLOCK_KINDS = ("paragraph", "heading", "scene_break", "note")

#: What separates two blocks in a chapter's text; offsets count it.
BLOCK_SEPARATOR = "\n\n"

SNIPPET_CHARS = 40

#: The metadata keys every format fills where its file says. Values are strings, except the
#: list-like ones (``LIST_KEYS``), which are lists of strings.
METADATA_KEYS = (
    "fandom",
    "rating",
    "warnings",
    "category",
    "relationships",
    "characters",
    "tags",
    "summary",
    "status",
    "published",
    "updated",
    "words",
    "chapter_count",
    "source_url",
    "series",
    "language",
)
LIST_KEYS = ("fandom", "warnings", "category", "relationships", "characters", "tags")


class Span(NamedTuple):
    """Inline styling over ``[start, end)`` of a block's text."""

    start: int
    end: int
    style: str  # "italic" or "bold"


class Block:
    """One paragraph, heading, scene break or note of a chapter. A plain class: defining a
    dataclass takes 0.2-0.5 ms of every start (the frozen values here are named tuples)."""

    __slots__ = ("kind", "text", "spans")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(self, kind: str, text: str, spans: tuple[Span, ...] = ()) -> None:
        self.kind = kind
        self.text = text
        self.spans = spans

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Block):
            return NotImplemented
        return (self.kind, self.text, self.spans) == (other.kind, other.text, other.spans)

    def __repr__(self) -> str:
        return f"Block(kind={self.kind!r}, text={self.text!r}, spans={self.spans!r})"


@dataclass
class Chapter:
    title: str
    blocks: list[Block]
    _starts: list[int] | None = field(default=None, repr=False, compare=False)
    _text: str | None = field(default=None, repr=False, compare=False)
    _chars_per_word: float | None = field(default=None, repr=False, compare=False)

    @property
    def block_starts(self) -> list[int]:
        """Offset of each block's first character in :attr:`text`."""
        if self._starts is None:
            gap = len(BLOCK_SEPARATOR)
            self._starts = list(accumulate([len(b.text) + gap for b in self.blocks[:-1]], initial=0))
        return self._starts

    @property
    def text(self) -> str:
        """The chapter as one string: block texts joined by a blank line."""
        if self._text is None:
            self._text = BLOCK_SEPARATOR.join(block.text for block in self.blocks)
        return self._text

    def __len__(self) -> int:
        if not self.blocks:
            return 0
        return self.block_starts[-1] + len(self.blocks[-1].text)

    def words_between(self, start: int, end: int | None = None) -> int:
        """A fast word count of ``text[start:end]`` (spaces and line breaks)."""
        text = self.text
        end = len(text) if end is None else end
        if end <= start:
            return 0
        spaces = text.count(" ", start, end) + text.count("\n", start, end) // 2
        return spaces + 1

    def estimate_words(self, start: int, end: int | None = None) -> int:
        """Words in ``text[start:end]`` from this chapter's characters per word (cheap)."""
        end = len(self) if end is None else end
        if self._chars_per_word is None:
            sample = self.text[:65536]
            self._chars_per_word = len(sample) / max(1, sample.count(" ") + sample.count("\n") // 2 + 1)
        return round(max(0, end - start) / self._chars_per_word)

    def snippet(self, offset: int) -> str:
        return self.text[offset : offset + SNIPPET_CHARS]


@dataclass
class Story:
    id: str
    title: str
    author: str
    chapters: list[Chapter]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    encoding: str = "utf-8"

    @property
    def length(self) -> int:
        """Characters in the whole story (chapter texts)."""
        return sum(len(chapter) for chapter in self.chapters)

    @property
    def words(self) -> int:
        return sum(chapter.words_between(0) for chapter in self.chapters if chapter.blocks)

    def position_at(self, fraction: float) -> tuple[int, int]:
        """(chapter, offset) that lies ``fraction`` (0.0 to 1.0) of the way through the story."""
        target = max(0.0, min(fraction, 1.0)) * self.length
        for index, chapter in enumerate(self.chapters):
            if target <= len(chapter) or index == len(self.chapters) - 1:
                return index, int(min(target, max(0, len(chapter) - 1)))
            target -= len(chapter)
        return 0, 0

    def progress(self, position: Position) -> float:
        """Fraction of the story before ``position``, 0.0 to 1.0."""
        total = self.length
        if total == 0:
            return 0.0
        chapter = min(max(position.chapter, 0), len(self.chapters) - 1)
        before = sum(len(c) for c in self.chapters[:chapter])
        return min(1.0, (before + position.offset) / total)


class Position(NamedTuple):
    """A place in a story: chapter index, character offset, and the text found there."""

    chapter: int = 0
    offset: int = 0
    snippet: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "offset": self.offset, "snippet": self.snippet}

    @classmethod
    def from_dict(cls, data: Any) -> Position:
        if not isinstance(data, dict):
            return cls()
        try:
            return cls(
                chapter=max(0, int(data.get("chapter", 0))),
                offset=max(0, int(data.get("offset", 0))),
                snippet=str(data.get("snippet", "") or ""),
            )
        except (TypeError, ValueError):
            return cls()


class Bookmark(NamedTuple):
    name: str
    position: Position
    created: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "position": self.position.to_dict(), "created": self.created}

    @classmethod
    def from_dict(cls, data: Any) -> Bookmark | None:
        if not isinstance(data, dict):
            return None
        return cls(
            name=str(data.get("name", "") or "Bookmark"),
            position=Position.from_dict(data.get("position")),
            created=str(data.get("created", "") or ""),
        )


def resolve_position(story: Story, position: Position) -> Position:
    """Re-anchor ``position`` on its snippet when the story's text has changed.

    The saved offset wins when the snippet is still there; otherwise the snippet is looked
    for in the same chapter (nearest occurrence), then in every chapter. With no snippet
    match, the offset is clamped into the story.
    """
    if not story.chapters:
        return Position()
    index = min(position.chapter, len(story.chapters) - 1)
    text = story.chapters[index].text
    snippet = position.snippet
    if snippet and index == position.chapter and text.startswith(snippet, position.offset):
        return position
    if snippet:
        found = _nearest(text, snippet, position.offset)
        if found >= 0:
            return Position(index, found, snippet)
        for other, chapter in enumerate(story.chapters):
            found = chapter.text.find(snippet)
            if found >= 0:
                return Position(other, found, snippet)
    offset = min(position.offset, max(0, len(text) - 1)) if index == position.chapter else 0
    return Position(index, offset, text[offset : offset + SNIPPET_CHARS])


def _nearest(text: str, needle: str, around: int) -> int:
    after = text.find(needle, around)
    before = text.rfind(needle, 0, around + len(needle))
    if before < 0:
        return after
    if after < 0:
        return before
    return before if around - before <= after - around else after


def percent(fraction: float) -> int:
    """How far through a story, as the whole per cent every view shows (the footer, the
    library, ``reader list``, bookmark names): rounded down, so 100 is the end alone."""
    return int(max(0.0, min(fraction, 1.0)) * 100 + 1e-9)


_NUMBER_WORDS = r"(?:chapter|chap\.?|ch\.?|part|book|episode|section)?\s*"


def numbered_title(number: int, title: str) -> str:
    """``"3. Title"``, or the title alone when it leads with its number already
    ("3. The Callout", "Chapter 3: Dead Air", "Part 3"): a number is shown once."""
    import re

    if re.match(rf"{_NUMBER_WORDS}0*{number}(?!\d)", title.strip(), re.IGNORECASE):
        return title
    return f"{number}. {title}"
