"""What the library shows of a story: its table cells and its details pane."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from reader.library import Entry, chapters_label, status_of
from reader.state import State

#: Columns: label, the sort its header selects, fixed width (None: shares what is left),
#: and the narrowest terminal that still shows it.
COLUMNS = (
    ("Title", "title", None, 0),
    ("Author", "author", None, 50),
    ("Fandom", "title", None, 100),
    ("Words", "length", 7, 0),
    ("Ch.", "length", 5, 70),
    ("Rating", "title", 6, 125),
    ("Status", "title", 8, 110),
    ("Updated", "title", 10, 140),
    ("Progress", "progress", 10, 0),
    ("Last read", "recent", 10, 60),
)
NEW_STYLE = "bold green"


def column_widths(width: int) -> list[tuple[str, int]]:
    """The columns that fit a terminal ``width`` wide, with widths: the title gets the most."""
    shown = [(label, fixed) for label, _, fixed, narrowest in COLUMNS if width >= narrowest]
    room = width - 2 - 2 * len(shown) - sum(fixed or 0 for _, fixed in shown)  # padding, scrollbar
    flexible = [label for label, fixed in shown if fixed is None]
    side = min(24, max(8, room // (len(flexible) + 1))) if len(flexible) > 1 else 0
    title = max(8, room - side * (len(flexible) - 1))
    return [(label, fixed or (title if label == "Title" else side)) for label, fixed in shown]


def new_chapters(entry: Entry, state: State) -> int:
    seen = state.chapters_seen(entry.id)
    return max(0, entry.chapters - seen) if seen else 0


def cells(entry: Entry, state: State) -> dict[str, Text | str]:
    if entry.missing:
        return {
            "Title": Text("✗ " + entry.title, style="dim strike", overflow="ellipsis", no_wrap=True),
            "Author": Text(entry.author, style="dim", overflow="ellipsis", no_wrap=True),
            "Status": Text("missing", style="dim"),
            "Progress": Text(f"{state.progress(entry.id):.0%}", style="dim", justify="right"),
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
        "Status": {"complete": "complete", "in progress": "WIP"}.get(status_of(entry.metadata), ""),
        "Updated": str(entry.metadata.get("updated") or entry.metadata.get("published") or "")[:10],
        "Progress": progress_bar(state.progress(entry.id)) if read else Text("new", justify="right"),
        "Last read": when(state.last_read(entry.id)),
    }


def details(entry: Entry | None, state: State) -> Text:
    """A few lines about the highlighted story: facts, summary, relationships and tags."""
    if entry is None:
        return Text("")
    if entry.error:
        return Text(entry.error, style="red")
    meta = entry.metadata
    facts = [
        _joined(meta.get("fandom")),
        str(meta.get("rating", "")),
        status_of(meta),
        f"{chapters_label(entry)} chapters",
        f"{entry.words:,} words",
        f"updated {meta['updated']}" if meta.get("updated") else "",
    ]
    new = new_chapters(entry, state)
    text = Text()
    if new:
        text.append(f"{new} new chapter{'s' if new > 1 else ''} · n opens the first\n", style=NEW_STYLE)
    text.append(" · ".join(f for f in facts if f) + "\n", style="bold")
    if meta.get("summary"):
        text.append(str(meta["summary"]) + "\n")
    for label, key in (("Relationships", "relationships"), ("Characters", "characters"), ("Tags", "tags")):
        if meta.get(key):
            text.append(f"{label}: ", style="bold")
            text.append(_joined(meta[key]) + "\n", style="dim")
    text.rstrip()
    return text


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
    text.append(f"{int(fraction * 100):>4}%", style="dim" if fraction < 1 else "green")
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
