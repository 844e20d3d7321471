"""Story file formats: each module turns one kind of file into a :class:`Story`."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from reader.formats.errors import StoryError
from reader.model import LIST_KEYS, METADATA_KEYS, Story

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "Preload",
    "StoryError",
    "is_story_file",
    "is_story_name",
    "load_story",
    "path_id",
    "set_size_limit",
]

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


def set_size_limit(megabytes: int) -> None:
    """Refuse story files larger than this (``max_story_mb`` in config.yaml)."""
    global MAX_FILE_BYTES
    MAX_FILE_BYTES = max(1, megabytes) * 2**20


def is_story_file(path: Path) -> bool:
    return path.suffix.lower() in FORMATS and not path.name.startswith(".")


def is_story_name(name: str) -> bool:
    """``is_story_file`` for a bare file name, without making a Path (a library has thousands)."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in FORMATS


def load_story(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Story:
    """Read the story at ``path`` (a file, or a story folder).

    Its id is its source URL when it carries one, else its path under ``root``. A
    ``NAME.yaml`` beside a file (or ``story.yaml`` in a story folder) overrides the title,
    author and metadata the file gives.
    """
    path = Path(path)
    if path.is_dir():
        from reader.formats.folder import load_folder

        story = load_folder(path)
        sidecar = path / "story.yaml"
    else:
        story = _load_file(path)
        sidecar = path.with_suffix(".yaml")
    apply_overrides(story, read_sidecar(sidecar))
    story.metadata = normalise_metadata(story.metadata)
    story.path = str(path)
    if not story.id:  # a parser may name the story itself (a Gutenberg ebook number)
        source = story.metadata.get("source_url")
        story.id = str(source) if source else content_id(path, root)
    return story


def content_id(path: Path, root: str | os.PathLike[str] | None) -> str:
    """The id of a story without a source URL: its content fingerprint (``md5:…``, the same
    on every machine, wherever the library lives), else its path under ``root``."""
    from reader.formats.fingerprint import fingerprint

    found = fingerprint(path)
    return f"md5:{found}" if found else path_id(path, root)


def neighbour_ids(path: Path) -> set[str]:
    """The content ids of the other story files in ``path``'s folder (to tell a story that
    moved beside it from one edited in place)."""
    from reader.formats.fingerprint import fingerprint
    from reader.formats.folder import is_story_folder

    found: set[str] = set()
    try:
        names = sorted(os.listdir(path.parent))[:2000]
    except OSError:
        return found
    for name in names:
        other = path.parent / name
        if name != path.name and (is_story_name(name) or is_story_folder(other)):
            digest = fingerprint(other)
            if digest:
                found.add(f"md5:{digest}")
    return found


def _load_file(path: Path) -> Story:
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
        story: Story = module.parse(data, fallback_title=_title_from_name(path))
    except StoryError as error:
        raise StoryError(f"{path.name}: {error}") from None
    return story


def read_sidecar(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``, or {} when there is none; a bad one is a StoryError."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise StoryError(f"{path.name}: cannot be read ({error})") from None
    import yaml

    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise StoryError(f"{path.name}: not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StoryError(f"{path.name}: should hold a mapping (title:, author:, metadata:)")
    return data


def apply_overrides(story: Story, data: dict[str, Any]) -> None:
    if data.get("title"):
        story.title = str(data["title"])
    if data.get("author"):
        story.author = str(data["author"])
    extra = data.get("metadata")
    if isinstance(extra, dict):
        story.metadata.update({str(k): v for k, v in extra.items() if v is not None})
    for key in METADATA_KEYS:  # also accepted at the top level
        if data.get(key) is not None:
            story.metadata[key] = data[key]
    if data.get("url") and not data.get("source_url"):
        story.metadata["source_url"] = data["url"]


def normalise_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """List-like keys as lists of strings ("a, b" is split), the rest as strings."""
    result: dict[str, Any] = {}
    for key, value in metadata.items():
        if value is None or value == "" or value == []:
            continue
        if key in LIST_KEYS:
            items = value if isinstance(value, list) else str(value).split(",")
            result[key] = [str(item).strip() for item in items if str(item).strip()]
        elif isinstance(value, list):
            result[key] = ", ".join(str(item) for item in value)
        else:
            result[key] = str(value).strip()
    return result


def path_id(path: Path, root: str | os.PathLike[str] | None) -> str:
    """``path`` under ``root``, worked out without resolving links (a link loop must not raise)."""
    if root is not None:
        relative = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()
        if not relative.startswith("../"):
            return relative
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
