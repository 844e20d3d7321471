"""Command line: the reader's TUI, or a subcommand (``list``, ``dump``). See ARCHITECTURE.md."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from reader import __version__

if TYPE_CHECKING:
    import argparse

# The rest is imported where it is used: the TUI forks its opener first (see reader.opening),
# with as little in memory as can be.

SUBCOMMANDS = ("list", "dump", "search", "serve")


def main(argv: list[str] | None = None) -> int:
    as_program = argv is None  # `reader …`, not a test calling main([...])
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = _subcommand_at(argv)
        if command is not None:  # options may come before or after it: it goes first
            from reader.commands import subcommand

            try:
                return subcommand([argv[command], *argv[:command], *argv[command + 1 :]])
            except KeyboardInterrupt:
                _end_now(130)  # not waiting for parsing processes to finish their stories
        code = _tui(argv)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # `reader list | head`: the reader of our output left
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if as_program:
        # Saved and the terminal restored: end now, without waiting for a thread still
        # parsing a story or a scan's processes (the interpreter would join them first).
        _end_now(code)
    return code


def _end_now(status: int) -> NoReturn:
    """Exit at once: what was printed is flushed; no thread or process is waited for."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if "multiprocessing" in sys.modules:  # a scan's parsing processes: their stories are not wanted
        import multiprocessing

        for child in multiprocessing.active_children():
            child.kill()
    os._exit(status)


#: Options that take a value (the next word is that value, never a subcommand).
_VALUED = ("--state", "--library", "--limit", "--host", "--port", "--public-url")


def _subcommand_at(argv: list[str]) -> int | None:
    """Where the subcommand is in ``argv`` (``reader --state DIR list``), if there is one:
    the first word that is not an option or an option's value."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
        elif word == "--":
            return None
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return index if word in SUBCOMMANDS else None
    return None


def _tui_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="reader",
        description="A terminal e-reader for big libraries of long stories.",
        epilog="subcommands (each has --help): reader list [DIR] [--json] · reader search QUERY "
        "[--library DIR] [--json] [--limit N] · reader dump PATH [--json] · reader serve [--host H] "
        "[--port P] [--public-url URL] [PATH]. Options may come before or after the subcommand.",
    )
    parser.add_argument("path", nargs="?", help="a library folder, or one story file to open directly")
    parser.add_argument("--library", metavar="DIR", help="the library folder (same as a folder PATH)")
    parser.add_argument(
        "--state",
        metavar="DIR",
        help="the reading-state folder (also READER_STATE, or state: in config.yaml)",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    return parser


def _plain_args(argv: list[str]) -> Any:
    """``reader``, ``reader PATH``, with ``--library DIR`` or ``--state DIR``: what nearly
    every start is, read here (argparse costs 2-3 ms of start-up); None for anything else
    (``--help``, ``--version``, a mistake), which argparse then answers."""
    from types import SimpleNamespace

    args = SimpleNamespace(path=None, library=None, state=None)
    words = iter(argv)
    for word in words:
        if word in ("--library", "--state"):
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
            setattr(args, word[2:], value)
        elif word.startswith("-") or args.path is not None:
            return None
        else:
            args.path = word
    return args


def _tui(argv: list[str]) -> int:
    # Start-up allocates a great deal (Textual's import, a long book's blocks) and frees
    # almost nothing: the cyclic collector would only slow it. The app turns it back on,
    # after freezing what start-up made, once the first screen is painted.
    gc.disable()
    from reader import opening

    opening.start()  # first, before any thread and with little in memory: see reader.opening
    try:
        return _run_tui(argv)
    finally:
        gc.enable()


def _run_tui(argv: list[str]) -> int:
    from reader import paths
    from reader.commands import apply_limits, default_library, fail

    args = _plain_args(argv) or _tui_parser().parse_args(argv)
    story: Path | None = None
    library: Path | None = None
    target = args.path or args.library
    if target:
        chosen = Path(target).expanduser()
        if not chosen.exists():
            return fail(f"no such file or folder: {chosen}")
        if chosen.is_dir():
            library = chosen
        elif args.library:
            return fail(f"--library wants a folder, and {chosen} is a file")
        else:
            from reader.formats import is_story_file

            if not is_story_file(chosen):
                return fail(f"{chosen.name}: not a story format the reader knows ({_formats()})")
            story = chosen
    preload = None
    from reader.config import Config

    config = Config.load()
    apply_limits(config)
    if story is not None:
        from reader.opening import read_story

        preload = read_story(story, _root_of(story, config))  # read while Textual starts
    if library is None and story is None:
        library = default_library(config)
        if library is None:
            return 2
    from reader.opening import read_state
    from reader.state import State, StateFolderError

    state_path = paths.state_dir(args.state, config.state)
    # Without the state's cache (a machine's first start), its files are parsed beside Textual's import
    parsed = read_state(state_path) if _no_state_cache(state_path) else None
    from reader.ui.app import ReaderApp

    try:
        # Here, not on a thread beside Textual's import: both want the interpreter's lock,
        # and a warm load takes 1 ms (the state's record cache).
        state = State.load(state_path, look_soon=True, parsed=parsed)  # looked at once shown
    except StateFolderError as error:
        return fail(str(error))

    app = ReaderApp(library=library, story=story, preload=preload, state=state, config=config)
    try:
        app.run()
    finally:
        saved = app.save_now_quietly()
    return app.return_code or (0 if saved else 1)


def _no_state_cache(path: Path) -> bool:
    """Whether the state at ``path`` has no record cache (so its files are all to be parsed)."""
    from reader.state import State, StateFolderError
    from reader.state.folder import locate

    try:
        return not State(locate(path)[0]).cache_path.exists()
    except (StateFolderError, OSError):
        return False


def _root_of(story: Path, config: Any) -> Path:
    """The library a story file belongs to, so that it keeps the id it has in the list."""
    from reader import paths

    for library in (config.library, paths.sample_library()):
        if library:
            root = Path(library).expanduser().resolve()
            if story.resolve().is_relative_to(root):
                return root
    return story.parent


def _formats() -> str:
    """Every file ending the reader reads, and story folders: ".txt, .md, … .epub, a folder"."""
    from reader.formats.files import FORMATS

    return ", ".join(FORMATS) + ", or a folder of chapter files"
