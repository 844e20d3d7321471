"""The EPUB's zip archive, read against a budget of uncompressed bytes, and paths inside it."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from urllib.parse import unquote

from reader.formats.errors import StoryError

#: A member larger than :data:`RATIO_FLOOR` may not be compressed more than this (x : 1).
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024

_NOT_A_ZIP = "not an EPUB (not a zip archive, or a damaged or truncated one)"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class Damaged(StoryError):
    """One member of the archive cannot be decompressed, or is not text."""


class Archive:
    """The zip file, read with a budget of uncompressed bytes (``limit``, all members together)."""

    def __init__(self, data: bytes, limit: int) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except Exception:
            raise StoryError(_NOT_A_ZIP) from None
        self._names: dict[str, zipfile.ZipInfo] = {}
        self._lower: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename.endswith("/"):
                continue
            name = clean(info.filename)
            self._names.setdefault(name, info)
            self._lower.setdefault(name.lower(), info)
        self.limit = limit
        self._budget = limit

    def find(self, name: str) -> zipfile.ZipInfo | None:
        name = clean(name)
        return self._names.get(name) or self._lower.get(name.lower())

    def check_declared(self, names: list[str]) -> None:
        """Refuse before decompressing anything when the declared sizes are already too big."""
        infos = {info.filename: info for info in map(self.find, names) if info is not None}
        if sum(info.file_size for info in infos.values()) > self._budget:
            raise self._too_big()

    def read(self, name: str) -> bytes | None:
        """The member's bytes; None when there is no such member."""
        info = self.find(name)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise StoryError("the EPUB is password-protected (an encrypted zip archive)")
        size = info.file_size
        if size > self._budget:
            raise self._too_big()
        if size > RATIO_FLOOR and size > MAX_RATIO * max(1, info.compress_size):
            raise StoryError(f"{name} is compressed more than {MAX_RATIO}:1 (a zip bomb?)")
        chunks: list[bytes] = []
        got = 0
        try:
            with self._zip.open(info) as stream:
                while True:
                    chunk = stream.read(1 << 20)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > self._budget or got > size:
                        raise self._too_big()
                    chunks.append(chunk)
        except StoryError:
            raise
        except Exception:
            raise Damaged(f"{name} is damaged in the archive") from None
        self._budget -= got
        return b"".join(chunks)

    def read_quietly(self, name: str) -> bytes | None:
        """The member's bytes; None when there is no such member or it is damaged."""
        try:
            return self.read(name)
        except Damaged:
            return None

    def _too_big(self) -> StoryError:
        return StoryError(f"the archive expands to more than {self.limit // 2**20} MB (a zip bomb?)")


def clean(name: str) -> str:
    """A member's name as the archive stores it: forward slashes, no leading ``/`` or ``./``."""
    name = name.replace("\\", "/").lstrip("/")
    while name.startswith("./"):
        name = name[2:]
    return name


def resolve(base_file: str, href: str | None) -> str | None:
    """``href`` (relative to the file ``base_file``) as an archive path; None if external."""
    if not href:
        return None
    href = href.strip().split("#", 1)[0]
    if not href or _SCHEME.match(href):
        return None
    path = unquote(href)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(base_file), path)
    norm = posixpath.normpath(joined)
    if norm in (".", "..") or norm.startswith("../"):
        return None
    return norm


def is_internal(href: str) -> bool:
    """A link to another file of the book (not a web address, not a place in this file)."""
    return bool(href) and not href.startswith("#") and not _SCHEME.match(href)
