"""What the library shows of a story: its table cells and its details pane."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from reader.library.listing import StoryEntry
from reader.library.shelf import chapters_label, status_of
from reader.model import percent
from reader.state import State
from reader.state.status import label

#: Columns: label, the sort its header selects, fixed width (None: shares what is left),
#: and the narrowest terminal that still shows it ("Read" stands in for "Progress" when
#: the title needs the room: see :func:`column_widths`).
COLUMNS = (
    ("Title", "title", None, 0),
    ("Author", "author", None, 50),
    ("Fandom", "title", None, 100),
    ("Words", "length", 7, 0),
    ("Ch.", "length", 5, 90),
    ("Rating", "title", 6, 125),
    ("Status", "status", 8, 80),
    ("Complete", "length", 8, 115),
    ("Updated", "title", 10, 140),
    ("Progress", "progress", 10, 0),
    ("Read", "progress", 4, 10_000),
    ("Last read", "recent", 10, 60),
)
#: What gives way, in turn, until the title has the width it needs: columns that go, and
#: the progress bar that becomes a per cent alone.
GIVE_WAY = ("Fandom", "Updated", "Rating", "Complete", "Ch.", "Words", "Progress", "Last read", "Status")
#: The narrowest a shared column (author, fandom) gets, and the widest.
SHARED_MIN, SHARED_MAX = 8, 24
#: Columns that also give way to keep the author this wide (once the title has its room).
LESSER, SHARED_WANTED = ("Fandom", "Updated", "Rating", "Complete", "Ch."), 14
#: The widest the title asks for: longer titles are cut with "…".
TITLE_MAX = 60
NEW_STYLE = "bold green"


def column_widths(width: int, title_needs: int = 0) -> list[tuple[str, int]]:
    """The columns that fit a terminal ``width`` wide, with widths. The title gets the
    ``title_needs`` cells of the longest title (up to :data:`TITLE_MAX`): other columns give
    way first (:data:`GIVE_WAY`), and what is left over is shared."""
    shown = [(label, fixed) for label, _, fixed, narrowest in COLUMNS if width >= narrowest]
    needs = min(title_needs, TITLE_MAX)
    widths = _shared(width, shown, needs)
    for going in GIVE_WAY:
        author = dict(widths).get("Author", SHARED_WANTED)
        if widths[0][1] >= needs and (author >= SHARED_WANTED or going not in LESSER):
            break
        if any(shown_label == going for shown_label, _ in shown):
            shown = [(lbl, f) for lbl, f in shown if lbl != going]
            if going == "Progress":
                shown.insert(len(shown) - (shown[-1][0] == "Last read"), ("Read", 4))
            widths = _shared(width, shown, needs)
    return widths


def _shared(width: int, shown: list[tuple[str, int | None]], needs: int) -> list[tuple[str, int]]:
    """Widths for ``shown``: fixed ones as they are, the title ``needs`` if there is room
    and the other shared columns (author, fandom) what is left, within bounds."""
    room = width - 2 - 2 * len(shown) - sum(fixed or 0 for _, fixed in shown)  # padding, scrollbar
    others = [label for label, fixed in shown if fixed is None and label != "Title"]
    if not others:
        side = 0
    elif needs:  # the title first, the rest shared
        side = max(SHARED_MIN, min(SHARED_MAX, (room - needs) // len(others)))
    else:  # titles not known yet: as even as the bounds allow
        side = max(SHARED_MIN, min(SHARED_MAX, room // (len(others) + 1)))
    title = max(8, room - side * len(others))
    return [(label, fixed or (title if label == "Title" else side)) for label, fixed in shown]


#: Text of characters one cell wide each (Latin, Greek, Cyrillic…, general punctuation): its
#: width is its length, without asking rich.cells character by character (10,000 titles
#: with a curly apostrophe took 110 ms that way).
_NARROW = re.compile(r"[\x00-\u10ff\u2000-\u206f]*")


def title_width(entries: Iterable[StoryEntry]) -> int:
    """The cells the longest title takes (up to :data:`TITLE_MAX`), "✗ " of a missing one too."""
    widest = 0
    for entry in entries:
        title = entry.title
        cells = len(title) if _NARROW.fullmatch(title) else cell_len(title)
        widest = max(widest, cells + 2 * entry.missing)
    return min(widest, TITLE_MAX)


def new_chapters(entry: StoryEntry, state: State) -> int:
    seen = state.chapters_seen(entry.id)
    return max(0, entry.chapters - seen) if seen else 0


def cells(entry: StoryEntry, state: State) -> dict[str, Text | str]:
    if entry.missing:
        return {
            "Title": Text("✗ " + entry.title, style="dim strike", overflow="ellipsis", no_wrap=True),
            "Author": Text(entry.author, style="dim", overflow="ellipsis", no_wrap=True),
            "Status": _status_cell(state.status(entry.id), "dim"),
            "Complete": Text("missing", style="dim"),
            "Progress": Text(f"{percent(state.progress(entry.id))}%", style="dim", justify="right"),
            "Read": Text(f"{percent(state.progress(entry.id))}%", style="dim", justify="right"),
            "Last read": when(state.last_read(entry.id)),
        }
    if entry.error:
        return {
            "Title": Text("⚠ " + entry.title, style="bold red"),
            "Author": Text("unreadable", style="red"),
        }
    title = Text(entry.title, overflow="ellipsis", no_wrap=True)
    new = new_chapters(entry, state)
    if new:
        title = Text.assemble((f"+{new} new ", NEW_STYLE), title, overflow="ellipsis", no_wrap=True)
    read = state.position(entry.id) is not None
    return {
        "Title": title,
        "Author": Text(entry.author, overflow="ellipsis", no_wrap=True),
        "Fandom": Text(_joined(entry.metadata.get("fandom")), overflow="ellipsis", no_wrap=True),
        "Words": Text(f"{entry.words:,}", justify="right"),
        "Ch.": Text(chapters_label(entry), justify="right"),
        "Rating": short_rating(str(entry.metadata.get("rating", ""))),
        "Status": _status_cell(state.status(entry.id)),
        "Complete": {"complete": "yes", "in progress": "WIP"}.get(status_of(entry.metadata), ""),
        "Updated": str(entry.metadata.get("updated") or entry.metadata.get("published") or "")[:10],
        "Progress": progress_bar(state.progress(entry.id)) if read else Text("new", justify="right"),
        "Read": Text(f"{percent(state.progress(entry.id))}%" if read else "new", justify="right"),
        "Last read": when(state.last_read(entry.id)),
    }


def details(entry: StoryEntry | None, state: State, new_key: str = "n") -> Text:
    """A few lines about the highlighted story: title and author, facts, summary,
    relationships and tags (``new_key``: the key that opens new chapters)."""
    if entry is None:
        return Text("")
    if entry.error:
        return Text(entry.error, style="red")
    meta = entry.metadata
    facts = [
        _joined(meta.get("fandom")),
        str(meta.get("rating", "")),
        status_of(meta),
        f"{chapters_label(entry)} chapter{'' if chapters_label(entry) == '1' else 's'}",
        f"{entry.words:,} word{'' if entry.words == 1 else 's'}",
        f"updated {meta['updated']}" if meta.get("updated") else "",
    ]
    new = new_chapters(entry, state)
    text = Text(entry.title, style="bold")
    if entry.author:
        text.append(f" — {entry.author}")
    text.append("\n")
    seconds = state.record(entry.id).get("reading_time")
    reading = [label(state.status(entry.id)), reading_time(seconds)]
    if any(reading):
        line = " · ".join(r for r in reading if r)
        text.append(line[:1].upper() + line[1:] + "\n", style="italic")
    if new:
        chapters = f"{new} new chapter{'s' if new > 1 else ''}"
        text.append(f"{chapters} · {new_key} opens the first\n", style=NEW_STYLE)
    text.append(" · ".join(f for f in facts if f) + "\n")
    if meta.get("summary"):
        text.append(str(meta["summary"]) + "\n")
    for name, key in (("Relationships", "relationships"), ("Characters", "characters"), ("Tags", "tags")):
        if meta.get(key):
            text.append(f"{name}: ", style="bold")
            text.append(_joined(meta[key]) + "\n", style="dim")
    text.rstrip()
    return text


#: Reading statuses as the narrow column writes them.
SHORT_STATUS = {"plan-to-read": "planned"}
_STATUS_STYLES = {"finished": "green", "dropped": "dim", "on-hold": "italic"}


def _status_cell(status: str, style: str = "") -> Text:
    return Text(
        SHORT_STATUS.get(status, label(status).casefold()),
        style=style or _STATUS_STYLES.get(status, ""),
        overflow="ellipsis",
        no_wrap=True,
    )


def reading_time(seconds: Any) -> str:
    """Total reading time as a person says it: "read for 3 h 12 min" ("" when none)."""
    try:
        minutes = int(float(seconds or 0)) // 60
    except (TypeError, ValueError):
        return ""
    if minutes < 1:
        return "read for under a minute" if seconds else ""
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"read for {minutes} min"
    return f"read for {hours} h {minutes} min" if minutes else f"read for {hours} h"


#: AO3's ratings and the letters readers know them by.
RATINGS = {
    "general audiences": "G",
    "teen and up audiences": "T",
    "mature": "M",
    "explicit": "E",
    "not rated": "NR",
}


def short_rating(rating: str) -> str:
    return RATINGS.get(rating.strip().casefold(), rating[:6])


BAR_CELLS = 5
_EIGHTHS = " ▏▎▍▌▋▊▉"


def progress_bar(fraction: float) -> Text:
    """A small bar and the per cent, "███▌  71%": how far through a story is, at a glance."""
    fraction = max(0.0, min(fraction, 1.0))
    eighths = round(fraction * BAR_CELLS * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_EIGHTHS[part] if part else "")
    text = Text(bar.ljust(BAR_CELLS), style="green" if fraction >= 1 else "")
    text.append(f"{percent(fraction):>4}%", style="dim" if fraction < 1 else "green")
    return text


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value or "")


def when(iso: str) -> str:
    """A past moment as a person says it: "3 min ago", "yesterday", "2026-11-03"."""
    if not iso:
        return "—"
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return "—"
    seconds = (datetime.now(then.tzinfo) - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} days ago"
    return then.strftime("%Y-%m-%d")
