"""A page's bytes to text: a byte-order mark, else UTF-8, else the charset the page declares."""

from __future__ import annotations

import codecs
import re

from reader.formats.decoding import DecodeError, decode
from reader.formats.errors import StoryError

_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
#: Codecs a page may name that are not text encodings, or that UTF-8 and cp1252 already cover.
_IGNORED_CODECS = frozenset(
    {"utf-8", "cp1252", "iso8859-1", "latin-1", "ascii", "undefined", "idna", "punycode", "mbcs"}
)


def decode_markup(data: bytes, binary_ok: bool = False) -> tuple[str, str]:
    """Text (line endings as ``\\n``) and encoding.

    Bytes that look binary (NULs, many control characters) are a :class:`StoryError`, unless
    ``binary_ok``: a file that says what it is (an EPUB's chapter) is read for what text it has.
    """
    if data[:2] in (b"<\x00", b"\x00<"):  # UTF-16 without a byte-order mark, starting with "<"
        codec = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
        text = data.decode(codec, errors="replace")
        sample = text[:8192]
        if not binary_ok and sum(1 for c in sample if c < " " and c not in "\n\r\t\f") > len(sample) // 100:
            raise StoryError("this looks like a binary file, not text")
        return _newlines(text), codec
    if binary_ok:
        text, encoding = _decode_unchecked(data)
    else:
        try:
            text, encoding = decode(data)
        except DecodeError as error:
            raise StoryError(str(error)) from None
    if encoding == "cp1252":  # not UTF-8: the page may say what it is
        declared = _declared_encoding(data)
        if declared:
            try:
                text = data.decode(declared, errors="replace")
            except Exception:  # a codec that cannot decode after all: keep cp1252
                return text, encoding
            return _newlines(text), declared
    return text, encoding


def _decode_unchecked(data: bytes) -> tuple[str, str]:
    """As :func:`reader.formats.decoding.decode`, without its test for binary bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _newlines(data.decode("utf-16", errors="replace")), "utf-16"
    try:
        return _newlines(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        return _newlines(data.decode("cp1252", errors="replace")), "cp1252"


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED.search(data, 0, 4096)
    if match is None:
        return None
    name = (match.group(1) or match.group(2) or b"").decode("ascii", errors="replace")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    codec = info.name
    if (
        codec in _IGNORED_CODECS
        or codec.startswith(("utf-16", "utf-32", "utf-7"))
        or "escape" in codec
        or not getattr(info, "_is_text_encoding", True)
    ):
        return None
    return codec
