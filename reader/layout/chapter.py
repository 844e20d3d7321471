"""The pages of one chapter at one size: one flow from the chapter's start, and at most one
more from the place the chapter was opened at, when that is far into a long chapter.

Opening a 4 MB chapter half-way lays out a chunk from the opening place, not the two
megabytes before it. The pages before the opening place are laid out from the chapter's
start when wanted (going back, counting pages): all full, but for the one page just before
the opening place, which ends where the opening page begins. Every other page but the
chapter's last is full, wherever the chunks of work were cut.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable

from reader.layout.flow import CHUNK_CHARS, Flow, Line, Page
from reader.layout.wrap import MIN_WIDTH, block_lines
from reader.model import Chapter


class ChapterLayout:
    """Pages as (part, index): part 0 flows from the chapter's start; part 1, if there is
    one, from the opening place. Safe to lay out from a worker thread while the UI reads."""

    def __init__(
        self,
        chapter: Chapter,
        width: int,
        height: int,
        hide: frozenset[str] = frozenset(),
        indent: int = 0,
        chunk: int = CHUNK_CHARS,
    ) -> None:
        self.chapter = chapter
        self.hide = hide
        self.indent = indent
        self.width = max(width, MIN_WIDTH)
        self.height = max(height, 1)
        self.chunk = max(chunk, 1)
        self.flows = [Flow(chapter, self.width, self.height, hide, indent)]
        #: Where part 1 begins (the first line of the page the chapter was opened at), and
        #: from where on nothing more is shown before it (white space, hidden notes).
        self.anchor: int | None = None
        self._unshown_from = 0
        self._lock = threading.RLock()

    def _flow(self, part: int) -> Flow:
        return self.flows[min(part, len(self.flows) - 1)]

    def page(self, part: int, index: int) -> Page:
        with self._lock:
            flow = self._flow(part)
            flow.ensure(index, self.chunk)
            return flow.pages[index]

    def page_for(self, offset: int) -> tuple[int, int]:
        """(part, index) of the page that holds ``offset``."""
        with self._lock:
            main = self.flows[0]
            if self.anchor is None and not main.done and offset - main.frontier > self.chunk:
                self._open_at(offset)
            # a place in what is not shown just before the anchor opens at the anchor's page
            part = 1 if self.anchor is not None and offset >= min(self.anchor, self._unshown_from) else 0
            return part, self.flows[part].index_for(offset, self.chunk)

    def _open_at(self, offset: int) -> None:
        """Begin part 1 at the line holding ``offset`` (or the next line shown)."""
        chapter = self.chapter
        block = max(0, bisect_right(chapter.block_starts, offset) - 1)
        while block < len(chapter.blocks) and chapter.blocks[block].kind in self.hide:
            block += 1
        if block >= len(chapter.blocks):
            return
        lines = block_lines(chapter, block, self.width, self.indent)
        line = max(0, bisect_right([each.start for each in lines], offset) - 1)
        # block by block, not a slice: the blocks before may not be made yet (see story_cache)
        shown_before = line > 0 or any(chapter.blocks[i].kind not in self.hide for i in range(block))
        if not lines or not shown_before:  # part 0 would have no page
            return
        start = lines[line].start
        self._unshown_from = self._after_last_shown(block, line, lines)
        self.flows[0].end_at(block, line, start)
        anchored = Flow(chapter, self.width, self.height, self.hide, self.indent, (block, line), None, lines)
        anchored.first = start
        self.flows.append(anchored)
        self.anchor = start

    def _after_last_shown(self, block: int, line: int, lines: list[Line]) -> int:
        """The first offset past the last line shown before ``lines[line]`` of ``block`` (past
        its start, for a line that shows no text: a scene break)."""
        if line > 0:
            last = lines[line - 1]
        else:
            earlier = block - 1
            while earlier >= 0 and self.chapter.blocks[earlier].kind in self.hide:
                earlier -= 1
            shown = block_lines(self.chapter, earlier, self.width, self.indent) if earlier >= 0 else []
            if not shown:
                return lines[line].start
            last = shown[-1]
        return max(last.end, last.start + 1)

    def after(self, part: int, index: int) -> tuple[int, int] | None:
        """The page after (part, index) in this chapter, or None after its last."""
        with self._lock:
            flow = self._flow(part)
            flow.ensure(index + 1, self.chunk)
            if index + 1 < len(flow.pages):
                return part, index + 1
            return (part + 1, 0) if part + 1 < len(self.flows) else None

    def before(self, part: int, index: int) -> tuple[int, int] | None:
        """The page before (part, index) in this chapter, or None before its first."""
        if index > 0:
            return part, index - 1
        if part == 0:
            return None
        with self._lock:
            pages = self.flows[part - 1].lay_out_all(self.chunk)
            return part - 1, len(pages) - 1

    @property
    def last(self) -> tuple[int, int]:
        with self._lock:
            pages = self.flows[-1].lay_out_all(self.chunk)
            return len(self.flows) - 1, len(pages) - 1

    @property
    def complete(self) -> bool:
        return all(flow.done for flow in self.flows)

    def lay_out_all(self, stop: Callable[[], bool] = lambda: False) -> bool:
        """Lay out every page (for exact page numbers), a chunk at a time so that the UI
        thread waits at most one chunk; False if ``stop()`` said to stop."""
        part = 0
        while part < len(self.flows):
            if stop():
                return False
            with self._lock:
                flow = self.flows[part]
                flow.extend(self.chunk)
                part += flow.done
        return True

    def page_number(self, part: int, index: int) -> tuple[int, int, bool]:
        """(n, m, exact): page n of m in the chapter; estimated while pages are uncounted."""
        with self._lock:
            flows = self.flows
            laid = sum(len(flow.pages) for flow in flows)
            chars = sum(
                max(0, flow.frontier - flow.first) if not flow.done else flow.last - flow.first
                for flow in flows
            )
            per_char = laid / max(chars, 1)
            before = sum(flow.estimate(per_char) for flow in flows[:part]) + index
            total = sum(flow.estimate(per_char) for flow in flows)
            return before + 1, max(total, before + 1), self.complete

    def page_ref(self, number: int) -> tuple[int, int]:
        """(part, index) of page ``number`` (1-based, clamped), laying the chapter out."""
        self.lay_out_all()
        remaining = max(1, number) - 1
        for part, flow in enumerate(self.flows):
            if remaining < len(flow.pages):
                return part, remaining
            remaining -= len(flow.pages)
        return self.last
