"""Which files are stories and how they are named: the format by ending, the size limit,
story folders and their chapter order, ``NAME.yaml`` sidecars, and a story's path id.

Nothing here parses a story: this is what the library walk, the fingerprint and the loaders
share (so none of them imports another to learn it).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from reader.clean import display_name, text_key
from reader.formats.errors import StoryError
from reader.lazy import pattern
from reader.model import LIST_KEYS, METADATA_KEYS, Story

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


#: Links that lead out of the library folder are not followed (``follow_outside_links:`` in
#: config.yaml): a library may be served to others, and a link to ``/etc/passwd`` is no story.
FOLLOW_OUTSIDE_LINKS = False


def set_follow_outside_links(follow: bool) -> None:
    global FOLLOW_OUTSIDE_LINKS
    FOLLOW_OUTSIDE_LINKS = bool(follow)


def leaves_library(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when ``path`` (a link, or under one) leads out of ``root`` and such links are not
    followed. A path that is no link costs nothing: only links are resolved."""
    if FOLLOW_OUTSIDE_LINKS or not os.path.islink(path):
        return False
    top = os.path.realpath(root)
    target = os.path.realpath(path)
    return os.path.commonpath([top, target]) != top


def refuse_outside_link(path: Path, folder: Path) -> None:
    """A StoryError when ``path`` — a chapter file in a story folder, a sidecar — is a link
    out of ``folder`` that is not to be followed (see :func:`leaves_library`)."""
    if leaves_library(path, folder):
        raise StoryError(
            f"{display_name(path.name)}: a link out of the story's folder, not followed "
            "(follow_outside_links: true in config.yaml follows it)"
        )


#: Seconds a story's parse may take in the library's scan, the search index's build and the
#: command line (``parse_seconds`` in config.yaml; its default is config's too): a story
#: that takes longer is abandoned, its worker process killed.
PARSE_SECONDS = 20


def set_parse_seconds(seconds: int) -> None:
    global PARSE_SECONDS
    PARSE_SECONDS = max(1, int(seconds))


def set_size_limit(megabytes: int) -> None:
    """Refuse story files larger than this (``max_story_mb`` in config.yaml)."""
    global MAX_FILE_BYTES
    MAX_FILE_BYTES = max(1, megabytes) * 2**20


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # never wait on a FIFO's writer
    | getattr(os, "O_NOCTTY", 0)  # never make a terminal device ours
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def open_regular(path: str | os.PathLike[str]) -> int | None:
    """A descriptor open on ``path`` if it is a regular file, else None (closed).

    Opening non-blocking and checking with fstat means a FIFO, a device or a socket that sits
    where a story should be is never read and never blocks.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of the regular file at ``path``, never more than ``limit`` (default: the size
    limit) + 1 — whatever its size says (a link to ``/dev/zero`` says 0). A FIFO, a device or
    a socket (directly or through a link) is a :class:`StoryError` with the reason, checked
    with ``stat`` before it is opened and again, on the open descriptor, after."""
    limit = MAX_FILE_BYTES if limit is None else limit
    name = os.path.basename(os.fspath(path))
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind:
            raise StoryError(f"{name}: not a regular file ({kind}); skipped")
        fd = os.open(path, _OPEN_FLAGS)  # non-blocking: a FIFO swapped in meanwhile never waits
    except OSError as error:
        raise StoryError(f"{name}: cannot be read ({error.strerror or error})") from None
    chunks: list[bytes] = []
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise StoryError(f"{name}: not a regular file ({kind}); skipped")
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as error:
        raise StoryError(f"{name}: cannot be read ({error.strerror or error})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise StoryError(f"{name}: too large (more than {limit // 2**20} MB, the limit)")
    return data


def _not_regular(mode: int) -> str:
    """What a file is when it is not a regular file ("" when it is)."""
    if stat.S_ISREG(mode):
        return ""
    for test, kind in (
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return kind
    return "not a file"


def is_story_file(path: Path) -> bool:
    return path.suffix.lower() in FORMATS and not path.name.startswith(".")


def is_story_name(name: str) -> bool:
    """``is_story_file`` for a bare file name, without making a Path (a library has thousands)."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in FORMATS


_CHAPTER_FILE = pattern(r"^(?:ch(?:apter)?[ ._-]*)?\d+(?:\D.*)?$", re.I)


def natural_key(name: str) -> list[object]:
    """Sort key in which "2" comes before "10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def chapter_files(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as listing:  # no stat a file: a library folder holds thousands
            files = [Path(item.path) for item in listing if is_story_name(item.name) and item.is_file()]
    except OSError:
        return []
    return sorted(files, key=lambda p: natural_key(p.name))


def is_story_folder(folder: Path) -> bool:
    """A folder with a ``story.yaml``, or whose story files are all named like chapters."""
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


#: A sidecar holds a title and a few keys: a larger one is refused.
_MAX_SIDECAR = 2**20


def read_sidecar(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``, or {} when there is none; a bad one is a StoryError."""
    if not os.path.lexists(path):
        return {}
    refuse_outside_link(path, path.parent)
    try:
        raw = read_regular(path, _MAX_SIDECAR).decode("utf-8")
    except UnicodeDecodeError as error:
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
            return text_key(relative)
    return text_key(path.name)


def title_from_name(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip().title() or path.name
