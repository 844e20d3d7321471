"""The statistics screen: minutes read a day as a bar chart, totals, speed, finished stories."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from reader.state.stats import (
    bar_columns,
    daily_totals,
    duration,
    finished_stories,
    last_days,
    reading_time,
    speed,
    speed_sentence,
    top_stories,
    totals_since,
)
from reader.state.status import label, status_of_entry
from reader.ui.bindings import STATISTICS
from reader.ui.keymap import key_of
from reader.ui.services import services

#: The most days the chart shows (four weeks).
CHART_DAYS = 28
WEEKDAYS = "MTWTFSS"
BAR = "$primary"
TODAY = "$accent"
MUTED = "$text-muted"


def chart_days(width: int) -> tuple[int, int]:
    """How many days fit in ``width`` cells, and the cells each takes (a bar and a gap)."""
    room = max(7, width - 2)
    if room >= CHART_DAYS * 2:
        return CHART_DAYS, 2
    if room >= 14 * 2:
        return max(14, room // 2 // 7 * 7), 2
    return min(CHART_DAYS, max(7, room // 7 * 7)), 1


def chart(today: date, minutes: list[tuple[date, float]], height: int, step: int) -> Content:
    """The bars, the weekday initials under them and a date under every Monday."""
    values = [value for _, value in minutes]
    columns = bar_columns(values, height)
    lines: list[Content] = []
    for row in range(height):
        parts: list[str | tuple[str, str]] = [" "]
        for (day, value), column in zip(minutes, columns, strict=True):
            cell = column[row]
            if row == height - 1 and value <= 0:
                parts.append(("·", MUTED))
            else:
                parts.append((cell, TODAY if day == today else BAR))
            parts.append(" " * (step - 1))
        lines.append(Content.assemble(*parts))
    initials: list[str | tuple[str, str]] = [" "]
    for day, _ in minutes:
        initials.append((WEEKDAYS[day.weekday()], f"bold {TODAY}" if day == today else MUTED))
        initials.append(" " * (step - 1))
    lines.append(Content.assemble(*initials))
    dates = [" "] * (1 + len(minutes) * step + 8)
    for index, (day, _) in enumerate(minutes):
        if day.weekday() == 0:
            text = f"{day.day} {day:%b}"
            at = 1 + index * step
            if all(cell == " " for cell in dates[max(0, at - 1) : at + len(text)]):
                dates[at : at + len(text)] = list(text)
    lines.append(Content.styled("".join(dates).rstrip(), MUTED))
    return Content("\n").join(lines)


def shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class StatsScreen(Screen[None]):
    """Reading statistics from the state file; ``story_id`` adds a line for the story being read."""

    BINDINGS = STATISTICS.bindings()

    def __init__(self, story_id: str | None = None, title: str = "") -> None:
        super().__init__()
        self.story_id = story_id
        self.story_title = title

    def compose(self) -> ComposeResult:
        yield Static("Reading statistics", id="title-bar")
        with VerticalScroll(id="stats-body"):
            yield Static(id="stats-heading")
            yield Static(id="stats-chart")
            yield Static(id="stats-text")
        yield Static(f" {key_of('statistics.close', self.app._keymap)}: close · ↑↓: scroll", id="status-bar")

    def on_mount(self) -> None:
        self.draw()
        self.query_one("#stats-body").focus()

    def on_resize(self, event: events.Resize) -> None:
        self.draw()

    def draw(self) -> None:
        width = self.size.width or self.app.size.width
        height = self.size.height or self.app.size.height
        stories = services(self).state.full_stories()
        totals = daily_totals(stories)
        now = datetime.now()
        today = now.date()
        count, step = chart_days(width - 2)
        minutes = last_days(totals, today, count)
        bars = max(2, min(8, (height - 6) // 3))
        best_day, best = max(minutes, key=lambda item: (item[1], item[0]))
        heading = f"Minutes read a day, the last {count} days"
        most = f" (most: {duration(best * 60)}, {best_day:%a} {best_day.day} {best_day:%b})"
        if best > 0 and len(heading + most) <= width - 4:
            heading += most
        elif len(heading) > width - 4:
            heading = f"Minutes a day, last {count} days"
        self.query_one("#stats-heading", Static).update(Content.styled(heading, "bold"))
        self.query_one("#stats-chart", Static).update(chart(today, minutes, bars, step))
        self.query_one("#stats-text", Static).update(self.summary(stories, totals, today, width - 4))

    def summary(
        self,
        stories: Mapping[str, Mapping[str, Any]],
        totals: Mapping[date, tuple[float, int]],
        today: date,
        width: int,
    ) -> Content:
        periods = [
            ("Today", today),
            ("This week", today - timedelta(days=today.weekday())),
            (f"Last {CHART_DAYS} days", today - timedelta(days=CHART_DAYS - 1)),
            ("All time", None),
        ]
        parts: list[str | tuple[str, str]] = [(f"{'':<14}{'Time':<13}Words\n", "bold")]
        for name, first in periods:
            seconds, words = totals_since(totals, first)
            parts.append(f"{name:<14}{duration(seconds):<13}{words:,}\n")
        parts.append("\n" + speed_sentence(speed(stories)) + "\n")
        finished = finished_stories(stories)
        month = (today.year, today.month)
        this_month = [item for item in finished if (item.when.year, item.when.month) == month]
        parts.append(("\nStories finished", "bold"))
        parts.append(f": {len(this_month)} this month · {len(finished)} in all\n")
        for item in finished[:5]:
            parts.append((f"  {item.when.day:>2} {item.when:%b %Y}  ", MUTED))
            parts.append(shorten(item.title, width - 15) + "\n")
        top = top_stories(stories, 5)
        if top:
            parts.append(("\nRead longest\n", "bold"))
            for title, seconds in top:
                parts.append((f"  {duration(seconds):>11}  ", MUTED))
                parts.append(shorten(title, width - 15) + "\n")
        entry = stories.get(self.story_id, {}) if self.story_id else None
        if entry is not None:
            title = self.story_title or str(entry.get("title") or self.story_id)
            status = label(status_of_entry(entry) or "reading")
            parts.append(("\nThis story", "bold"))
            parts.append(f": {shorten(title, width - 12)}\n")
            parts.append(f"  {duration(reading_time(entry))} read in all · {status}\n")
        return Content.assemble(*parts).rstrip()

    def action_close(self) -> None:
        self.dismiss(None)
