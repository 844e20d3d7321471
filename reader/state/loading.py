"""Loading a state folder fast: records from the cache where files did not change, the
heavy parts (bookmarks, deletion records, day logs) on a thread, merged in when first needed.

Functions of :class:`~reader.state.store.State` (kept apart so the store stays small).
"""

from __future__ import annotations

import os
from typing import Any

from reader.state.cache import load_cache, load_heavy_later
from reader.state.disk import read_story
from reader.state.folder import list_folder

#: A :class:`reader.state.store.State` (not imported: the store imports this module).
State = Any


def load_folder(state: State) -> None:
    listing = list_folder(state.folder)
    folder_key = os.path.realpath(state.folder)
    cached, heavy = load_cache(state.cache_path, folder_key)
    parsed = False
    for name, sign in listing.stories.items():
        hit = cached.get(name)
        if hit is not None and hit[0] == sign:
            state._take(name, sign, hit[1])
            if name in heavy:
                state.light_names.add(name)
        else:
            state.take_file(read_story(state.folder / name))
            parsed = True
    if state.light_names:  # their bookmarks and day logs come on a thread, while the UI starts
        state.heavy_parts = load_heavy_later(state.cache_path, folder_key)
    for name in listing.conflicts:
        state.take_conflict(read_story(state.folder / name))
    if parsed or len(cached) != len(state.disk):
        state.save_cache()


def ensure_full(state: State) -> None:
    """Merge in the heavy parts of the records the cache gave light (bookmarks, deletion
    records, day logs), waiting for the thread that reads them if it has not finished.
    A record whose heavy part is not found as cached is read from its file again."""
    if state.heavy_parts is None:
        return
    try:
        heavy = state.heavy_parts.result()
    except Exception:  # an unreadable cache: the files are read instead
        heavy = {}
    state.heavy_parts = None
    light, state.light_names = state.light_names, set()
    for name in light:
        item = state.disk.get(name)
        if item is None:
            continue  # read from its file since: whole
        sign, record = item
        parts = heavy.get(name)
        if parts is None or parts[0] != sign:
            state.take_file(read_story(state.folder / name))
            continue
        mine = state.stories.get(record["id"])
        for key, value in parts[1].items():
            record.setdefault(key, value)
            if mine is not None and mine is not record:
                mine.setdefault(key, value)
