"""Story file formats: each module turns one kind of file into a :class:`Story`.

:func:`load_story` reads a file or a story folder; which files are stories, sidecars and path
ids are in :mod:`.files`, content ids in :mod:`.fingerprint` (both re-exported here).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from reader.formats.errors import StoryError
from reader.formats.files import (
    FORMATS,
    apply_overrides,
    chapter_files,
    is_story_file,
    is_story_folder,
    is_story_name,
    natural_key,
    normalise_metadata,
    path_id,
    read_sidecar,
    set_size_limit,
)
from reader.formats.fingerprint import content_id, neighbour_ids
from reader.model import Story

# The parsers themselves are imported when a story is first read, not with the package: the
# reader's own process reads its stories in processes of its own (reader.opening) and, at its
# start, needs only which files are stories, the errors and the ids (10-15 ms saved).

__all__ = [
    "FORMATS",
    "StoryError",
    "apply_overrides",
    "chapter_files",
    "content_id",
    "is_story_file",
    "is_story_folder",
    "is_story_name",
    "load_file",
    "load_story",
    "natural_key",
    "open_story",
    "neighbour_ids",
    "normalise_metadata",
    "path_id",
    "read_sidecar",
    "set_size_limit",
]


def load_story(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Story:
    """Read the story at ``path`` (a file, or a story folder).

    Its id is its source URL when it carries one, else its path under ``root``. A
    ``NAME.yaml`` beside a file (or ``story.yaml`` in a story folder) overrides the title,
    author and metadata the file gives.
    """
    from reader.formats.folder import load_folder
    from reader.formats.loading import load_file
    from reader.formats.safe_text import clean_story

    path = Path(path)
    if path.is_dir():
        story = load_folder(path)
        sidecar = path / "story.yaml"
    else:
        story = load_file(path)
        sidecar = path.with_suffix(".yaml")
    apply_overrides(story, read_sidecar(sidecar))
    story.metadata = normalise_metadata(story.metadata)
    clean_story(story)  # text from strangers: no control byte goes further
    story.path = str(path)
    if not story.id:  # a parser may name the story itself (a Gutenberg ebook number)
        source = story.metadata.get("source_url")
        story.id = str(source) if source else content_id(path, root)
    return story


def open_story(path: Path, root: Path | None) -> tuple[Story, Callable[[], None] | None]:
    """:func:`load_story`, read back from the cache of parsed stories when it can be; and,
    when it was parsed, a call that keeps it there (slow for a long book: call it when idle)."""
    from reader.formats import story_cache

    story, made = story_cache.load(path, root)
    if story is not None:
        return story, None
    story = load_story(path, root)
    if made is None:
        return story, None
    parsed = dataclasses.replace(story)  # as parsed: the reading screen gives it its known id
    return story, lambda: story_cache.save(parsed, path, made)


def load_file(path: Path) -> Story:
    """One story file, by its ending (:func:`reader.formats.loading.load_file`)."""
    from reader.formats.loading import load_file as load

    return load(path)
