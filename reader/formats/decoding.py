"""Bytes to text: byte-order marks, UTF-8, and the Windows-1252 fallback."""

from __future__ import annotations

import codecs


class DecodeError(ValueError):
    """The bytes are not text."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Line endings become ``\\n``."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        if b"\x00" in data[:8192]:
            raise DecodeError("this looks like a binary file, not text")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    sample = text[:8192]
    controls = sum(1 for c in sample if c < " " and c not in "\n\r\t\f")
    if controls > len(sample) // 100:
        raise DecodeError("this looks like a binary file, not text")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding
