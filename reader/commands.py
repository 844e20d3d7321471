"""The plain subcommands (``list``, ``search``, ``dump``; ``serve`` is ``reader.serve``):
their parser and what they print. Nothing here imports Textual, so they start fast; every
line that may quote a story or its file name is cleaned (:mod:`reader.clean`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader import __version__, paths
from reader.lazy import pattern

if TYPE_CHECKING:
    import argparse
# argparse and json are imported where used: the TUI's start takes apply_limits and
# default_library from here, and needs neither.
from reader.clean import PLACEHOLDER, clean, display_name, raw_bytes


def apply_limits(config: Any) -> None:
    from reader.formats import files

    files.set_size_limit(config.max_story_mb)
    files.set_follow_outside_links(config.follow_outside_links)
    files.set_parse_seconds(config.parse_seconds)


def default_library(config: Any) -> Path | None:
    if config.library:
        library = Path(config.library).expanduser()
        if library.is_dir():
            return library
        say(f"reader: the configured library {library} is not a folder", sys.stderr)
        return None
    return paths.sample_library()


def fail(message: str, code: int = 2) -> int:
    """Say what went wrong on stderr; the exit status (2)."""
    say(f"reader: {message}", sys.stderr)
    return code


def say(text: str, stream: Any = None) -> None:
    """Print a line that may quote a story or its file name: cleaned (``reader.clean``)."""
    print(clean(text, PLACEHOLDER), file=stream or sys.stdout)


def _json(data: Any) -> None:
    """JSON as it escapes: controls are \\u escapes already; DEL, C1 controls, bidi
    overrides and lone surrogates are escaped here too (the output stays valid JSON)."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    print(_JSON_ESCAPE.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


_JSON_ESCAPE = pattern("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _path_fields(path: Any) -> dict[str, str]:
    """``path`` fit to print, and its raw bytes (percent-encoded) when it is not UTF-8."""
    fields = {"path": display_name(path)}
    raw = raw_bytes(path)
    if raw is not None:
        fields["path_bytes"] = raw
    return fields


# Subcommands ---------------------------------------------------------------------------


def subcommand(argv: list[str]) -> int:
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
    import argparse

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
        return fail(str(error))
    for notice in [state.warning, *state.pop_notices()]:
        if notice:
            say(f"reader: {notice}", sys.stderr)
    rows: list[dict[str, Any]] = []
    entries = scan(root)
    state.reconcile(Found(e.id, str(e.path), e.title, e.author, str(root)) for e in entries if not e.error)
    for entry in entries:
        if entry.error:
            say(f"reader: {entry.error}", sys.stderr)
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
                "status": state.status(entry.id) or None,  # None: never opened
                "last_read": state.last_read(entry.id) or None,
                "metadata": entry.metadata,
            }
        )
    rows.sort(key=lambda row: recent_first(row["title"], row["last_read"] or ""))
    if args.json:
        _json(rows)
        return 0
    for row in rows:
        progress = f"{percent(row['progress'])}%" if row["last_read"] else "new"
        status = label(row["status"] or "").casefold() or "—"
        title, author = clean(row["title"], PLACEHOLDER), clean(row["author"], PLACEHOLDER)
        say(
            f"{title[:40]:<40}  {author[:20]:<20}  {row['words']:>8,} words  "
            f"{row['chapters']:>3} ch.  {progress:>4}  {status}"
        )
    return 0


def _library_of(args: argparse.Namespace) -> Path | None:
    from reader.config import Config

    config = Config.load()
    apply_limits(config)
    given = getattr(args, "dir", None) or args.library
    if given:
        root = Path(given).expanduser()
        if not root.is_dir():
            fail(f"no such folder: {root}")
            return None
        return root
    return default_library(config)


def _search(args: argparse.Namespace) -> int:
    """Hits on stdout; exit 1 when nothing matched, 2 on an error."""
    from reader.search import hits_count
    from reader.search.index import QueryError, SearchIndex

    root = _library_of(args)
    if root is None:
        return 2
    if args.limit < 1:
        return fail("--limit wants a number of at least 1")
    index = SearchIndex(root)
    try:
        index.update()
        hits = index.search(args.query, limit=args.limit + 1, regex=args.regex)  # one more: capped?
    except QueryError as error:
        return fail(str(error))
    except OSError as error:
        return fail(f"the search index could not be used: {error}")
    finally:
        index.close()
    capped = len(hits) > args.limit
    hits = hits[: args.limit]
    if args.json:
        rows = [
            {
                "id": hit.id,
                "title": hit.title,
                **_path_fields(hit.path),
                "chapter": hit.chapter + 1,  # counted from 1, as chapter_title and the reader show it
                "chapter_title": hit.chapter_title,
                "offset": hit.offset,
                "snippet": hit.snippet,
            }
            for hit in hits
        ]
        _json(rows)
    else:
        for hit in hits:
            say(f"{hit.title} — {hit.chapter_title}\n    {clean(hit.snippet, PLACEHOLDER)}")
        if hits:  # nothing found: nothing on stdout, exit status 1
            say(hits_count(len(hits), len({hit.id for hit in hits}), capped))
    return 0 if hits else 1


def _dump(args: argparse.Namespace) -> int:
    from reader.config import Config
    from reader.formats import StoryError
    from reader.model import numbered_title

    apply_limits(Config.load())
    path = Path(args.path).expanduser()
    try:
        story = _parsed_in_time(path)
    except StoryError as error:
        return fail(str(error))
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
    say(f"{story.title}" + (f" by {story.author}" if story.author else ""))
    for key, value in story.metadata.items():
        say(f"  {key}: {value}")
    for number, chapter in enumerate(story.chapters, 1):
        say(f"\n== {numbered_title(number, chapter.title)} ({chapter.words_between(0):,} words)")
        for block in chapter.blocks:
            text = block.text if len(block.text) <= 70 else block.text[:67] + "…"
            say(f"  [{block.kind}] {text}")
    return 0


def _parsed_in_time(path: Path) -> Any:
    """The story at ``path``, parsed in a child process that is killed after ``parse_seconds``
    (a thread could not be stopped): StoryError when it cannot be read, or not in time."""
    from reader.formats import StoryError, files, load_story
    from reader.formats.errors import too_slow_reason
    from reader.library.child_process import run_in_child
    from reader.library.workers import NoProcesses, died_reason

    try:
        return run_in_child(load_story, (path, path.parent), files.PARSE_SECONDS)
    except TimeoutError:
        raise StoryError(too_slow_reason(path, files.PARSE_SECONDS)) from None
    except (EOFError, OSError):
        raise StoryError(died_reason(path, times=1)) from None
    except NoProcesses:  # no child process here: parsed in this one, with no limit
        return load_story(path, path.parent)
