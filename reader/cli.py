"""Command line: the reader's TUI, or a subcommand (``list``, ``dump``). See ARCHITECTURE.md."""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from reader import __version__, paths
from reader.clean import PLACEHOLDER, clean, display_name, raw_bytes

SUBCOMMANDS = ("list", "dump", "search")


def main(argv: list[str] | None = None) -> int:
    as_program = argv is None  # `reader …`, not a test calling main([...])
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in SUBCOMMANDS:
            try:
                return _subcommand(argv)
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


def _tui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description="A terminal e-reader for big libraries of long stories.",
        epilog="subcommands: reader list [--library DIR] [--json] · reader search QUERY [--library DIR] "
        "[--json] [--limit N] · reader dump PATH [--json]",
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


def _tui(argv: list[str]) -> int:
    # Start-up allocates a great deal (Textual's import, a long book's blocks) and frees
    # almost nothing: the cyclic collector would only slow it. The app turns it back on,
    # after freezing what start-up made, once the first screen is painted.
    gc.disable()
    try:
        return _run_tui(argv)
    finally:
        gc.enable()


def _run_tui(argv: list[str]) -> int:
    args = _tui_parser().parse_args(argv)
    story: Path | None = None
    library: Path | None = None
    target = args.path or args.library
    if target:
        chosen = Path(target).expanduser()
        if not chosen.exists():
            return _fail(f"no such file or folder: {chosen}")
        if chosen.is_dir():
            library = chosen
        elif args.library:
            return _fail(f"--library wants a folder, and {chosen} is a file")
        else:
            from reader.formats import is_story_file

            if not is_story_file(chosen):
                return _fail(f"{chosen.name}: not a story format the reader knows (.txt, .md)")
            story = chosen
    preload = None
    from reader.config import Config

    config = Config.load()
    _apply_limits(config)
    if story is not None:
        from reader.formats import Preload

        preload = Preload(story, _root_of(story, config))  # parse while Textual starts
    if library is None and story is None:
        library = _default_library(config)
        if library is None:
            return 2
    from reader.state import StateFolderError

    state = _load_state_in_background(paths.state_dir(args.state, config.state))
    from reader.ui.app import ReaderApp  # Textual's import, while the state loads

    try:
        app = ReaderApp(library=library, story=story, preload=preload, state=state.result(), config=config)
    except StateFolderError as error:
        return _fail(str(error))
    try:
        app.run()
    finally:
        saved = app.save_now_quietly()
    return app.return_code or (0 if saved else 1)


def _load_state_in_background(path: Path) -> Any:
    """``State.load(path)`` on a thread, while the caller imports Textual (a ``Future``)."""
    from concurrent.futures import Future
    from threading import Thread

    from reader.state import State

    future: Future[Any] = Future()

    def load() -> None:
        try:
            future.set_result(State.load(path))
        except BaseException as error:  # raised again by result(), in the caller
            future.set_exception(error)

    Thread(target=load, name="reader-state", daemon=True).start()
    return future


def _apply_limits(config: Any) -> None:
    from reader.formats import files

    files.set_size_limit(config.max_story_mb)
    files.set_follow_outside_links(config.follow_outside_links)


def _root_of(story: Path, config: Any) -> Path:
    """The library a story file belongs to, so that it keeps the id it has in the list."""
    for library in (config.library, paths.sample_library()):
        if library:
            root = Path(library).expanduser().resolve()
            if story.resolve().is_relative_to(root):
                return root
    return story.parent


def _default_library(config: Any) -> Path | None:
    if config.library:
        library = Path(config.library).expanduser()
        if library.is_dir():
            return library
        _say(f"reader: the configured library {library} is not a folder", sys.stderr)
        return None
    return paths.sample_library()


def _fail(message: str, code: int = 2) -> int:
    _say(f"reader: {message}", sys.stderr)
    return code


def _say(text: str, stream: Any = None) -> None:
    """Print a line that may quote a story or its file name: cleaned (``reader.clean``)."""
    print(clean(text, PLACEHOLDER), file=stream or sys.stdout)


def _json(data: Any) -> None:
    """JSON as it escapes: controls are \\u escapes already; DEL, C1 controls, bidi
    overrides and lone surrogates are escaped here too (the output stays valid JSON)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    print(_JSON_ESCAPE.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


_JSON_ESCAPE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _path_fields(path: Any) -> dict[str, str]:
    """``path`` fit to print, and its raw bytes (percent-encoded) when it is not UTF-8."""
    fields = {"path": display_name(path)}
    raw = raw_bytes(path)
    if raw is not None:
        fields["path_bytes"] = raw
    return fields


# Subcommands ---------------------------------------------------------------------------


def _subcommand(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="reader")
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    list_parser = sub.add_parser("list", help="the library, one story a row")
    list_parser.add_argument("--library", metavar="DIR")
    list_parser.add_argument("--state", metavar="DIR", help="the reading-state folder")
    list_parser.add_argument("--json", action="store_true")
    search_parser = sub.add_parser("search", help="search every story in the library")
    search_parser.add_argument("query", help='words, "a phrase", prefix*, author:, fandom:, tag:, title:')
    search_parser.add_argument("--library", metavar="DIR")
    search_parser.add_argument("--json", action="store_true")
    search_parser.add_argument("--limit", type=int, default=20, metavar="N")
    search_parser.add_argument("--regex", action="store_true", help="QUERY is a regular expression")
    dump_parser = sub.add_parser("dump", help="a story as the reader parsed it")
    dump_parser.add_argument("path")
    dump_parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list(args)
    if args.command == "search":
        return _search(args)
    return _dump(args)


def _list(args: argparse.Namespace) -> int:
    from reader.library.scanning import scan
    from reader.library.shelf import recent_first
    from reader.state import Found, State, StateFolderError

    root = _library_of(args)
    if root is None:
        return 2
    from reader.config import Config

    try:
        state = State.load(paths.state_dir(args.state, Config.load().state))
    except StateFolderError as error:
        return _fail(str(error))
    for notice in [state.warning, *state.pop_notices()]:
        if notice:
            _say(f"reader: {notice}", sys.stderr)
    rows: list[dict[str, Any]] = []
    entries = scan(root)
    state.reconcile(Found(e.id, str(e.path), e.title, e.author, str(root)) for e in entries if not e.error)
    for entry in entries:
        if entry.error:
            _say(f"reader: {entry.error}", sys.stderr)
            continue
        rows.append(
            {
                "id": entry.id,
                "title": entry.title,
                "author": entry.author,
                **_path_fields(entry.path),
                "words": entry.words,
                "chapters": entry.chapters,
                "progress": state.progress(entry.id),
                "last_read": state.last_read(entry.id) or None,
                "metadata": entry.metadata,
            }
        )
    rows.sort(key=lambda row: recent_first(row["title"], row["last_read"] or ""))
    if args.json:
        _json(rows)
        return 0
    for row in rows:
        progress = f"{row['progress']:.0%}" if row["last_read"] else "new"
        title, author = clean(row["title"], PLACEHOLDER), clean(row["author"], PLACEHOLDER)
        _say(
            f"{title[:40]:<40}  {author[:20]:<20}  {row['words']:>8,} words  "
            f"{row['chapters']:>3} ch.  {progress:>4}"
        )
    return 0


def _library_of(args: argparse.Namespace) -> Path | None:
    from reader.config import Config

    config = Config.load()
    _apply_limits(config)
    if args.library:
        root = Path(args.library).expanduser()
        if not root.is_dir():
            _fail(f"no such folder: {root}")
            return None
        return root
    return _default_library(config)


def _search(args: argparse.Namespace) -> int:
    """Hits on stdout; exit 1 when nothing matched, 2 on an error."""
    from reader.search.index import QueryError, SearchIndex

    root = _library_of(args)
    if root is None:
        return 2
    if args.limit < 1:
        return _fail("--limit wants a number of at least 1")
    index = SearchIndex(root)
    try:
        index.update()
        hits = index.search(args.query, limit=args.limit, regex=args.regex)
    except QueryError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"the search index could not be used: {error}")
    finally:
        index.close()
    if args.json:
        rows = [
            {
                "id": hit.id,
                "title": hit.title,
                **_path_fields(hit.path),
                "chapter": hit.chapter,
                "chapter_title": hit.chapter_title,
                "offset": hit.offset,
                "snippet": hit.snippet,
            }
            for hit in hits
        ]
        _json(rows)
    else:
        for hit in hits:
            _say(f"{hit.title} — {hit.chapter_title}\n    {clean(hit.snippet, PLACEHOLDER)}")
    return 0 if hits else 1


def _dump(args: argparse.Namespace) -> int:
    from reader.config import Config
    from reader.formats import StoryError, load_story

    _apply_limits(Config.load())
    path = Path(args.path).expanduser()
    try:
        story = load_story(path, path.parent)
    except StoryError as error:
        return _fail(str(error))
    if args.json:
        data = {
            "id": story.id,
            "title": story.title,
            "author": story.author,
            "metadata": story.metadata,
            "chapters": [
                {"title": c.title, "blocks": [{"kind": b.kind, "text": b.text} for b in c.blocks]}
                for c in story.chapters
            ],
        }
        _json(data)
        return 0
    _say(f"{story.title}" + (f" by {story.author}" if story.author else ""))
    for key, value in story.metadata.items():
        _say(f"  {key}: {value}")
    for number, chapter in enumerate(story.chapters, 1):
        _say(f"\n== {number}. {chapter.title} ({chapter.words_between(0):,} words)")
        for block in chapter.blocks:
            text = block.text if len(block.text) <= 70 else block.text[:67] + "…"
            _say(f"  [{block.kind}] {text}")
    return 0
