"""Which record a story file is: the rules that keep a place through renames and re-downloads.

A story's id is its source URL when the file carries one, else its content fingerprint
(``md5:…``, KOReader's partial MD5 — :mod:`reader.formats.fingerprint`). The library finds
stories by that *natural* id; a record may have been made under another one, kept in its
``also`` list. The rules, for a story file whose natural id no record knows:

- at a path some record was read at, it is that record's story, edited or re-downloaded in
  place — unless that record's own fingerprint now lives at another path: then the story
  moved there, and the file at the old path is a new story;
- a record whose file is gone and whose title and author are those of exactly one new
  story is that story (moved and changed at once; also how first-release records, known by
  their path, find their files);
- otherwise it is a new story. Two files of one name in two folders are two stories.

The natural id is then added to the record's ``also`` list, so the next look is direct.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple


class Found(NamedTuple):
    """A story file as the library or the reading screen found it."""

    id: str
    path: str
    title: str = ""
    author: str = ""
    root: str = ""  # the library folder: the path under it is how the first release named stories

    @property
    def rel(self) -> str:
        """The path under the library folder (``/`` separators), worked out only when asked."""
        if not self.root:
            return ""
        relative = os.path.relpath(os.path.abspath(self.path), os.path.abspath(self.root))
        return "" if relative.startswith("..") else relative.replace(os.sep, "/")


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _abs(path: object) -> str:
    return os.path.abspath(path) if isinstance(path, str) and path else ""


class Identity:
    """The part of :class:`~reader.state.store.State` that maps ids to records."""

    stories: dict[str, dict[str, Any]]
    aliases: dict[str, str]
    dirty: set[str]

    def key(self, story_id: str) -> str:
        """The id of the record ``story_id`` leads to (itself when it is a record's id)."""
        if story_id in self.stories:
            return story_id
        return self.aliases.get(story_id, story_id)

    def known(self, story_id: str) -> bool:
        return self.key(story_id) in self.stories

    def _index_aliases(self, story_id: str) -> None:
        others = self.stories.get(story_id, {}).get("also")
        for other in others if isinstance(others, list) else ():
            if other != story_id:
                self.aliases[str(other)] = story_id

    def _alias(self, natural: str, story_id: str) -> None:
        record = dict(self.stories[story_id])  # a new mapping: the old one may be the file's copy
        record["also"] = [*dict.fromkeys([*record.get("also", []), natural])]
        self.stories[story_id] = record
        self.aliases[natural] = story_id
        self.dirty.add(story_id)

    def _ids_of(self, story_id: str) -> set[str]:
        others = self.stories.get(story_id, {}).get("also")
        return {story_id, *(others if isinstance(others, list) else ())}

    def reconcile(self, found: Iterable[Found]) -> list[tuple[str, str]]:
        """Carry records over to the stories of a whole library scan (the rules above).

        Returns the (natural id, record id) pairs newly joined.
        """
        found = list(found)
        unknown = [item for item in found if not self.known(item.id)]
        if not unknown:
            return []  # the usual warm start: every story found is known already
        present = {item.id for item in found}
        claimed = {self.key(item.id) for item in found}
        orphans = {
            k: r
            for k, r in self.stories.items()
            if k not in claimed and not any(other in present for other in _list(r.get("also")))
        }
        by_path = {_abs(r.get("path")): k for k, r in orphans.items() if r.get("path")}
        by_title = self._title_index(orphans)
        joined = []
        for item in unknown:
            target = by_path.get(_abs(item.path))
            if target is None and (rel := item.rel) in orphans and not orphans[rel].get("path"):
                target = rel  # a first-release record, named by its path, with no path kept
            if (target is None or target not in orphans) and item.title:
                wanted = by_title.get((item.title.casefold(), item.author.casefold()), [])
                still = [k for k in wanted if k in orphans]
                target = still[0] if len(still) == 1 else None
            if target is not None:
                self._alias(item.id, target)
                del orphans[target]
                joined.append((item.id, target))
        return joined

    @staticmethod
    def _title_index(orphans: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
        """Records whose file is gone, by (title, author) folded: found again when moved and
        changed at once, and how first-release records find their files."""
        index: dict[tuple[str, str], list[str]] = {}
        for key, record in orphans.items():
            path = record.get("path")
            if path and os.path.exists(str(path)):
                continue
            title = (str(record.get("title", "")).casefold(), str(record.get("author", "")).casefold())
            index.setdefault(title, []).append(key)
        return index

    def identify(self, item: Found, neighbours: Callable[[], set[str]]) -> str:
        """The record id for one story opened on its own (not through a library scan).

        ``neighbours`` gives the natural ids of the other story files beside it, asked for
        only when a record at this path must be told apart from a story that moved.
        """
        if self.known(item.id):
            return self.key(item.id)
        here = _abs(item.path)
        candidates = [k for k, r in self.stories.items() if _abs(r.get("path")) == here]
        if len(candidates) == 1:
            target = candidates[0]
            if not self._ids_of(target) & neighbours():
                self._alias(item.id, target)
                return target
        return item.id
