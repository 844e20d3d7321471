"""Command line: the reader's TUI, or a subcommand (``list``, ``dump``). See ARCHITECTURE.md."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path
from typing import Any

from reader import __version__, paths

SUBCOMMANDS = ("list", "dump", "search", "serve")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = _subcommand_at(argv)
        if command is not None:  # options may come before or after it: it goes first
            return _subcommand([argv[command], *argv[:command], *argv[command + 1 :]])
        return _tui(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `reader list | head`: the reader of our output left
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


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
                return _fail(f"{chosen.name}: not a story format the reader knows ({_formats()})")
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
            future.set_result(State.load(path, look_soon=True))  # the app looks once it is shown
        except BaseException as error:  # raised again by result(), in the caller
            future.set_exception(error)

    Thread(target=load, name="reader-state", daemon=True).start()
    return future


def _apply_limits(config: Any) -> None:
    from reader.formats import set_size_limit

    set_size_limit(config.max_story_mb)


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
        print(f"reader: the configured library {library} is not a folder", file=sys.stderr)
        return None
    return paths.sample_library()


def _formats() -> str:
    """Every file ending the reader reads, and story folders: ".txt, .md, … .epub, a folder"."""
    from reader.formats.files import FORMATS

    return ", ".join(FORMATS) + ", or a folder of chapter files"


def _fail(message: str, code: int = 2) -> int:
    print(f"reader: {message}", file=sys.stderr)
    return code


# Subcommands ---------------------------------------------------------------------------


def _subcommand(argv: list[str]) -> int:
    args = _subcommand_parser().parse_args(argv)
    if args.command == "serve":
        from reader.serve import start as serve

        return serve.main(args)
    if args.command == "list":
        return _list(args)
    if args.command == "search":
        return _search(args)
    return _dump(args)


def _subcommand_parser() -> argparse.ArgumentParser:
    """``list``, ``search``, ``dump`` and ``serve``: each option described in its ``--help``."""
    parser = argparse.ArgumentParser(prog="reader")
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    state = argparse.ArgumentParser(add_help=False)
    state.add_argument(
        "--state", metavar="DIR", help="the reading-state folder (also READER_STATE, or state: in config)"
    )
    library = argparse.ArgumentParser(add_help=False)
    library.add_argument(
        "--library", metavar="DIR", help="the library folder (default: library: in config, else the sample)"
    )
    json_rows = argparse.ArgumentParser(add_help=False)
    json_rows.add_argument("--json", action="store_true", help="print JSON (its shape: ARCHITECTURE.md)")
    list_parser = sub.add_parser(
        "list",
        parents=[library, state, json_rows],
        help="the library, one story a row",
        description="The library, one story a row: title, author, words, chapters, progress, status.",
    )
    list_parser.add_argument("dir", nargs="?", metavar="DIR", help="the library folder (same as --library)")
    search_parser = sub.add_parser(
        "search",
        parents=[library, state, json_rows],
        help="search every story in the library",
        description="Search every story in the library; exit status 1 when nothing is found.",
    )
    search_parser.add_argument("query", help='words, "a phrase", prefix*, author:, fandom:, tag:, title:')
    search_parser.add_argument("--limit", type=int, default=20, metavar="N", help="show at most N hits (20)")
    search_parser.add_argument("--regex", action="store_true", help="QUERY is a regular expression")
    dump_parser = sub.add_parser(
        "dump",
        parents=[state, json_rows],
        help="a story as the reader parsed it",
        description="A story as the reader parsed it: metadata, chapters and their blocks.",
    )
    dump_parser.add_argument("path", metavar="PATH", help="the story file (or story folder)")
    from reader.serve import start as serve

    serve.add_arguments(sub.add_parser("serve", help="the same reader in a web browser (token-guarded)"))
    return parser


def _list(args: argparse.Namespace) -> int:
    from reader.library.scanning import scan
    from reader.library.shelf import recent_first
    from reader.model import percent
    from reader.state import Found, State, StateFolderError
    from reader.state.status import label

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
            print(f"reader: {notice}", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    entries = scan(root)
    state.reconcile(Found(e.id, str(e.path), e.title, e.author, str(root)) for e in entries if not e.error)
    for entry in entries:
        if entry.error:
            print(f"reader: {entry.error}", file=sys.stderr)
            continue
        rows.append(
            {
                "id": entry.id,
                "title": entry.title,
                "author": entry.author,
                "path": str(entry.path),
                "words": entry.words,
                "chapters": entry.chapters,
                "progress": state.progress(entry.id),
                "status": state.status(entry.id) or None,  # None: never opened
                "last_read": state.last_read(entry.id) or None,
                "metadata": entry.metadata,
            }
        )
    rows.sort(key=lambda row: recent_first(row["title"], row["last_read"] or ""))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    for row in rows:
        progress = f"{percent(row['progress'])}%" if row["last_read"] else "new"
        status = label(row["status"] or "").casefold() or "—"
        print(
            f"{row['title'][:40]:<40}  {row['author'][:20]:<20}  {row['words']:>8,} words  "
            f"{row['chapters']:>3} ch.  {progress:>4}  {status}"
        )
    return 0


def _library_of(args: argparse.Namespace) -> Path | None:
    from reader.config import Config

    config = Config.load()
    _apply_limits(config)
    given = getattr(args, "dir", None) or args.library
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            _fail(f"no such folder: {root}")
            return None
        return root
    return _default_library(config)


def _search(args: argparse.Namespace) -> int:
    """Hits on stdout; exit 1 when nothing matched, 2 on an error."""
    from reader.search import hits_count
    from reader.search.index import QueryError, SearchIndex

    root = _library_of(args)
    if root is None:
        return 2
    if args.limit < 1:
        return _fail("--limit wants a number of at least 1")
    index = SearchIndex(root)
    try:
        index.update()
        hits = index.search(args.query, limit=args.limit + 1, regex=args.regex)  # one more: capped?
    except QueryError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"the search index could not be used: {error}")
    finally:
        index.close()
    capped = len(hits) > args.limit
    hits = hits[: args.limit]
    if args.json:
        rows = [
            {
                "id": hit.id,
                "title": hit.title,
                "path": hit.path,
                "chapter": hit.chapter + 1,  # counted from 1, as chapter_title and the reader show it
                "chapter_title": hit.chapter_title,
                "offset": hit.offset,
                "snippet": hit.snippet,
            }
            for hit in hits
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for hit in hits:
            print(f"{hit.title} — {hit.chapter_title}\n    {hit.snippet}")
        if hits:  # nothing found: nothing on stdout, exit status 1
            print(hits_count(len(hits), len({hit.id for hit in hits}), capped))
    return 0 if hits else 1


def _dump(args: argparse.Namespace) -> int:
    from reader.config import Config
    from reader.formats import StoryError, load_story
    from reader.model import numbered_title

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
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"{story.title}" + (f" by {story.author}" if story.author else ""))
    for key, value in story.metadata.items():
        print(f"  {key}: {value}")
    for number, chapter in enumerate(story.chapters, 1):
        print(f"\n== {numbered_title(number, chapter.title)} ({chapter.words_between(0):,} words)")
        for block in chapter.blocks:
            text = block.text if len(block.text) <= 70 else block.text[:67] + "…"
            print(f"  [{block.kind}] {text}")
    return 0
