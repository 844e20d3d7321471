"""The library's shelf: every story by path, sorted and filtered as the library screen
asks, and the status words and keys it sorts by. No Textual: the screen draws what this gives."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reader.library.listing import StoryEntry
from reader.state import State
from reader.state.stamps import stamp_order
from reader.state.status import STATUSES, label, status_of_entry


def status_of(metadata: dict[str, Any]) -> str:
    """ "complete", "in progress" or "" (unknown), from the status or the chapter count."""
    status = str(metadata.get("status", "")).casefold()
    if status.startswith("complete") or status in ("finished", "done", "завершён"):
        return "complete"
    if status and any(word in status for word in ("progress", "wip", "ongoing", "updated", "hiatus")):
        return "in progress"
    done, _, total = str(metadata.get("chapter_count", "")).partition("/")
    if total.strip() == "?":
        return "in progress"
    if total.strip() and done.strip() == total.strip():
        return "complete"
    if total.strip():
        return "in progress"
    return ""


def chapters_label(entry: StoryEntry) -> str:
    """Chapters as AO3 writes them, "3/10" or "3/?", when the story says how many are planned."""
    _, _, total = str(entry.metadata.get("chapter_count", "")).partition("/")
    return f"{entry.chapters}/{total.strip()}" if total.strip() else str(entry.chapters)


#: Metadata the library filter looks in, besides title and author.
FILTER_FIELDS = ("fandom", "rating", "relationships", "characters", "tags", "category", "warnings", "series")


def filter_text(entry: StoryEntry) -> str:
    """Everything the library filter matches, folded to lower case."""
    parts = [entry.title, entry.author, status_of(entry.metadata)]
    for key in FILTER_FIELDS:
        value = entry.metadata.get(key)
        parts.extend(value if isinstance(value, list) else [str(value or "")])
    return " ".join(parts).casefold()


def matches(entry: StoryEntry, query: str) -> bool:
    """Every word of ``query`` is somewhere in the story's title, author or metadata."""
    text = filter_text(entry)
    return all(word in text for word in query.casefold().split())


def recent_first(title: str, last_read: str) -> tuple[bool, float, str]:
    """Sort key: the story read last first (by the moment, whatever its time zone), then
    the ones never read, by title."""
    return recent_key(title.casefold(), stamp_order(last_read) if last_read else None)


def recent_key(folded_title: str, moment: float | None) -> tuple[bool, float, str]:
    """:func:`recent_first` with the title already folded and the stamp already read as
    seconds since the epoch (``None``: never read)."""
    return (moment is None, -moment if moment is not None else 0.0, folded_title)


#: A story's facts that only change with its file: folded filter text, title, author.
Facts = tuple[str, str, str]


def facts(entry: StoryEntry) -> Facts:
    """Worked out once per story (by the scan's thread), so filtering is a substring test."""
    return (filter_text(entry), entry.title.casefold(), entry.author.casefold())


_STATUS_ORDER = {key: n for n, key in enumerate(STATUSES)}
#: Reading statuses as the filter matches them: "on hold", "plan to read".
_STATUS_WORDS = {key: label(key).casefold() for key in STATUSES}


class Shelf:
    """Every story of the library, by path, with what sorting and filtering need.

    File facts are kept per story; what depends on the reading state (last read,
    progress, status) is worked out when first asked for and kept until
    :meth:`forget_state`. The order of the whole library is kept too, so a filter
    is one pass over a sorted list.
    """

    def __init__(self, state: State) -> None:
        self.state = state
        self.entries: dict[Path, StoryEntry] = {}
        self._facts: dict[Path, Facts] = {}
        self._reading: tuple[dict[str, float], dict[str, str]] | None = None
        self._order: tuple[str, bool, list[StoryEntry]] | None = None

    def merge(
        self, entries: Iterable[StoryEntry], known: dict[Path, Facts] | None = None
    ) -> list[StoryEntry]:
        """Add or replace stories (by path); returns those that are new or changed."""
        changed = []
        for entry in entries:
            if self.entries.get(entry.path) != entry:
                self.entries[entry.path] = entry
                self._facts[entry.path] = (known or {}).get(entry.path) or facts(entry)
                changed.append(entry)
        if changed:
            self._order = None
        return changed

    def drop(self, paths: Iterable[Path]) -> list[StoryEntry]:
        gone = [self.entries.pop(path) for path in paths if path in self.entries]
        for entry in gone:
            self._facts.pop(entry.path, None)
        if gone:
            self._order = None
        return gone

    def forget_state(self) -> None:
        """The reading state changed: orders by it are worked out afresh."""
        self._reading = None
        self._order = None

    def reading(self) -> tuple[dict[str, float], dict[str, str]]:
        """Last-read moments (seconds since the epoch) and reading statuses, by story id.

        Worked out in one pass over the stories the reading state knows (a story it does
        not know has neither), so a stamp is parsed once per state change, not once per
        story of the library on every sort.
        """
        if self._reading is None:
            state = self.state
            stamps: dict[str, float] = {}
            statuses: dict[str, str] = {}
            start = state.start_reading
            if start is not None and start[0] == state.stories:  # each the very record loaded:
                stamps, statuses = dict(start[1]), dict(start[2])  # as the cache worked them out
            else:
                state.start_reading = None
                for story_id, record in state.stories.items():  # each record once, no id look-ups
                    if stamp := record.get("last_read"):
                        stamps[story_id] = stamp_order(stamp)
                    if status := status_of_entry(record):
                        statuses[story_id] = status
            for other, story_id in state.aliases.items():  # a story the library knows by another id
                if story_id in stamps:
                    stamps[other] = stamps[story_id]
                if story_id in statuses:
                    statuses[other] = statuses[story_id]
            self._reading = (stamps, statuses)
        return self._reading

    def key(self, sort: str) -> Callable[[StoryEntry], Any]:
        title = self._facts

        def recent(entry: StoryEntry) -> tuple[bool, float, str]:
            return recent_key(title[entry.path][1], stamps.get(entry.id))

        if sort == "title":
            return lambda e: (title[e.path][1], e.path)
        if sort == "author":
            return lambda e: (title[e.path][2], title[e.path][1], e.path)
        if sort == "length":
            return lambda e: (-e.words, title[e.path][1], e.path)
        if sort == "progress":
            progress = self.state.progress
            return lambda e: (-progress(e.id), title[e.path][1], e.path)
        stamps, statuses = self.reading()
        if sort == "status":
            order = _STATUS_ORDER
            return lambda e: (order.get(statuses.get(e.id, ""), len(order)), recent(e))
        return recent

    def ordered(self, sort: str, reverse: bool) -> list[StoryEntry]:
        if self._order is None or self._order[:2] != (sort, reverse):
            rows = sorted(self.entries.values(), key=self.key(sort), reverse=reverse)
            self._order = (sort, reverse, rows)
        return self._order[2]

    def view(self, query: str, sort: str, reverse: bool, status: str = "") -> list[StoryEntry]:
        """The stories to show: every word of ``query`` in a story's text or reading status,
        with reading status ``status`` when given, in the order ``sort``."""
        rows = self.ordered(sort, reverse)
        statuses = self.reading()[1]
        if status:
            rows = [e for e in rows if statuses.get(e.id) == status]
        words = query.casefold().split()
        if not words:
            return list(rows)
        facts_of = self._facts
        shown = []
        for entry in rows:
            text = facts_of[entry.path][0]
            if all(word in text for word in words):
                shown.append(entry)
            elif said := _STATUS_WORDS.get(statuses.get(entry.id, "")):  # only a story with a status
                if all(word in text or word in said for word in words):
                    shown.append(entry)
        return shown
