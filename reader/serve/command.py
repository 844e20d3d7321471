"""The shell command textual-serve starts for each browser tab, and what serving needs."""

from __future__ import annotations

import importlib.util
import shlex
import sys
from pathlib import Path

#: What to install when textual-serve is missing (said exactly, as the issue asks).
MISSING_EXTRA = (
    "`reader serve` needs the optional extra `serve` (textual-serve and aiohttp): "
    "pip install 'reader[serve]'  (from a clone of the reader: pip install '.[serve]')"
)

#: The modules the extra brings.
NEEDED = ("textual_serve", "aiohttp")


def missing_packages() -> list[str]:
    """The modules of the ``serve`` extra that cannot be imported here."""
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def reader_command(target: Path | None, state: Path | None, python: str = sys.executable) -> str:
    """``exec python -m reader.serve.tab --state STATE TARGET``, every word quoted for the shell
    that textual-serve starts it with (a story called ``Tom's "notes"; rm -rf ~.txt`` stays one
    argument). ``exec``: the shell becomes the reader, whose parent is then the server (see
    :mod:`reader.serve.tab`)."""
    words = [python, "-m", "reader.serve.tab"]
    if state is not None:
        words += ["--state", str(state)]
    if target is not None:
        words.append(str(target))
    return "exec " + shlex.join(words)
