"""Loading a state folder fast: records from the cache where files did not change, the
heavy parts (bookmarks, deletion records, day logs) on a thread, merged in when first needed.

Functions of :class:`~reader.state.store.State` (kept apart so the store stays small).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from reader.state.cache import Heavy, Light, load_cache, load_heavy, load_heavy_later
from reader.state.disk import StoryFile, file_signature, read_story
from reader.state.folder import Changes, list_folder

#: A :class:`reader.state.store.State` (not imported: the store imports this module).
State = Any
#: Gives story files already parsed, by name, each with its last good copy (see recovery).
Parsed = Callable[[], Mapping[str, tuple[StoryFile, StoryFile]]]


def load_folder(state: State, trust: bool = False, parsed: Parsed | None = None) -> None:
    """Read the state folder into ``state``: from the cache where files did not change.
    ``trust``: see :func:`reader.state.folder.list_folder`. ``parsed``: files read and parsed
    already (by :func:`reader.opening.read_state`, beside Textual's import), taken where their
    signature is still the file's."""
    folder_key = os.path.realpath(state.folder)
    cache = load_cache(state.cache_path, folder_key)
    listing = list_folder(state.folder, cache.signs, trust)
    signs = cache.signs
    if listing.stories == signs:  # the usual warm start: not one file changed
        hits, misses = list(signs), []
    else:
        hits = [name for name, sign in listing.stories.items() if signs.get(name) == sign]
        misses = [name for name, sign in listing.stories.items() if signs.get(name) != sign]
    state.unlooked = trust and bool(hits)
    if not _take_cached(state, cache, hits):
        misses = list(listing.stories)  # a cache not as written: every file is read
    ready = parsed() if parsed is not None and misses else {}
    for name in misses:
        found, previous = ready.get(name, (None, None))
        if found is None or found.signature is None or found.signature != listing.stories[name]:
            found, previous = read_story(state.folder / name), None
        elif previous is not None and previous.signature != file_signature(previous.path):
            previous = None  # its last good copy changed since: read again
        state.take_file(found, previous)
    if state.light_names:  # their bookmarks and day logs: later (see prefetch)
        state.heavy_waiting = True
    for name in listing.conflicts:
        state.take_conflict(read_story(state.folder / name))
    if misses or len(signs) != len(state.disk):
        state.save_cache()


def _take_cached(state: State, cache: Light, hits: list[str]) -> bool:
    """Take the records of the files ``hits`` from the cache, in bulk: at the start nothing is
    in memory yet, and a plain file (its story's own, :attr:`Light.odd` says which are not)
    needs none of the checks of :meth:`State._take`. False for a cache not as written."""
    records, odd = cache.records, cache.odd
    plain = [name for name in hits if name not in odd] if odd else hits
    try:
        taken = [records[name] for name in plain]
        ids = [record["id"] for record in taken]
    except (KeyError, TypeError):
        return False
    if not all(type(i) is str for i in ids):
        return False
    signs = cache.signs
    if state.stories or len(set(ids)) != len(ids):  # not the plain case: one by one
        for name in hits:
            state._take(name, signs[name], records[name])
        state.light_names.update(cache.heavy.intersection(hits))
        return True
    state.disk.update({name: (signs[name], record) for name, record in zip(plain, taken, strict=True)})
    state.stories.update(zip(ids, taken, strict=True))
    state.names.update(zip(ids, plain, strict=True))
    for story_id, record in zip(ids, taken, strict=True):
        if "also" in record:
            state._index_aliases(story_id)
    state.light_names.update(cache.heavy.intersection(hits))
    for name in hits if odd else ():
        if name in odd:
            state._take(name, signs[name], records[name])
    if not odd and len(plain) == len(signs) and cache.reading is not None:  # every file as cached
        state.start_reading = (dict(state.stories), *cache.reading)
    return True


def prefetch(state: State) -> None:
    """Start reading the heavy parts of the records on a thread. Not at the start itself:
    unmarshalling them holds the interpreter for a while (tens of milliseconds at thousands
    of stories), which the first frame would wait for; the app calls this just after."""
    if state.heavy_waiting and state.heavy_parts is None:
        state.heavy_parts = load_heavy_later(state.cache_path, os.path.realpath(state.folder))


def freshen(state: State, story_id: str | None = None) -> None:
    """Before acting on a record a start took from the cache on trust (``State.load(path,
    look_soon=True)``: no ``stat`` a file): look at that story's file now — or, with no
    story named, at the whole folder — rather than wait for the app's first look. Opening
    a story does this, so that its place is the one on disk (a crash, another device)."""
    if not state.unlooked:
        return
    if story_id is None:
        state.absorb(state.changes(state.look()))
        state.unlooked = False
        return
    name = state.names.get(state.key(story_id))
    if name is not None and file_signature(state.folder / name) != state.disk.get(name, (None,))[0]:
        state.absorb(Changes([read_story(state.folder / name)], []))


def ensure_full(state: State) -> None:
    """Merge in the heavy parts of the records the cache gave light (bookmarks, deletion
    records, day logs), waiting for the thread that reads them if it has not finished.
    A record whose heavy part is not found as cached is read from its file again."""
    if not state.heavy_waiting:
        return
    try:
        if state.heavy_parts is None:  # needed before the app asked for it: read here and now
            heavy = load_heavy(state.cache_path, os.path.realpath(state.folder))
        else:
            heavy = state.heavy_parts.result()
    except Exception:  # an unreadable cache: the files are read instead
        heavy = Heavy()
    state.heavy_parts, state.heavy_waiting = None, False
    light, state.light_names = state.light_names, set()
    for name in light:
        item = state.disk.get(name)
        if item is None:
            continue  # read from its file since: whole
        sign, record = item
        parts = heavy.parts.get(name)
        if parts is None or heavy.signs.get(name) != sign:
            state.take_file(read_story(state.folder / name))
            continue
        mine = state.stories.get(record["id"])
        for key, value in parts.items():
            record.setdefault(key, value)
            if mine is not None and mine is not record:
                mine.setdefault(key, value)
