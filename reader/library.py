"""Find the stories in a library folder and read what the library list shows of them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.formats import StoryError, is_story_file, load_story
from reader.formats.folder import is_story_folder, natural_key


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


def story_files(root: Path) -> list[Path]:
    """Stories under ``root`` (files, and story folders), in a stable order.

    Links to folders are not followed, so a link loop cannot trap the scan.
    """
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        keep = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if is_story_folder(Path(folder) / name):
                found.append(Path(folder) / name)
            else:
                keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            path = Path(folder) / name
            if is_story_file(path):
                found.append(path)
    return sorted(found, key=lambda p: natural_key(p.relative_to(root).as_posix()))


def read_entry(path: Path, root: Path) -> Entry:
    try:
        story = load_story(path, root)
    except StoryError as error:
        return Entry(path=path, id=_relative(path, root), title=path.name, error=str(error))
    except Exception as error:  # a bug in a format reader must not take the library down
        reason = f"{path.name}: could not be read ({type(error).__name__}: {error})"
        return Entry(path=path, id=_relative(path, root), title=path.name, error=reason)
    return Entry(
        path=path,
        id=story.id,
        title=story.title,
        author=story.author,
        words=story.words,
        chapters=len(story.chapters),
        metadata=dict(story.metadata),
    )


def scan(root: Path) -> list[Entry]:
    return [read_entry(path, root) for path in story_files(root)]


def _relative(path: Path, root: Path) -> str:
    from reader.formats import _relative as relative

    return relative(path, root)
