"""Timestamps as the state files keep them: ISO 8601 text with a time zone, read without ever failing.

Every stamp the reader writes (``last_read``, ``status_changed``, ``finished``, a bookmark's
``created`` and ``renamed``) is timezone-aware local time, so that copies written on machines
in different zones still sort right. Files are hand-edited and synced, so a stamp read back
may be anything; one that is not a real moment is treated as missing, never as an error:

- not a string, or not ISO 8601;
- *naive* (no zone): it names no moment, since the zone of the machine that wrote it is unknown;
- outside the years :data:`MIN_YEAR`..:data:`MAX_YEAR`, or one that cannot be converted to
  seconds since the epoch (``0001-01-01T00:00:00+14:00`` overflows in ``astimezone``).

Pure: no Textual, no I/O.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "later",
    "now_iso",
    "now_stamp",
    "parse_stamp",
    "remember_orders",
    "stamp_order",
    "valid_stamp",
]

#: The years a real stamp can fall in; anything outside is a typo or a hostile file.
MIN_YEAR, MAX_YEAR = 2000, 2200

#: No ISO 8601 stamp is longer than this; longer text is not parsed at all.
_MAX_STAMP_CHARS = 64


def _read(text: object) -> tuple[datetime, float] | None:
    """The moment an ISO 8601 stamp with a zone names, and its seconds since the epoch."""
    if not isinstance(text, str) or not text or len(text) > _MAX_STAMP_CHARS:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None or moment.utcoffset() is None:
            return None  # naive: the zone it was written in is unknown
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            return None
        seconds = moment.timestamp()  # raises for a moment that cannot be converted
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    return moment, seconds


def parse_stamp(text: object) -> datetime | None:
    """The moment an ISO 8601 stamp with a zone names, or None for anything else (never raises)."""
    found = _read(text)
    return found[0] if found is not None else None


def valid_stamp(value: object) -> bool:
    """Whether ``value`` is a stamp :func:`parse_stamp` reads (a string naming a real moment)."""
    return _read(value) is not None


#: Stamps already read, with their :func:`stamp_order`: the state's cache brings those of its
#: records' ``last_read`` (:func:`remember_orders`), so that sorting thousands of stories by
#: the last read at a start parses none of them.
_ORDERS: dict[str, float] = {}


def stamp_order(text: object) -> float:
    """A number to sort stamps by: seconds since the epoch, ``-inf`` for an invalid stamp."""
    if type(text) is str and (known := _ORDERS.get(text)) is not None:
        return known
    found = _read(text)
    return found[1] if found is not None else -math.inf


def remember_orders(orders: dict[str, float]) -> None:
    """Take stamps read before (a text whose value is not a float is ignored)."""
    _ORDERS.update((k, v) for k, v in orders.items() if type(k) is str and type(v) is float)


def later(theirs: object, mine: object) -> bool:
    """Whether the stamp ``theirs`` is strictly later than ``mine`` (ties go to mine)."""
    return stamp_order(theirs) > stamp_order(mine)


def now_stamp(timespec: str = "seconds") -> str:
    """Now, as a timezone-aware ISO 8601 stamp in local time (``timespec`` as in ``isoformat``)."""
    return datetime.now(timezone.utc).astimezone().isoformat(timespec=timespec)


def now_iso() -> str:
    """Now, to the millisecond (``last_read``, bookmarks, status changes).

    Milliseconds, not seconds: two readers saving the same story within one second would
    otherwise tie, and a tie keeps the saving reader's copy, stale or not.
    """
    return now_stamp("milliseconds")
