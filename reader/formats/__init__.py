"""Story file formats: each module turns one kind of file into a :class:`Story`."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from reader.formats.errors import StoryError
from reader.model import Story

__all__ = ["FORMATS", "MAX_FILE_BYTES", "Preload", "StoryError", "is_story_file", "load_story"]

#: File endings the library recognises, and the module (``reader.formats.NAME``) that reads each.
#: Every such module has ``parse(data: bytes, fallback_title: str) -> Story`` and raises
#: :class:`StoryError` with a one-line reason for a file it cannot read.
FORMATS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
}

#: Refuse to load files larger than this (bytes); a story is text, not a disk image.
MAX_FILE_BYTES = 400 * 1024 * 1024


def is_story_file(path: Path) -> bool:
    return path.suffix.lower() in FORMATS and not path.name.startswith(".")


def load_story(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Story:
    """Read the story at ``path``; its id is its source URL, else its path under ``root``."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise StoryError(f"{path.name}: not a story format the reader knows ({path.suffix or 'no ending'})")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StoryError(
                f"{path.name}: too large ({size // 2**20} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)"
            )
        data = path.read_bytes()
    except StoryError:
        raise
    except OSError as error:
        raise StoryError(f"{path.name}: cannot be read ({error.strerror or error})") from None
    if not data.strip():
        raise StoryError(f"{path.name}: the file is empty")
    module = importlib.import_module(f"reader.formats.{kind}")
    try:
        story = module.parse(data, fallback_title=_title_from_name(path))
    except StoryError as error:
        raise StoryError(f"{path.name}: {error}") from None
    story.path = str(path)
    source = story.metadata.get("source_url")
    if source:
        story.id = str(source)
    else:
        story.id = _relative(path, root)
    return story


def _relative(path: Path, root: str | os.PathLike[str] | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def _title_from_name(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip().title() or path.name


class Preload:
    """Read a story on a thread while the caller does other work (the UI starting up)."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        import threading

        self.path, self.root = path, root
        self._story: Story | None = None
        self._error: StoryError | None = None
        self._thread = threading.Thread(target=self._run, name="reader-preload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._story = load_story(self.path, self.root)
        except StoryError as error:
            self._error = error
        except Exception as error:  # reported like any bad file, never a traceback
            self._error = StoryError(f"{self.path.name}: could not be read ({error})")

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> Story:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._story is not None
        return self._story
