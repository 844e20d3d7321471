"""A story's identity by its content, so that a moved or renamed story keeps its reading state.

For a file this is KOReader's partial MD5 (``util.partialMD5`` in its ``frontend/util.lua``),
which is also the document id of KOReader's progress sync: cheap on a big file (at most 12 KiB
is read), and stable when data is appended at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

from reader.formats.files import chapter_files, is_story_folder, is_story_name, open_regular, path_id

__all__ = ["content_id", "fingerprint", "folder_fingerprint", "neighbour_ids", "partial_md5"]

_SAMPLE = 1024

#: KOReader reads at ``lshift(1024, 2*i)`` for i = -1..10. LuaJIT's shift takes the count
#: modulo 32, so i = -1 is ``1024 << 30`` in 32 bits: 0. Then 1 KiB, 4 KiB, ... 1 GiB.
_OFFSETS = (0, *(_SAMPLE << 2 * i for i in range(11)))

#: A ``story.yaml`` larger than this is not read for its id (it holds a title and a few keys).
_MAX_STORY_YAML = 2**20


def _read_at(fd: int, offset: int, size: int) -> bytes:
    """Up to ``size`` bytes at ``offset``, fewer only at the end of the file (like Lua's read)."""
    os.lseek(fd, offset, os.SEEK_SET)
    chunks: list[bytes] = []
    wanted = size
    while wanted > 0:
        chunk = os.read(fd, wanted)
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def partial_md5(path: str | os.PathLike[str]) -> str | None:
    """KOReader's partial MD5 of the file at ``path`` (lowercase hex), or None if not readable.

    MD5 over 1024-byte samples at offsets 0, 1 KiB, 4 KiB, ... 1 GiB, in that order, stopping
    at the first offset that reads nothing; a short last sample counts as read. An empty file
    gives the MD5 of nothing. Anything but a regular file gives None.
    """
    import hashlib  # here: its import loads OpenSSL, not needed for most starts

    fd = open_regular(path)
    if fd is None:
        return None
    digest = hashlib.md5(usedforsecurity=False)
    try:
        for offset in _OFFSETS:
            sample = _read_at(fd, offset, _SAMPLE)
            if not sample:
                break
            digest.update(sample)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest.hexdigest()


def _story_yaml_id(folder: Path) -> str | None:
    """The ``id`` string in the folder's ``story.yaml``, or None (no file, too big, bad YAML)."""
    fd = open_regular(folder / "story.yaml")
    if fd is None:
        return None
    try:
        if os.fstat(fd).st_size > _MAX_STORY_YAML:
            return None
        raw = _read_at(fd, 0, _MAX_STORY_YAML + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) > _MAX_STORY_YAML:  # grew since fstat
        return None
    import yaml

    try:
        data = yaml.safe_load(raw)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    value = data.get("id")
    return value if isinstance(value, str) and value.strip() else None


def folder_fingerprint(folder: Path) -> str | None:
    """The identity of a story folder, or None if it has no chapter files or one is unreadable.

    With an ``id`` in ``story.yaml`` it is the MD5 of ``"id:" + id``, so editing a chapter
    keeps it; else the MD5 of the chapter files' partial MD5s, one a line, in the folder's
    chapter order (:func:`reader.formats.files.chapter_files`), so reordering changes it.
    """
    import hashlib  # here: its import loads OpenSSL, not needed for most starts

    folder = Path(folder)
    story_id = _story_yaml_id(folder)
    if story_id is not None:
        return hashlib.md5(f"id:{story_id}".encode(), usedforsecurity=False).hexdigest()
    parts: list[str] = []
    for chapter in chapter_files(folder):
        part = partial_md5(chapter)
        if part is None:
            return None
        parts.append(part)
    if not parts:
        return None
    return hashlib.md5("\n".join(parts).encode("ascii"), usedforsecurity=False).hexdigest()


def fingerprint(path: str | os.PathLike[str]) -> str | None:
    """The content identity of a story: :func:`folder_fingerprint` or :func:`partial_md5`."""
    path = Path(path)
    if path.is_dir():
        return folder_fingerprint(path)
    return partial_md5(path)


def content_id(path: Path, root: str | os.PathLike[str] | None) -> str:
    """The id of a story without a source URL: its content fingerprint (``md5:…``, the same
    on every machine, wherever the library lives), else its path under ``root``."""
    found = fingerprint(path)
    return f"md5:{found}" if found else path_id(path, root)


def neighbour_ids(path: Path) -> set[str]:
    """The content ids of the other story files in ``path``'s folder (to tell a story that
    moved beside it from one edited in place)."""
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
