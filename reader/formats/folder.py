"""A story folder: one file per chapter (in natural order), with an optional ``story.yaml``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from reader.formats.errors import StoryError
from reader.model import Block, Chapter, Story

_CHAPTER_FILE = re.compile(r"^(?:ch(?:apter)?[ ._-]*)?\d+(?:\D.*)?$", re.I)


def natural_key(name: str) -> list[object]:
    """Sort key in which "2" comes before "10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def chapter_files(folder: Path) -> list[Path]:
    from reader.formats import is_story_name

    try:
        with os.scandir(folder) as listing:  # no stat a file: a library folder holds thousands
            files = [Path(item.path) for item in listing if is_story_name(item.name) and item.is_file()]
    except OSError:
        return []
    return sorted(files, key=lambda p: natural_key(p.name))


def is_story_folder(folder: Path) -> bool:
    """A folder with a ``story.yaml``, or whose story files are all named like chapters."""
    from reader.formats import is_story_name

    if (folder / "story.yaml").is_file():
        return True
    chapters = 0
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if is_story_name(item.name) and item.is_file():
                    if not _CHAPTER_FILE.match(os.path.splitext(item.name)[0]):
                        return False  # a folder of stories, seen at its first story
                    chapters += 1
    except OSError:
        return False
    return chapters >= 2


def load_folder(folder: Path) -> Story:
    from reader.formats import _load_file, read_sidecar

    settings = read_sidecar(folder / "story.yaml")
    files = chapter_files(folder)
    order = settings.get("chapters")
    if isinstance(order, list) and order:
        named = {p.name: p for p in files}
        listed = [named[str(name)] for name in order if str(name) in named]
        files = listed + [p for p in files if p not in listed]
    if not files:
        raise StoryError(f"{folder.name}: a story folder with no chapter files")
    chapters: list[Chapter] = []
    author, metadata = "", dict[str, object]()
    for path in files:
        part = _load_file(path)  # a bad chapter file makes the story unreadable, with its name
        author = author or part.author
        metadata = metadata or dict(part.metadata)
        for chapter in part.chapters:
            if len(part.chapters) == 1 and chapter.blocks and chapter.blocks[0].kind != "heading":
                title = _chapter_title(path)
                chapter = Chapter(title, [Block("heading", title), *chapter.blocks])
            chapters.append(chapter)
    title = folder.name.replace("_", " ").strip()  # story.yaml's title, if any, wins later
    return Story(id="", title=title, author=author, chapters=chapters, metadata=metadata)


def _chapter_title(path: Path) -> str:
    stem = path.stem.replace("_", " ").strip()
    match = re.match(r"^(?:ch(?:apter)?[ ._-]*)?(\d+)[ ._-]*(.*)$", stem, re.I)
    if match:
        number, rest = int(match.group(1)), match.group(2).strip()
        return f"Chapter {number}: {rest}" if rest else f"Chapter {number}"
    return stem
