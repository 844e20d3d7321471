"""A story folder: one file per chapter (in natural order), with an optional ``story.yaml``."""

from __future__ import annotations

import re
from pathlib import Path

from reader.formats.errors import StoryError
from reader.formats.files import chapter_files, read_sidecar, refuse_outside_link
from reader.formats.loading import load_file
from reader.model import Block, Chapter, Story


def load_folder(folder: Path) -> Story:
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
        refuse_outside_link(path, folder)
        part = load_file(path)  # a bad chapter file makes the story unreadable, with its name
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
