"""The reading state: one small YAML file per story in a state folder (see :mod:`.store`)."""

from __future__ import annotations

from reader.state.disk import LockBusy
from reader.state.identity import Found
from reader.state.store import State, StateFolderError

__all__ = ["Found", "LockBusy", "State", "StateFolderError"]
