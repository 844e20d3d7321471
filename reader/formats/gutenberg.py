"""Project Gutenberg's plain texts (stub)."""

from __future__ import annotations

from reader.model import Story


def parse_text(text: str, fallback_title: str, encoding: str) -> Story | None:
    return None
