"""Reading status: what the reader means to do with a story, kept in the state file.

The state file keeps the value under each story's ``status`` key, in the spelling of
``STATUSES``. A story read with no status set is "reading"; one never opened has none.
"""

from __future__ import annotations

from typing import Any

#: Every status, in the order the picker lists them, with its label.
STATUSES: dict[str, str] = {
    "reading": "Reading",
    "finished": "Finished",
    "on-hold": "On hold",
    "dropped": "Dropped",
    "plan-to-read": "Plan to read",
}

_SPELLINGS = {
    **{key: key for key in STATUSES},
    **{label.casefold(): key for key, label in STATUSES.items()},
    "on hold": "on-hold",
    "onhold": "on-hold",
    "plan to read": "plan-to-read",
    "planned": "plan-to-read",
    "completed": "finished",
    "read": "finished",
}


def normalise(value: Any) -> str:
    """The status ``value`` names ("On hold" → "on-hold"), or "" when it names none."""
    if not isinstance(value, str):
        return ""
    return _SPELLINGS.get(" ".join(value.replace("_", " ").split()).casefold(), "")


def status_of_entry(entry: dict[str, Any] | None) -> str:
    """The status a story's state entry holds: set by hand, else "reading" once opened."""
    if not entry:
        return ""
    status = normalise(entry.get("status"))
    if status:
        return status
    return "reading" if entry.get("position") or entry.get("last_read") else ""


def label(status: str) -> str:
    return STATUSES.get(status, "")
