"""``reader serve``: the same reader in a web browser, one reader process a tab.

textual-serve (an optional extra: ``pip install 'reader[serve]'``) runs a Textual app behind
an aiohttp server and starts one shell command per websocket. It has no login and does not
check where a websocket comes from; :mod:`.guard` adds both (a secret token turned into a
cookie, and the page's own Origin), and :mod:`.server` wires it into textual-serve's app.
Nothing here imports Textual or aiohttp until a server is really started.
"""

from __future__ import annotations

from reader.serve.command import MISSING_EXTRA, missing_packages, reader_command
from reader.serve.options import ServeOptions

__all__ = ["MISSING_EXTRA", "ServeOptions", "missing_packages", "reader_command"]
