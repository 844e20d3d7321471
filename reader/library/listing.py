"""Find the stories in a library folder and read what the library list shows of them."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.clean import PLACEHOLDER, clean, display_name, text_key
from reader.formats import StoryError, is_story_name, load_story, path_id
from reader.formats.files import is_story_folder, leaves_library, natural_key
from reader.library.cache import FilesSignature, default_cache_path, files_signature
from reader.model import Story

__all__ = [
    "StoryEntry",
    "ScanBatch",
    "default_cache_path",
    "failed_entry",
    "load_entry",
    "read_entry",
    "signatures",
    "story_files",
    "story_listing",
]


@dataclass
class StoryEntry:
    """One story as the library list shows it; ``error`` is set when it could not be read."""

    path: Path
    id: str
    title: str
    author: str = ""
    words: int = 0
    chapters: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    missing: bool = False  # known from the reading state, but its file is gone


def missing_entries(
    root: Path,
    entries: list[StoryEntry],
    stories: dict[str, dict[str, Any]],
    key: Callable[[str], str] = str,
) -> list[StoryEntry]:
    """Stories the reading state knows in this library whose files are gone.

    They keep their place and bookmarks, and come back as they were when the file returns.
    ``key`` gives the state's id for a story's id (a story may be known by another).
    """
    present = {key(entry.id) for entry in entries}
    top = os.path.abspath(root)
    missing = []
    for story_id, saved in stories.items():
        path = str(saved.get("path") or "")
        name = display_name(Path(path).name)
        if story_id in present or not path or os.path.exists(path):
            continue
        if os.path.commonpath([top, os.path.abspath(path)]) != top:
            continue  # a story of another library
        missing.append(
            StoryEntry(
                path=Path(path),
                id=story_id,
                title=clean(str(saved.get("title") or name), PLACEHOLDER),
                author=clean(str(saved.get("author") or ""), PLACEHOLDER),
                error=f"{name}: the file is missing; its place and bookmarks are kept",
                missing=True,
            )
        )
    return missing


def story_files(root: Path) -> list[Path]:
    """Stories under ``root`` (files, and story folders), in a stable order.

    Links to folders are not followed, so a link loop cannot trap the scan.
    """
    return [path for path, _, _ in story_listing(root, signatures=False)]


def story_listing(root: Path, signatures: bool = True) -> list[tuple[Path, str, FilesSignature | None]]:
    """``story_files(root)``, each with its path under the root (``/`` separators) and its
    signature (None when it cannot be looked at, or when ``signatures`` is false). One
    ``scandir`` a folder and one ``stat`` a story (two with a sidecar): the cheap half of a
    re-scan."""
    found = _walk(root, signatures)
    found.sort(key=lambda item: natural_key(item[0]))
    return [(Path(path), rel, sig) for rel, path, sig in found]


def signatures(root: Path) -> dict[str, FilesSignature]:
    """Each story's signature by its path under ``root``, in no order: the walk of
    ``story_listing`` without the sort (what the search index compares)."""
    return {rel: sig for rel, _, sig in _walk(root, True) if sig is not None}


def _walk(root: Path, signatures: bool) -> list[tuple[str, str, FilesSignature | None]]:
    found: list[tuple[str, str, FilesSignature | None]] = []
    folders = [(os.fspath(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                items = list(listing)
        except OSError:
            continue  # unreadable, or gone since its parent was listed
        names = {item.name for item in items}
        sidecars = any(name.endswith(".yaml") for name in names)
        for item in items:
            name = item.name
            try:
                is_dir = item.is_dir()
            except OSError:
                is_dir = False  # a link loop, say: a story file that will report why (as os.walk)
            if is_dir:
                if name.startswith("."):
                    continue
                path = Path(item.path)
                if is_story_folder(path):
                    sig = files_signature(path) if signatures and not leaves_library(path, root) else None
                    found.append((text_key(prefix + name), item.path, sig))
                elif not item.is_symlink():
                    folders.append((item.path, prefix + name + "/"))
            elif is_story_name(name):
                sig = None  # none for a link out of the library: never cached, never indexed
                if signatures and not (item.is_symlink() and leaves_library(item.path, root)):
                    sidecar = name[: name.rfind(".")] + ".yaml" if sidecars else ""
                    sig = _file_signature(item, os.path.join(folder, sidecar) if sidecar in names else None)
                found.append((text_key(prefix + name), item.path, sig))
    return found


def _file_signature(item: os.DirEntry[str], sidecar: str | None) -> FilesSignature | None:
    try:
        stat = item.stat()
    except OSError:
        return None
    try:
        extra = os.stat(sidecar) if sidecar is not None else None
    except OSError:
        extra = None  # gone since the folder was listed
    if extra is None:
        return stat.st_mtime_ns, stat.st_size
    return max(stat.st_mtime_ns, extra.st_mtime_ns), stat.st_size + extra.st_size


def read_entry(path: Path, root: Path) -> StoryEntry:
    return load_entry(path, root)[0]


def failed_entry(path: Path, root: Path, reason: str) -> StoryEntry:
    """The entry of a story that could not be read, and why."""
    return StoryEntry(path=path, id=path_id(path, root), title=display_name(path.name), error=reason)


def load_entry(path: Path, root: Path) -> tuple[StoryEntry, Story | None]:
    """The story's entry, and the story itself (None when it cannot be read): the search
    index's workers take both from one parse."""
    if leaves_library(path, root):
        reason = (
            f"{display_name(path.name)}: a link out of the library folder, not followed "
            "(follow_outside_links: true in config.yaml follows it)"
        )
        return failed_entry(path, root, reason), None
    try:
        story = load_story(path, root)
    except StoryError as error:
        return failed_entry(path, root, str(error)), None
    except Exception as error:  # a bug in a format reader must not take the library down
        reason = clean(f"{path.name}: could not be read ({type(error).__name__}: {error})", PLACEHOLDER)
        return failed_entry(path, root, reason), None
    entry = StoryEntry(
        path=path,
        id=story.id,
        title=story.title,
        author=story.author,
        words=story.words,
        chapters=len(story.chapters),
        metadata=dict(story.metadata),
    )
    return entry, story


@dataclass
class ScanBatch:
    """Part of a scan: the stories read since the last batch, and how far the scan is."""

    entries: list[StoryEntry]  # stories read in this batch (from the cache or freshly parsed)
    done: int  # stories looked at so far in this scan
    total: int  # stories found in the folder (known after the directory walk)
    final: bool  # the last batch: every story present has been yielded once in this scan
