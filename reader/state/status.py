"""Reading status: what the reader means to do with a story, kept in the state file.

The state file keeps the value under each story's ``status`` key, in the spelling of
``STATUSES``. A story read with no status set is "reading"; one never opened has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reader.state.stamps import stamp_order

#: Setting another status within this long of marking a story finished undoes the finish
#: (a slip of the key); later, the ``finished`` date stays as when the story was last
#: finished (a re-read does not undo having read it).
UNDO_FINISH_SECONDS = 3600

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
    if value in STATUSES:  # as the reader writes it: the common case, at once
        return value
    return _SPELLINGS.get(" ".join(value.replace("_", " ").split()).casefold(), "")


def status_of_entry(entry: Mapping[str, Any] | None) -> str:
    """The status a story's state entry holds: set by hand, else "reading" once opened."""
    if not entry:
        return ""
    status = normalise(entry.get("status"))
    if status:
        return status
    return "reading" if entry.get("position") or entry.get("last_read") else ""


def label(status: str) -> str:
    return STATUSES.get(status, "")


def set_status(entry: dict[str, Any], status: str, now: str) -> None:
    """Set ``entry``'s status by hand at ``now`` (an ISO stamp), stamped ``status_changed``
    (the later wins a merge).

    Marking a story finished stamps ``finished`` with ``now``, unless it is finished
    already (the first finish date stays). Another status set within
    :data:`UNDO_FINISH_SECONDS` of finishing removes the stamp (undone); set later, it
    keeps the date the story was last finished. Raises ``ValueError`` for an unknown
    status.
    """
    key = normalise(status)
    if not key:
        raise ValueError(f"unknown reading status {status!r}")
    before = status_of_entry(entry)
    if key == "finished":
        if before != "finished" or not entry.get("finished"):
            entry["finished"] = now
    elif entry.get("finished") and before == "finished":
        if stamp_order(now) - stamp_order(entry["finished"]) < UNDO_FINISH_SECONDS:
            del entry["finished"]
    entry["status"] = key
    entry["status_changed"] = now
