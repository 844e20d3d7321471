"""Reading statistics from the state file: speed, time left, time and words read per day.

Each story's entry keeps a small log of the days it was read on, filled by page turns
(:func:`add_reading`)::

    days:
      "2026-11-21": [1260.4, 5230]    # local date: [seconds read, words read]

- **Seconds** are the time between page turns, forward or back, leaving out pauses of
  :data:`IDLE_SECONDS` or more (the reader went away).
- **Words** are the words on the pages turned *forward* after a pause shorter than that.
  A page turned faster than :data:`SKIM_WPM` words a minute was skimmed, not read: its
  time counts, its words do not. Pages turned back count time but no words (re-reading
  is part of how long a book takes).
- Only days with reading are kept. Two copies of the file merge day by day, field by
  field, by the larger value (:func:`reader.state.merge.merge_days`).

The reading speed (:func:`speed`) is the words read over the seconds read in the most
recent :data:`SPEED_DAYS` days with reading, across all stories, once there are at least
:data:`MIN_EVIDENCE_SECONDS` and :data:`MIN_EVIDENCE_WORDS`; until then it is
:data:`DEFAULT_WPM`. It is clamped to :data:`MIN_WPM`–:data:`MAX_WPM`. Pure: no Textual,
no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from reader.state.merge import day_pair, reading_seconds
from reader.state.stamps import parse_stamp, stamp_order

#: The speed assumed until yours is measured (words a minute).
DEFAULT_WPM = 250
#: The measured speed is kept within these bounds.
MIN_WPM, MAX_WPM = 80, 1500
#: A page turned faster than this (words a minute) was skimmed: its words are not counted.
SKIM_WPM = 1500
#: A pause this long (seconds) or longer between page turns is not reading.
IDLE_SECONDS = 120
#: Enough reading to trust a measured speed.
MIN_EVIDENCE_SECONDS = 5 * 60
MIN_EVIDENCE_WORDS = 1000
#: How many of the latest days with reading the speed is measured over.
SPEED_DAYS = 30

Stories = Mapping[str, Mapping[str, Any]]


# Recording -------------------------------------------------------------------------------


def turn_time(elapsed: float) -> float:
    """The seconds a page turn adds to reading time: 0 after a pause of IDLE_SECONDS or more."""
    return elapsed if 0 < elapsed < IDLE_SECONDS else 0.0


def words_read(words: int, seconds: float) -> int:
    """The words a forward page turn counts as read: none when idle or skimmed."""
    if seconds <= 0 or words <= 0:
        return 0
    return words if words / (seconds / 60) <= SKIM_WPM else 0


def day_key(moment: datetime | None = None) -> str:
    """The local date of ``moment`` (default now) as the log writes it: ``2026-11-21``."""
    return (moment or datetime.now()).strftime("%Y-%m-%d")


def add_reading(entry: dict[str, Any], day: str, seconds: float, words: int) -> None:
    """Add ``seconds`` and ``words`` to ``entry``'s log for ``day`` (seconds to a tenth)."""
    if seconds <= 0 and words <= 0:
        return
    days = entry.get("days")
    if not isinstance(days, dict):
        days = entry["days"] = {}
    held_seconds, held_words = day_pair(days.get(day))
    days[day] = [round(held_seconds + max(0.0, seconds), 1), held_words + max(0, words)]


# Reading the log ---------------------------------------------------------------------------


def _date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def daily_totals(stories: Stories, latest: int | None = None) -> dict[date, tuple[float, int]]:
    """Seconds and words read on each day, across all stories; ``latest``: only on the
    latest that many days in the logs (the rest of the logs is not read, so it stays cheap
    in a state file of thousands of stories)."""
    found = [entry.get("days") for entry in stories.values() if isinstance(entry, Mapping)]
    logs: list[Mapping[Any, Any]] = [days for days in found if isinstance(days, Mapping)]
    dates = {key: day for key in set().union(*logs) if (day := _date(key)) is not None}
    if latest is not None:
        kept = set(sorted(set(dates.values()), reverse=True)[:latest])
        dates = {key: day for key, day in dates.items() if day in kept}
    totals: dict[date, tuple[float, int]] = {}
    for days in logs:
        for key in dates.keys() & days.keys():
            seconds, words = day_pair(days[key])
            held = totals.get(dates[key], (0.0, 0))
            totals[dates[key]] = (held[0] + seconds, held[1] + words)
    return totals


def totals_since(totals: Mapping[date, tuple[float, int]], first: date | None) -> tuple[float, int]:
    """Seconds and words from ``first`` on (``None``: all time)."""
    picked = [value for day, value in totals.items() if first is None or day >= first]
    return sum(value[0] for value in picked), sum(value[1] for value in picked)


class Speed(NamedTuple):
    """A reading speed, and the evidence behind it (``measured`` False: the default)."""

    wpm: int
    seconds: float = 0.0
    words: int = 0
    measured: bool = False


def speed(stories: Stories) -> Speed:
    """Your reading speed from the latest days with reading (see the module docstring)."""
    recent = daily_totals(stories, latest=SPEED_DAYS).values()
    seconds = sum(value[0] for value in recent)
    words = sum(value[1] for value in recent)
    if seconds < MIN_EVIDENCE_SECONDS or words < MIN_EVIDENCE_WORDS:
        return Speed(DEFAULT_WPM, seconds, words, measured=False)
    wpm = round(words / (seconds / 60))
    return Speed(max(MIN_WPM, min(MAX_WPM, wpm)), seconds, words, measured=True)


def minutes_for(words: int, wpm: int) -> int:
    """Whole minutes (rounded up) to read ``words`` at ``wpm``."""
    return -(-max(0, words) // max(1, wpm))


def duration(seconds: float) -> str:
    """A span the way the footer and statistics say it: ``45 s``, ``12 min``, ``4 h 05 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s" if seconds else "0 min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def speed_sentence(measured: Speed) -> str:
    """Which speed the time-left figures use, in a sentence."""
    if measured.measured:
        return f"Your speed: {measured.wpm:,} words a minute, measured over {duration(measured.seconds)}."
    return (
        f"{DEFAULT_WPM} words a minute (the default until you have read "
        f"{MIN_EVIDENCE_SECONDS // 60} minutes and {MIN_EVIDENCE_WORDS:,} words)."
    )


# Chart and lists ------------------------------------------------------------------------------

BLOCKS = " ▁▂▃▄▅▆▇█"


def last_days(totals: Mapping[date, tuple[float, int]], today: date, count: int) -> list[tuple[date, float]]:
    """(day, minutes read) for the ``count`` days ending ``today``, oldest first."""
    return [
        (day, totals.get(day, (0.0, 0))[0] / 60)
        for day in (today - timedelta(days=back) for back in range(count - 1, -1, -1))
    ]


def bar_columns(values: list[float], height: int) -> list[str]:
    """Vertical bars for ``values``, one string of ``height`` cells per value, top row first.

    Each cell is one of :data:`BLOCKS`, so a bar's height has eight steps a row. A value
    above zero always shows at least the lowest block, so a short read is not invisible.
    """
    top = max(values, default=0.0)
    columns = []
    for value in values:
        eighths = round(value / top * height * 8) if top > 0 else 0
        if value > 0:
            eighths = max(1, eighths)
        cells = []
        for row in range(height - 1, -1, -1):
            cells.append(BLOCKS[max(0, min(8, eighths - row * 8))])
        columns.append("".join(cells))
    return columns


class Finished(NamedTuple):
    title: str
    when: datetime


def finished_stories(stories: Stories) -> list[Finished]:
    """Stories with a ``finished`` stamp, the latest first, ``when`` in local time (a
    stamp written in another time zone falls on the day and month it is here)."""
    found = []
    for story_id, entry in stories.items():
        moment = parse_stamp(entry.get("finished"))
        if moment is not None:
            found.append(Finished(str(entry.get("title") or story_id), moment.astimezone()))
    return sorted(found, key=lambda item: item.when.timestamp(), reverse=True)


def reading_time(entry: Mapping[str, Any]) -> int:
    """A story's total reading time in whole seconds (``reading_time``)."""
    return int(reading_seconds(entry))


def top_stories(stories: Stories, count: int) -> list[tuple[str, int]]:
    """(title, seconds) of the ``count`` stories read longest, longest first."""
    timed = [
        (str(entry.get("title") or story_id), reading_time(entry), stamp_order(entry.get("last_read")))
        for story_id, entry in stories.items()
        if reading_time(entry) > 0
    ]
    timed.sort(key=lambda item: (item[1], item[2]), reverse=True)
    return [(title, seconds) for title, seconds, _ in timed[:count]]
