"""The one error a format reader raises: a bad file, with a reason fit to show a reader."""

from __future__ import annotations

from pathlib import Path

from reader.clean import PLACEHOLDER, clean


class StoryError(Exception):
    """A story file that cannot be read, with a one-line reason fit to show a reader.

    The reason quotes file names and text from the file: it is cleaned (``reader.clean``)
    once, here, so that wherever it is printed or drawn no control byte reaches a terminal.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(clean(str(message), PLACEHOLDER))


def too_slow_reason(path: Path, limit: float) -> str:
    """Why a story was abandoned: it took longer than ``parse_seconds`` to read (the reader,
    the library's scan, the search index and the command line all say it so)."""
    from reader.clean import display_name

    return (
        f"{display_name(path.name)}: took longer than {limit:g} s to read, abandoned "
        "(parse_seconds in config.yaml sets the limit)"
    )
