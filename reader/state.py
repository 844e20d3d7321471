"""Reading state: positions, bookmarks and history per story, kept in a YAML file.

Writes are atomic (a temp file in the same folder, fsync, ``os.replace``) and the previous
good file is kept as ``state.yaml.bak``. A file that does not parse is moved aside, never
overwritten; entries for stories whose files are missing are never purged.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from reader.model import Bookmark, Position

VERSION = 1


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


@dataclass
class State:
    """The state file in memory. ``warning`` says what went wrong while loading, if anything."""

    path: Path
    stories: dict[str, dict[str, Any]] = field(default_factory=dict)
    warning: str | None = None
    read_only: bool = False
    _on_disk: bool = False

    # Loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> State:
        state = cls(path=path)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return state
        except (OSError, UnicodeDecodeError) as error:
            return state._set_aside(f"could not be read ({error})")
        try:
            data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            return state._set_aside(f"is not valid YAML{where}")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return state._set_aside("does not hold a mapping")
        version = data.get("version", VERSION)
        if not isinstance(version, int):
            return state._set_aside(f"has an unknown version {version!r}")
        if version > VERSION:
            state.read_only = True
            state.warning = (
                f"{path} was written by a newer reader (version {version}); it is left untouched "
                "and nothing will be saved this session."
            )
            return state
        stories = data.get("stories") or {}
        if not isinstance(stories, dict):
            return state._set_aside("has a 'stories' entry that is not a mapping")
        state.stories = {str(k): v for k, v in stories.items() if isinstance(v, dict)}
        state._on_disk = True
        return state

    def _set_aside(self, reason: str) -> State:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except OSError as error:
            self.read_only = True
            self.warning = (
                f"The state file {self.path} {reason}, and could not be moved aside ({error}); "
                "nothing will be saved."
            )
            return self
        self.warning = f"The state file {reason}; it was moved to {aside} and a fresh state started."
        return self

    # Saving --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, "stories": self.stories}

    def dump(self) -> str:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(self.to_dict(), Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)

    def save(self) -> None:
        """Write the file atomically, keeping the previous good one as ``.bak``.

        Raises ``OSError`` (a full or read-only disk); the file on disk is then unchanged.
        """
        if self.read_only:
            return
        text = self.dump()
        if self._on_disk and self.path.exists():
            backup = self.path.with_name(self.path.name + ".bak")
            write_atomic(backup, self.path.read_text(encoding="utf-8"))
        write_atomic(self.path, text)
        self._on_disk = True

    # Stories -------------------------------------------------------------------------

    def entry(self, story_id: str) -> dict[str, Any]:
        return self.stories.setdefault(story_id, {})

    def position(self, story_id: str) -> Position | None:
        data = self.stories.get(story_id, {}).get("position")
        return Position.from_dict(data) if data else None

    def progress(self, story_id: str) -> float:
        try:
            return float(self.stories.get(story_id, {}).get("progress", 0.0))
        except (TypeError, ValueError):
            return 0.0

    def last_read(self, story_id: str) -> str:
        return str(self.stories.get(story_id, {}).get("last_read", "") or "")

    def save_position(
        self,
        story_id: str,
        position: Position,
        *,
        progress: float,
        title: str,
        path: str,
        seconds: float = 0.0,
        author: str = "",
        chapters: int = 0,
    ) -> None:
        entry = self.entry(story_id)
        entry["title"] = title
        if author:
            entry["author"] = author
        entry["path"] = path
        if chapters:
            entry["chapters"] = chapters
        entry["position"] = position.to_dict()
        entry["progress"] = round(progress, 4)
        entry["last_read"] = now_iso()
        if seconds:
            entry["reading_time"] = int(float(entry.get("reading_time", 0) or 0) + seconds)
        entry.setdefault("status", "reading")

    def bookmarks(self, story_id: str) -> list[Bookmark]:
        raw = self.stories.get(story_id, {}).get("bookmarks") or []
        marks = [Bookmark.from_dict(item) for item in raw] if isinstance(raw, list) else []
        return [mark for mark in marks if mark is not None]

    def set_bookmarks(self, story_id: str, bookmarks: list[Bookmark]) -> None:
        self.entry(story_id)["bookmarks"] = [mark.to_dict() for mark in bookmarks]

    def add_bookmark(self, story_id: str, name: str, position: Position) -> Bookmark:
        mark = Bookmark(name=name, position=position, created=now_iso())
        self.set_bookmarks(story_id, [*self.bookmarks(story_id), mark])
        return mark

    def chapters_seen(self, story_id: str) -> int:
        """How many chapters the story had when it was last read (0: never read)."""
        try:
            return int(self.stories.get(story_id, {}).get("chapters", 0) or 0)
        except (TypeError, ValueError):
            return 0

    def reconcile(self, found: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
        """Carry the state of renamed or moved stories over to their new ids.

        ``found`` lists (id, title, author) of the stories in the library now. An entry
        whose story is not among them and whose file is gone moves to the one new story
        with the same title and author. Returns the (old id, new id) pairs moved.
        """
        ids = {story_id for story_id, _, _ in found}
        orphans = {
            story_id: entry
            for story_id, entry in self.stories.items()
            if story_id not in ids and entry.get("path") and not os.path.exists(str(entry["path"]))
        }
        moved = []
        for story_id, title, author in found:
            if story_id in self.stories or not orphans:
                continue
            key = (title.casefold(), author.casefold())
            matches = [
                old
                for old, entry in orphans.items()
                if (str(entry.get("title", "")).casefold(), str(entry.get("author", "")).casefold()) == key
            ]
            if len(matches) == 1:
                self.stories[story_id] = self.stories.pop(matches[0])
                del orphans[matches[0]]
                moved.append((matches[0], story_id))
        return moved

    def most_recent(self) -> str | None:
        """The id of the story read last, if any."""
        read = [(self.last_read(k), k) for k in self.stories if self.last_read(k)]
        return max(read)[1] if read else None
