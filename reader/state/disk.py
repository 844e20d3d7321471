"""One story's file on disk: its name, its lock, reading it safely, writing it safely.

A story's file is named by an ASCII slug of its title and a hash of its id
(``the-ferrymans-daughter-3f9a2c1b7d0e.yaml``): readable in a file manager, and found again
by the hash alone whatever the title became. Its lock lives outside the state folder (in the
cache folder), so that no sync tool copies it. Nothing here imports Textual.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reader.lazy import pattern

try:
    import fcntl
except ImportError:  # pragma: no cover - no flock on this platform (Windows)
    fcntl = None  # type: ignore[assignment]

#: The version of a story file this reader writes (1 was the single ``state.yaml``).
VERSION = 2

#: Hex digits of the id's hash in a file name: 48 bits.
HASH_DIGITS = 12

#: A story file larger than this is not read (a record is a few kilobytes; years of daily
#: history are tens of kilobytes).
MAX_FILE_BYTES = 4 * 2**20

#: Where files that could not be trusted, and merged sync-tool copies, are moved.
DAMAGED = "damaged"
MERGED_CONFLICTS = "merged-conflicts"

_NAME_TEXT = rf"(?:[a-z0-9-]*-)?([0-9a-f]{{{HASH_DIGITS}}})\.yaml"
_NAME = pattern(rf"^{_NAME_TEXT}$")
_NAME_LINES = pattern(rf"^{_NAME_TEXT}$\n?", re.MULTILINE)

#: What identifies one version of a file on disk: inode, size, modification time (ns).
FileSignature = tuple[int, int, int]


def slug(title: str) -> str:
    """An ASCII slug of ``title``: ``[a-z0-9-]``, at most 40 characters, never empty."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return words[:40].rstrip("-") or "story"


def id_hash(story_id: str) -> str:
    import hashlib  # here: its import loads OpenSSL, not needed for most starts

    return hashlib.sha256(story_id.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_DIGITS]


def file_name(title: str, story_id: str) -> str:
    """The name of a new story's file (fixed once written: a later title does not rename it)."""
    return f"{slug(title)}-{id_hash(story_id)}.yaml"


def name_hash(name: str) -> str | None:
    """The id hash a story file's name carries, or None when it is not a story file's name."""
    match = _NAME.match(name)
    return match[1] if match else None


def other_than_story_files(names: list[str]) -> list[str]:
    """The names of ``names`` that are not story files' names (:func:`name_hash`): one
    regular expression over them all, not one call a name (thousands at a start)."""
    odd = [name for name in names if "\n" in name]  # a line of their own could pass
    lines = "\n".join(name for name in names if "\n" not in name)
    return odd + [line for line in _NAME_LINES.sub("", lines).split("\n") if line]


def file_signature(path: Path) -> FileSignature | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


# Locking -------------------------------------------------------------------------------


class LockBusy(Exception):
    """Another reader held the story's lock too long: the save is tried again later."""


@contextmanager
def story_lock(path: Path, timeout: float) -> Iterator[bool | None]:
    """Hold an exclusive ``flock`` on the lock file ``path``.

    Yields True when held, False when another process kept it past ``timeout`` seconds, and
    None where there is no locking (no ``fcntl``, a lock folder that cannot be made, a file
    system that does not lock): the caller then relies on replacing the file only if it did
    not change meanwhile. The lock file is never removed (two processes must lock one file).
    """
    if fcntl is None:
        yield None
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield None
        return
    held: bool | None = False
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.005)
            except OSError as error:
                held = None if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS) else False
                break
        yield held
    finally:
        if held:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError:
                pass
        os.close(fd)


# Reading -------------------------------------------------------------------------------


@dataclass
class StoryFile:
    """One read of a story file: its record, or why it cannot be used.

    ``record`` is the cleaned record (values that could not be used were dropped, each
    with a line in ``notices``); ``problem`` says why there is no record; ``newer`` holds
    the version of a file from a newer reader (left alone); ``missing``: no such file.
    """

    path: Path
    signature: FileSignature | None = None
    text: str | None = None
    record: dict[str, Any] | None = None
    problem: str | None = None
    newer: int | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.text is None and self.problem is None


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[str | None, FileSignature | None, str | None]:
    """(text, signature, problem) of a small text file; only a regular file is read, and
    never more than ``limit`` bytes (a FIFO or a device in the folder cannot hang or flood)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, None, None
    except OSError as error:
        return None, None, f"could not be read ({error.strerror or error})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, None, "is not a regular file"
        sign = (info.st_ino, info.st_size, info.st_mtime_ns)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return None, None, f"could not be read ({error.strerror or error})"
    finally:
        os.close(fd)
    if size > limit:
        return None, sign, f"is larger than {limit // 2**20} MB"
    try:
        return b"".join(chunks).decode("utf-8"), sign, None
    except UnicodeDecodeError:
        return None, sign, "is not UTF-8 text"


def parse_story(text: str, where: str) -> tuple[dict[str, Any] | None, str | None, int | None, list[str]]:
    """(record, problem, newer version, notices) from a story file's text."""
    import yaml

    from reader.state.records import clean_entry  # only when a file is parsed: not on a warm start
    from reader.state.safe_yaml import load_yaml

    try:
        data, duplicates = load_yaml(text, collect_duplicates=True)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        reason = str(getattr(error, "problem", None) or error).splitlines()[0][:120]
        return None, f"is not valid YAML{line} ({reason})", None, []
    except RecursionError:
        return None, "is nested too deeply", None, []
    if not isinstance(data, dict):
        return None, "does not hold a mapping", None, []
    version = data.get("version", VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        return None, None, version, []
    record, notices = clean_entry(data, where)
    # A key written twice: the first is kept, the other dropped with a notice (not the whole story).
    notices[:0] = [
        f"{where}: dropped {'.'.join((*keys, key))[:80]} written a second time (the key appears twice)"
        for keys, key, _ in duplicates
    ]
    if not isinstance(record.get("id"), str) or not record["id"]:
        return None, "has no story id", None, notices
    record.pop("version", None)
    return record, None, None, notices


def read_story(path: Path) -> StoryFile:
    """Read and parse one story file; touches nothing, so it may run in any thread."""
    text, sign, problem = read_text(path)
    found = StoryFile(path=path, signature=sign, text=text, problem=problem)
    if text is not None:
        found.record, found.problem, found.newer, found.notices = parse_story(text, path.name)
    return found


def dump_story(record: dict[str, Any]) -> str:
    from reader.state.safe_yaml import dump_yaml

    return dump_yaml(encodable({"version": VERSION, **record}))


_SURROGATE = pattern("[\ud800-\udfff]")


def encodable(value: Any) -> Any:
    """``value`` with every lone surrogate made U+FFFD, so that it can be written as UTF-8.

    A file name that is not UTF-8 (an old Latin-1 archive) reaches a record's ``path`` and
    ``title`` as Python's surrogate escapes, which no YAML dumper writes; the record is
    written with a replacement character there instead of never being written at all."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {encodable(key): encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [encodable(item) for item in value]
    return value


# Moving aside ----------------------------------------------------------------------------


def set_aside(path: Path, folder: Path, *, copy: bool = False) -> Path:
    """Move (or copy) ``path`` into ``folder`` with the time in its name, never over another."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    stem, suffix = os.path.splitext(path.name)
    stem = f"{stem}.{stamp}"
    if folder == path.parent:  # beside it: the first release's ``state.yaml.corrupt-<time>``
        stem, suffix = f"{path.name}.corrupt-{stamp}", ""
    target = folder / f"{stem}{suffix}"
    number = 1
    while os.path.lexists(target):
        target = folder / f"{stem}-{number}{suffix}"
        number += 1
    if copy:
        shutil.copyfile(path, target)
    else:
        os.replace(path, target)
    return target
