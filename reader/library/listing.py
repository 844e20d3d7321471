"""Find the stories in a library folder and read what the library list shows of them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.formats import StoryError, is_story_name, load_story, path_id
from reader.formats.folder import is_story_folder, natural_key
from reader.library.cache import default_cache_path, signature

__all__ = [
    "Entry",
    "ScanBatch",
    "default_cache_path",
    "read_entry",
    "scan",
    "scan_batches",
    "story_files",
    "story_listing",
]


@dataclass
class Entry:
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
    entries: list[Entry],
    stories: dict[str, dict[str, Any]],
    key: Callable[[str], str] = str,
) -> list[Entry]:
    """Stories the reading state knows in this library whose files are gone.

    They keep their place and bookmarks, and come back as they were when the file returns.
    ``key`` gives the state's id for a story's id (a story may be known by another).
    """
    present = {key(entry.id) for entry in entries}
    top = os.path.abspath(root)
    missing = []
    for story_id, saved in stories.items():
        path = str(saved.get("path") or "")
        if story_id in present or not path or os.path.exists(path):
            continue
        if os.path.commonpath([top, os.path.abspath(path)]) != top:
            continue  # a story of another library
        missing.append(
            Entry(
                path=Path(path),
                id=story_id,
                title=str(saved.get("title") or Path(path).name),
                author=str(saved.get("author") or ""),
                error=f"{Path(path).name}: the file is missing; its place and bookmarks are kept",
                missing=True,
            )
        )
    return missing


def story_files(root: Path) -> list[Path]:
    """Stories under ``root`` (files, and story folders), in a stable order.

    Links to folders are not followed, so a link loop cannot trap the scan.
    """
    return [path for path, _, _ in story_listing(root, signatures=False)]


Signature = tuple[int, int]  # (newest mtime_ns, total size) of a story's files, sidecar included


def story_listing(root: Path, signatures: bool = True) -> list[tuple[Path, str, Signature | None]]:
    """``story_files(root)``, each with its path under the root (``/`` separators) and its
    signature (None when it cannot be looked at, or when ``signatures`` is false). One
    ``scandir`` a folder and one ``stat`` a story (two with a sidecar): the cheap half of a
    re-scan."""
    found: list[tuple[str, Path, Signature | None]] = []
    folders = [(os.fspath(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                items = list(listing)
        except OSError:
            continue  # unreadable, or gone since its parent was listed
        names = {item.name for item in items}
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
                    found.append((prefix + name, path, signature(path) if signatures else None))
                elif not item.is_symlink():
                    folders.append((item.path, prefix + name + "/"))
            elif is_story_name(name):
                sig = None
                if signatures:
                    sidecar = name[: name.rfind(".")] + ".yaml"
                    sig = _file_signature(item, os.path.join(folder, sidecar) if sidecar in names else None)
                found.append((prefix + name, Path(item.path), sig))
    found.sort(key=lambda item: natural_key(item[0]))
    return [(path, rel, sig) for rel, path, sig in found]


def _file_signature(item: os.DirEntry[str], sidecar: str | None) -> Signature | None:
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


def read_entry(path: Path, root: Path) -> Entry:
    try:
        story = load_story(path, root)
    except StoryError as error:
        return Entry(path=path, id=path_id(path, root), title=path.name, error=str(error))
    except Exception as error:  # a bug in a format reader must not take the library down
        reason = f"{path.name}: could not be read ({type(error).__name__}: {error})"
        return Entry(path=path, id=path_id(path, root), title=path.name, error=reason)
    return Entry(
        path=path,
        id=story.id,
        title=story.title,
        author=story.author,
        words=story.words,
        chapters=len(story.chapters),
        metadata=dict(story.metadata),
    )


@dataclass
class ScanBatch:
    """Part of a scan: the stories read since the last batch, and how far the scan is."""

    entries: list[Entry]  # stories read in this batch (from the cache or freshly parsed)
    done: int  # stories looked at so far in this scan
    total: int  # stories found in the folder (known after the directory walk)
    final: bool  # the last batch: every story present has been yielded once in this scan


def scan_batches(
    root: Path, cache_path: Path | None = None, should_stop: Callable[[], bool] | None = None
) -> Iterator[ScanBatch]:
    """Every story under ``root``, in batches: first, in one batch, all the ones the metadata
    cache still knows (same mtime and size); then the rest as they are parsed, a batch about
    every 0.1-0.2 s. The last batch has ``final=True`` (it may be empty). Stories whose files
    are gone are not yielded. Runs on any thread (the UI's worker); see ``reader.library.scanning``.

    ``should_stop()`` (e.g. "the worker was cancelled") is asked between stories and while
    waiting for the parsing processes: once true, the scan ends within ~0.15 s, with no final
    batch, and the stories not yet parsed are dropped (quitting mid-way through a cold scan
    must not wait for it)."""
    from reader.library.scanning import run_scan

    cache = cache_path if cache_path is not None else default_cache_path(root)
    yield from run_scan(Path(root), cache, should_stop or (lambda: False))


def scan(root: Path, cache_path: Path | None = None) -> list[Entry]:
    """Every story under ``root``, in the library's order (through the metadata cache)."""
    entries: dict[Path, Entry] = {}
    for batch in scan_batches(root, cache_path):
        entries.update((entry.path, entry) for entry in batch.entries)
    return sorted(entries.values(), key=lambda entry: natural_key(entry.path.relative_to(root).as_posix()))


def status_of(metadata: dict[str, Any]) -> str:
    """ "complete", "in progress" or "" (unknown), from the status or the chapter count."""
    status = str(metadata.get("status", "")).casefold()
    if status.startswith("complete") or status in ("finished", "done", "завершён"):
        return "complete"
    if status and any(word in status for word in ("progress", "wip", "ongoing", "updated", "hiatus")):
        return "in progress"
    done, _, total = str(metadata.get("chapter_count", "")).partition("/")
    if total.strip() == "?":
        return "in progress"
    if total.strip() and done.strip() == total.strip():
        return "complete"
    if total.strip():
        return "in progress"
    return ""


def chapters_label(entry: Entry) -> str:
    """Chapters as AO3 writes them, "3/10" or "3/?", when the story says how many are planned."""
    _, _, total = str(entry.metadata.get("chapter_count", "")).partition("/")
    return f"{entry.chapters}/{total.strip()}" if total.strip() else str(entry.chapters)


#: Metadata the library filter looks in, besides title and author.
FILTER_FIELDS = ("fandom", "rating", "relationships", "characters", "tags", "category", "warnings", "series")


def filter_text(entry: Entry) -> str:
    """Everything the library filter matches, folded to lower case."""
    parts = [entry.title, entry.author, status_of(entry.metadata)]
    for key in FILTER_FIELDS:
        value = entry.metadata.get(key)
        parts.extend(value if isinstance(value, list) else [str(value or "")])
    return " ".join(parts).casefold()


def matches(entry: Entry, query: str) -> bool:
    """Every word of ``query`` is somewhere in the story's title, author or metadata."""
    text = filter_text(entry)
    return all(word in text for word in query.casefold().split())


def recent_first(title: str, last_read: str) -> tuple[bool, float, str]:
    """Sort key: the story read last first (by the moment, whatever its time zone), then
    the ones never read, by title."""
    from reader.state.stamps import stamp_order

    return recent_key(title.casefold(), stamp_order(last_read) if last_read else None)


def recent_key(folded_title: str, moment: float | None) -> tuple[bool, float, str]:
    """:func:`recent_first` with the title already folded and the stamp already read as
    seconds since the epoch (``None``: never read)."""
    return (moment is None, -moment if moment is not None else 0.0, folded_title)
