"""``reader serve``: its options, checked before anything listens (see :mod:`reader.serve`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader import paths
from reader.serve.command import MISSING_EXTRA, missing_packages
from reader.serve.options import DEFAULT_HOST, DEFAULT_PORT, ServeOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", help="a library folder, or one story file every tab opens")
    parser.add_argument("--library", metavar="DIR", help="the library folder (same as a folder PATH)")
    parser.add_argument("--state", metavar="DIR", help="the reading-state folder every tab shares")
    where = f"the address to listen on (default {DEFAULT_HOST}: this machine only)"
    parser.add_argument("--host", default=DEFAULT_HOST, help=where)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (a name, a proxy, https)",
    )


def main(args: argparse.Namespace) -> int:
    """Check what was asked, then serve; a clear message and status 2 for what cannot be."""
    if missing_packages():
        return _fail(MISSING_EXTRA)
    if not 0 < args.port < 65536:
        return _fail(f"--port wants a number from 1 to 65535, not {args.port}")
    if args.public_url is not None:
        from reader.serve.options import origin_of

        if not origin_of(args.public_url):
            return _fail(f"--public-url wants an http:// or https:// address, not {args.public_url!r}")
    target = _target(args.path or args.library, bool(args.library))
    if isinstance(target, str):
        return _fail(target)
    state = _state(args.state)
    if isinstance(state, str):
        return _fail(state)
    options = ServeOptions(args.host, args.port, args.public_url, target, state)
    from reader.serve.server import run

    return run(options)


def _target(given: str | None, folder_only: bool) -> Path | None | str:
    """The absolute library folder or story file, None for the default, or what is wrong."""
    if not given:
        return None
    chosen = Path(given).expanduser()
    if not chosen.exists():
        return f"no such file or folder: {chosen}"
    if chosen.is_dir():
        return chosen.resolve()
    if folder_only:
        return f"--library wants a folder, and {chosen} is a file"
    from reader.formats import is_story_file

    if not is_story_file(chosen):
        return f"{chosen.name}: not a story format the reader knows"
    return chosen.resolve()


def _state(given: str | None) -> Path | str:
    """The state folder every tab will use, loaded once here (so a first-release file is
    migrated before two tabs race to do it, and a folder that is refused is said now)."""
    from reader.config import Config
    from reader.state import State, StateFolderError

    try:
        return State.load(paths.state_dir(given, Config.load().state)).path.resolve()
    except StateFolderError as error:
        return str(error)


def _fail(message: str) -> int:
    print(f"reader: {message}", file=sys.stderr)
    return 2
