"""The README's conformance table, built from the format tests' own cases so it cannot go stale.

Each row runs the tests that cover one source and layout: the same test functions, on the same
fixture files, the same EPUBs the tests build, and FanFicFare output generated here as the tests
generate it (FanFicFare 4.62's offline ``test1.com`` site, with HOME in a temporary folder, no
network). The row then says what the reader took from the stories those tests loaded: title,
author, chapters, words, notes, metadata fields and id, and which front and back matter, present
in the file, stayed out of the text (checked: none of it is in the story). A Gutenberg text's
words are checked too: each word between its START and END markers is in the story (in the text,
or in a heading), and no word from outside them. A row whose test or check fails says which.

    python scripts/conformance_table.py           # print the table
    python scripts/conformance_table.py --write   # put it in README.md between the markers

``tests/test_conformance_table.py`` fails when README.md's table differs from a fresh one.
FanFicFare (the ``test`` extra) must be installed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
README = ROOT / "README.md"
START = "<!-- conformance:start -->"
END = "<!-- conformance:end -->"
for _path in (ROOT, TESTS, TESTS / "unit" / "formats", TESTS / "real", TESTS / "fixtures" / "fanficfare"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from reader.model import METADATA_KEYS, Story  # noqa: E402

GUTENBERG = TESTS / "fixtures" / "gutenberg"


# ------------------------------------------------------------------------------- the cases


class _Tmp:
    """An argument: a fresh empty folder (the tests' ``tmp_path``)."""


class _Fff:
    """An argument: the FanFicFare generator (the tests' ``fff`` fixture)."""


TMP = _Tmp()
FFF = _Fff()


@dataclass
class From:
    """An argument made when the test runs, from the test's module (so its loading is seen)."""

    make: Callable[[ModuleType], Any]


@dataclass
class Run:
    """One call of a test function. ``describe``: the row tells what its story holds."""

    module: str
    function: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    describe: bool = False
    label: str = ""
    pick: int = 0  # which of the stories it loads the row describes (-1: the last)


@dataclass
class Case:
    source: str
    layout: str
    runs: list[Run]
    #: (what it is, strings that only it holds): shown when the file has it, checked not text.
    kept_out: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: How the words were checked, said after the count ("" for the tests' own checks).
    words_note: str = ""
    extra: Callable[[list[Loaded]], None] | None = None

    def __post_init__(self) -> None:
        if not any(run.describe for run in self.runs):
            self.runs[0].describe = True


@dataclass
class Loaded:
    story: Story
    source: str  # the file's text (an EPUB's documents), for the front matter it holds


@dataclass
class Row:
    source: str
    layout: str
    read: str
    kept_out: str
    result: str

    def line(self) -> str:
        cells = (self.source, self.layout, self.read, self.kept_out, self.result)
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


FFF_KEPT_OUT = (
    ("title page", ("Packaged:",)),
    ("table of contents", ("TABLE OF CONTENTS", "Table of Contents")),
    ("“End file.”", ("End file.",)),
)
#: FanFicFare's words: each chapter's, as the tests check them, against the HTML the site served.
SERVED = "(each chapter's = the HTML served)"
AO3_KEPT_OUT = (
    ("preface and its tags", ("Preface", "Rating:")),
    ("afterword heading", ("Afterword",)),
    ("the archive's closing message", ("Comments are welcome", "Leave the author a comment")),
    ("links to the end notes", ("More notes",)),
)
GUTENBERG_KEPT_OUT = (
    ("header", ("Release Date:", "Etext #", "Title:")),
    ("licence", ("stand-in",)),
    ("START/END lines", ("*** START", "*** END", "*END*")),
    ("CONTENTS list", ("CONTENTS",)),
)


def _ao3_html(module: ModuleType) -> Story:
    return module.parse(module.fixture("ao3_multichapter.html"), "Fallback")


def _fanficfare_cases() -> list[Case]:
    fff = _fanficfare_tests()
    if fff is None:
        return [Case("FanFicFare", "txt, html, epub", [Run("test_format_fanficfare", "not installed")])]
    cases = []
    extra = {
        "wrap_width=60": [Run("test_format_fanficfare", "test_txt_title_page_is_metadata", {"fff": FFF})],
        "wrap_width=72": [
            Run("test_format_fanficfare", "test_txt_heading_inside_a_chapter_is_bold_text", {"fff": FFF})
        ],
    }
    for layout, options in fff.TXT_LAYOUTS:
        runs = [
            Run(
                "test_format_fanficfare",
                "test_txt_layouts",
                {"fff": FFF, "layout": layout, "options": options, "sid": sid},
                describe=True,
                label=f"sid={sid}",
            )
            for sid in fff.TXT_STORIES
        ]
        cases.append(Case("FanFicFare", f"txt, {layout}", runs + extra.get(layout, []), FFF_KEPT_OUT, SERVED))
    for fmt in ("html", "epub"):
        for layout, options in fff.MARKUP_LAYOUTS:
            runs = [
                Run(
                    "test_format_fanficfare",
                    "test_html_and_epub_layouts",
                    {"fff": FFF, "layout": layout, "options": options, "sid": sid, "fmt": fmt},
                    describe=True,
                    label=f"sid={sid}",
                )
                for sid in fff.MARKUP_STORIES
            ]
            cases.append(Case("FanFicFare", f"{fmt}, {layout}", runs, FFF_KEPT_OUT, SERVED))
    update = Run(
        "test_format_fanficfare",
        "test_epub_update_marks_new_chapters",
        {"fff": FFF, "tmp_path": TMP},
        pick=-1,  # after the update
    )
    cases.append(Case("FanFicFare", "epub updated (`-u`), mark_new_chapters=true", [update], FFF_KEPT_OUT))
    return cases


def _gutenberg_cases() -> list[Case]:
    layouts = [
        ("small_print_1990s.txt", "txt, 1990s “SMALL PRINT” header; CHAPTER I. + name below; CONTENTS"),
        ("this_ebook_2000s.txt", "txt, “THIS PROJECT GUTENBERG EBOOK” (2000s); centred numerals; CONTENTS"),
        ("the_ebook_2020s.txt", "txt, “THE PROJECT GUTENBERG EBOOK” (2020s); LETTER 1"),
        ("chapter_styles.txt", "txt, 2020s header; PREFACE, Chapter 1 / CHAPTER II. / CHAPTER XII"),
        ("books_and_staves.txt", "txt, 2000s header; BOOK over STAVE"),
        ("play_acts_scenes.txt", "txt, 2020s header; FIRST ACT over SCENE (a play)"),
    ]
    more = {
        "small_print_1990s.txt": ["test_contents_list_names_chapters_and_is_not_text"],
        "this_ebook_2000s.txt": [
            "test_italic_underscores_are_emphasis",
            "test_credits_and_title_page_are_notes",
        ],
        "books_and_staves.txt": ["test_prose_that_starts_like_a_heading_stays_prose"],
    }
    cases = []
    for name, layout in layouts:
        runs = [Run("test_format_gutenberg", "test_gutenberg_books", {"name": name})]
        runs += [Run("test_format_gutenberg", function) for function in more.get(name, [])]
        cases.append(
            Case(
                "Project Gutenberg",
                layout,
                runs,
                GUTENBERG_KEPT_OUT,
                "(every word between START and END)",
                extra=functools.partial(gutenberg_words, path=GUTENBERG / name),
            )
        )
    epub_toc = "test_format_epub_toc"
    cases += [
        Case(
            "Project Gutenberg",
            "EPUB, pg-header / pg-footer sections",
            [Run(epub_toc, "test_gutenberg_epub_boilerplate_is_not_a_chapter")],
            (("header and licence", ("stand-in",)), ("START/END lines", ("*** START", "*** END"))),
        ),
        Case(
            "Project Gutenberg",
            "EPUB, START/END lines in the text, licence files after",
            [Run(epub_toc, "test_gutenberg_epub_with_markers_in_the_text")],
            (("header and licence", ("stand-in",)), ("START/END lines", ("*** START", "*** END"))),
        ),
    ]
    return cases


def _epub_cases() -> list[Case]:
    epub, toc = "test_format_epub", "test_format_epub_toc"
    return [
        Case(
            "EPUB",
            "EPUB 3, nav (spine files; a cover, a non-linear file)",
            [
                Run(epub, "test_epub3_metadata"),
                Run(epub, "test_epub3_chapters_follow_the_spine_with_nav_titles"),
                Run(epub, "test_epub3_inline_spans"),
            ],
            (("non-linear file", ("Not in the reading order",)), ("script", ("not story text",))),
        ),
        Case(
            "EPUB",
            "EPUB 2, NCX (spine files)",
            [Run(epub, "test_epub2_ncx_titles_and_fallbacks")],
        ),
        Case(
            "EPUB",
            "EPUB 2, NCX anchors inside spine files",
            [
                Run(toc, "test_chapters_are_cut_at_the_ncx_anchors_inside_files"),
                Run(toc, "test_a_file_the_contents_do_not_name_joins_the_chapter_before"),
            ],
        ),
        Case(
            "EPUB",
            "EPUB 2, `<guide>` cover, title page, copyright page, colophon",
            [Run(toc, "test_guide_front_and_back_matter_are_not_chapters")],
            (("cover and title page", ("The Quiet Canal",)),),
        ),
        Case(
            "EPUB",
            "EPUB 3, nav anchors inside a file; a part page",
            [Run(toc, "test_nav_anchors_and_a_part_page_of_headings_alone")],
        ),
        Case(
            "EPUB",
            "EPUB 3, `epub:type` and landmarks front and back matter; a bare title page",
            [
                Run(toc, "test_epub3_types_and_landmarks_front_matter"),
                Run(toc, "test_a_page_that_is_only_a_title_page_is_not_chapter_one"),
            ],
            (("cover", ("Cover",)), ("title page", ("a novel",)), ("contents page", ("Contents",))),
        ),
        Case(
            "EPUB",
            "EPUB 3, ruby (Japanese)",
            [Run(toc, "test_ruby_readings_are_not_mixed_into_the_text")],
            (("ruby readings", ("うんが", "みず")),),
        ),
    ]


def cases() -> list[Case]:
    html, epub, text, formats = "test_format_html", "test_format_epub", "test_text_formats", "test_formats"
    ao3 = From(_ao3_html)
    return [
        Case(
            "AO3",
            "html, several chapters",
            [
                Run(html, "test_ao3_title_author_and_metadata", {"ao3": ao3}),
                Run(html, "test_ao3_source_url_is_the_story_id", {"tmp_path": TMP}),
                Run(html, "test_ao3_chapters_with_notes_and_end_notes", {"ao3": ao3}),
                Run(html, "test_ao3_text_styles_and_scene_breaks", {"ao3": ao3}),
                Run(html, "test_ao3_afterword_ends_the_last_chapter", {"ao3": ao3}),
            ],
            AO3_KEPT_OUT,
        ),
        Case("AO3", "html, one-shot", [Run(html, "test_ao3_one_shot")], AO3_KEPT_OUT),
        Case(
            "AO3",
            "epub (Calibre-made), AO3's classes",
            [
                Run(epub, "test_ao3_preface_is_metadata_and_afterword_is_notes", {"keep_classes": True}),
                Run(epub, "test_ao3_load_story_id", {"tmp_path": TMP}),
            ],
            AO3_KEPT_OUT,
        ),
        Case(
            "AO3",
            "epub (Calibre-made), classes renamed",
            [Run(epub, "test_ao3_preface_is_metadata_and_afterword_is_notes", {"keep_classes": False})],
            AO3_KEPT_OUT,
        ),
        Case(
            "AO3",
            "epub, one-shot in the preface's file",
            [Run(epub, "test_ao3_one_shot_shares_the_preface_file")],
            AO3_KEPT_OUT,
        ),
        *_fanficfare_cases(),
        *_gutenberg_cases(),
        *_epub_cases(),
        Case(
            "Plain text",
            "`Label: value` header",
            [Run(formats, "test_header_metadata_and_chapters", {"tmp_path": TMP})],
            (("header", ("Title:", "Story URL:")),),
        ),
        Case(
            "Markdown",
            "YAML front matter, `##` chapters",
            [Run(formats, "test_markdown_front_matter_chapters_and_emphasis", {"tmp_path": TMP})],
            (("front matter", ("author: pen",)),),
        ),
        Case(
            "Markdown",
            "`#` title over `##` chapters",
            [Run(formats, "test_markdown_single_title_heading_over_chapters", {"tmp_path": TMP})],
        ),
        Case(
            "Story folder",
            "`1.txt`, `2.txt`, `10.txt` + `story.yaml`",
            [Run(text, "test_story_folder_in_natural_order_with_story_yaml", {"tmp_path": TMP})],
            (("story.yaml", ("title:", "metadata:")),),
        ),
        Case(
            "Story folder",
            "`story.yaml` `chapters:` order",
            [Run(text, "test_story_folder_chapter_order_from_story_yaml", {"tmp_path": TMP})],
            (("story.yaml", ("chapters:",)),),
        ),
    ]


# ------------------------------------------------------------------------------- running them


def _fanficfare_tests() -> ModuleType | None:
    try:
        return importlib.import_module("test_format_fanficfare")
    except BaseException as error:  # pytest's Skipped (no FanFicFare) is a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return None


#: Makes many FanFicFare files in one process: FanFicFare is imported once, then each file is
#: made in a child forked from it (a fresh copy of that state), a few at a time. Reads a JSON list
#: of [arguments, folder] on stdin; each job's output goes to ``folder/log``.
_BATCH = r"""
import json, os, sys
from fanficfare import cli
jobs, width = json.load(sys.stdin), int(sys.argv[1])
running = {}
def reap():
    pid, status = os.wait()
    running.pop(pid, None)
for args, folder in jobs:
    while len(running) >= width:
        reap()
    os.makedirs(folder, exist_ok=True)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            log = os.open(os.path.join(folder, "log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.chdir(folder)
            cli.main(args)
            code = 0
        except BaseException as error:
            print(repr(error), file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    running[pid] = folder
while running:
    reap()
"""


def _quietly(function: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(Exception):
        function(*args)


def _generator(root: Path) -> Any:
    """The tests' Generator, with every file the FanFicFare rows ask for made beforehand."""
    from generate import Generator

    class Prefetched(Generator):
        def __init__(self, root: Path) -> None:
            super().__init__(root)
            self.ready: dict[tuple, Path] = {}

        def prefetch(self, jobs: list[tuple[str, int, dict[str, str]]], sids: list[int]) -> None:
            """Make ``jobs`` ((format, sid, options)) and ask what ``sids`` serve, in parallel.

            Each job runs FanFicFare's command line as :meth:`Generator.make` does (the same
            arguments, HOME and personal.ini); a job that fails here is made again by the test,
            which then fails as it should.
            """
            width = max(2, os.cpu_count() or 2)
            folders = [self.root / f"pre{number}" for number in range(len(jobs))]
            batch = [
                [["-f", fmt, *self._args(options), f"http://test1.com?sid={sid}"], str(folder)]
                for (fmt, sid, options), folder in zip(jobs, folders, strict=True)
            ]
            with ThreadPoolExecutor(width) as pool:
                for sid in sids:
                    pool.submit(_quietly, self.served, sid)
                if hasattr(os, "fork"):
                    pool.submit(self._batch, batch, width)
                else:
                    for (fmt, sid, options), folder in zip(jobs, folders, strict=True):
                        pool.submit(
                            _quietly,
                            Generator.make,
                            self,
                            fmt,
                            sid,
                            options,
                            "",
                            folder,
                        )
            for (fmt, sid, options), folder in zip(jobs, folders, strict=True):
                made = sorted(folder.glob(f"*.{fmt}"))
                if len(made) == 1:
                    self.ready[(fmt, sid, tuple(sorted(options.items())))] = made[0]

        def _batch(self, batch: list[list[Any]], width: int) -> None:
            subprocess.run(
                [sys.executable, "-c", _BATCH, str(width)],
                input=json.dumps(batch),
                capture_output=True,
                text=True,
                env=self.env,
                cwd=self.root,
                timeout=600,
            )

        def make(
            self,
            fmt: str,
            sid: int,
            options: dict[str, str] | None = None,
            chapters: str = "",
            into: Path | None = None,
        ) -> Path:
            key = (fmt, sid, tuple(sorted((options or {}).items())))
            if into is None and not chapters and key in self.ready:
                return self.ready[key]
            return super().make(fmt, sid, options, chapters, into)

    return Prefetched(root)


def _source_text(data: bytes) -> str:
    if data[:2] == b"PK":
        with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith((".xhtml", ".html", ".htm"))]
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in names)
    return data.decode("utf-8", "replace")


def _source_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    first = args[0] if args else kwargs.get("data", kwargs.get("path"))
    if isinstance(first, bytes):
        return _source_text(first)
    if first is None:
        return ""
    path = Path(first)
    if path.is_dir():
        return "\n".join(_source_text(p.read_bytes()) for p in sorted(path.iterdir()) if p.is_file())
    return _source_text(path.read_bytes())


@contextlib.contextmanager
def _watching(module: ModuleType, loaded: list[Loaded]) -> Iterator[None]:
    """Every story the test module loads (its ``parse`` and ``load_story``) is kept in ``loaded``."""
    originals = {name: getattr(module, name) for name in ("parse", "load_story") if hasattr(module, name)}

    def watch(function: Callable[..., Story]) -> Callable[..., Story]:
        def watched(*args: Any, **kwargs: Any) -> Story:
            story = function(*args, **kwargs)
            loaded.append(Loaded(story, _source_of(args, kwargs)))
            return story

        return watched

    for name, function in originals.items():
        setattr(module, name, watch(function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def _call(run: Run, temp: Path, fff: Any, loaded: list[Loaded]) -> str:
    """Nothing when the test passes, else what failed."""
    try:
        module = importlib.import_module(run.module)
        function = getattr(module, run.function)
        with _watching(module, loaded):
            kwargs = {}
            for name, value in run.kwargs.items():
                if value is TMP:
                    value = Path(tempfile.mkdtemp(dir=temp))
                elif value is FFF:
                    value = fff
                elif isinstance(value, From):
                    value = value.make(module)
                kwargs[name] = value
            function(**kwargs)
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        where = f"{run.function}[{run.label}]" if run.label else run.function
        return f"✗ `{where}`: {type(error).__name__}"
    return ""


_GENERATORS: list[Any] = []


def build_rows() -> list[Row]:
    """Run every case and describe it."""
    with tempfile.TemporaryDirectory(prefix="conformance-") as folder, _isolated(Path(folder)):
        temp = Path(folder)
        fff_tests = _fanficfare_tests()
        fff = None
        all_cases = cases()
        if fff_tests is not None:
            fff = _generator(temp / "fanficfare")
            # test_format_fanficfare caches files by id(generator): this one's id must not be
            # reused by another generator later in the same run, so it is kept alive.
            _GENERATORS.append(fff)
            jobs, sids = [], set()
            for case in all_cases:
                for run in case.runs:
                    if run.function in ("test_txt_layouts", "test_html_and_epub_layouts"):
                        kw = run.kwargs
                        jobs.append((kw.get("fmt", "txt"), kw["sid"], kw["options"]))
                        sids.add(kw["sid"])
            fff.prefetch(jobs, sorted(sids))
        return [_row(case, temp, fff) for case in all_cases]


@contextlib.contextmanager
def _isolated(folder: Path) -> Iterator[None]:
    """The reader's config, state and cache folders (a library scan writes its cache) in ``folder``."""
    names = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
    saved = {name: os.environ.get(name) for name in (*names, "READER_STATE", "READER_CONFIG")}
    for name in names:
        (folder / "home" / name.lower()).mkdir(parents=True)
        os.environ[name] = str(folder / "home" / name.lower())
    os.environ["READER_STATE"] = str(folder / "state")
    os.environ["READER_CONFIG"] = str(folder / "config.yaml")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _row(case: Case, temp: Path, fff: Any) -> Row:
    failures: list[str] = []
    described: list[Loaded] = []
    everything: list[Loaded] = []
    for run in case.runs:
        loaded: list[Loaded] = []
        failure = _call(run, temp, fff, loaded)
        if failure:
            failures.append(failure)
        elif not loaded:
            failures.append(f"✗ `{run.function}` loaded no story")
        if run.describe and loaded:
            described.append(loaded[run.pick])
        everything += loaded
    kept = []
    for label, markers in case.kept_out:
        present = [m for m in markers if any(m in item.source for item in described)]
        if present:
            kept.append(label)
            leaked = [m for m in present if any(m in _all_text(item.story) for item in described)]
            if leaked:
                failures.append(f"✗ {label} read as text ({leaked[0]!r})")
    if case.extra is not None and described:
        try:
            case.extra(described)
        except AssertionError as error:
            failures.append(f"✗ {error}")
    read = describe([item.story for item in described], everything, case.words_note) if described else "—"
    result = "; ".join(dict.fromkeys(failures)) if failures else "✓"
    return Row(case.source, case.layout, read, ", ".join(kept) or "—", result)


# ------------------------------------------------------------------------------- describing


def _all_text(story: Story) -> str:
    return "\n".join(block.text for chapter in story.chapters for block in chapter.blocks)


def _id_kind(stories: list[Story], everything: list[Loaded]) -> str:
    found = [s.id for s in stories if s.id]
    if not found:  # parse() leaves the id to load_story: a load_story of the same story says it
        titles = {s.title for s in stories}
        found = [item.story.id for item in everything if item.story.id and item.story.title in titles]
    if not found:
        return ""
    ident = found[0]
    story = next((item.story for item in everything if item.story.id == ident), stories[0])
    if ident == story.metadata.get("source_url"):
        return "id: source URL"
    if ident.startswith("gutenberg:"):
        return "id: `gutenberg:NNNN`"
    if ident.startswith("md5:"):
        return "id: content"
    return "id: path"


#: Most characters of a chapter title quoted in the table.
_QUOTE = 40


def describe(stories: list[Story], everything: list[Loaded], words_note: str) -> str:
    """What the reader took from ``stories``: one line for the table."""
    parts = []
    parts.append("title, author" if all(s.author for s in stories) else "title (no author)")
    counts = [len(s.chapters) for s in stories]
    if len(stories) == 1:
        first = stories[0].chapters[0].title if stories[0].chapters else ""
        first = first if len(first) <= _QUOTE else first[: _QUOTE - 1].rstrip() + "…"
        more = " …" if counts[0] > 1 else ""
        noun = "chapter" if counts[0] == 1 else "chapters"
        parts.append(f"{counts[0]} {noun} (“{first}”{more})")
        words = f"{stories[0].words:,} words"
    else:
        parts.append(f"{len(stories)} stories of {' / '.join(map(str, counts))} chapters, titled as served")
        words = f"{sum(s.words for s in stories):,} words"
    parts.append(f"{words} {words_note}".strip())
    notes = sum(1 for s in stories for c in s.chapters for b in c.blocks if b.kind == "note")
    if notes:
        parts.append(f"{notes} note{'s' if notes > 1 else ''}")
    keys = {key for s in stories for key in s.metadata}
    known = [k for k in METADATA_KEYS if k in keys]
    others = sorted(keys - set(METADATA_KEYS))
    if len(known) >= len(METADATA_KEYS) - 3:  # most of them: say which are not read
        absent = [k for k in METADATA_KEYS if k not in keys]
        fields = "all" + (f" but {', '.join(absent)}" if absent else "")
        parts.append(f"metadata: {fields}" + (f"; + {', '.join(others)}" if others else ""))
    elif known or others:
        parts.append("metadata: " + ", ".join(known + others))
    ident = _id_kind(stories, everything)
    if ident:
        parts.append(ident)
    return " · ".join(part for part in parts if part)


# ------------------------------------------------------------------------------- Gutenberg words

_WORD = re.compile(r"[^\W_]+")
_START = re.compile(r"^(?:\*{3} ?START OF|\*END\*THE SMALL PRINT)", re.I)
_STOP = re.compile(r"^(?:\*{3} ?END OF|End of (?:the |this )?Project Gutenberg)", re.I)


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.casefold()))


def gutenberg_words(loaded: list[Loaded], path: Path) -> None:
    """Each word between the markers is in the story, in its text or a heading (a CONTENTS list
    is dropped: its names are the headings'); the text has no word from outside them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if _START.match(line.strip())) + 1
    stop = next(i for i, line in enumerate(lines) if i >= start and _STOP.match(line.strip()))
    body = lines[start:stop]
    if "CONTENTS" in (line.strip() for line in body):  # the heading and the list under it
        at = [line.strip() for line in body].index("CONTENTS")
        end = at + 1
        while end < len(body) and not body[end].strip():
            end += 1
        while end < len(body) and body[end].strip():
            end += 1
        body = body[:at] + body[end:]
    book = _words("\n".join(body))
    story = loaded[0].story
    text = _words("\n".join(b.text for c in story.chapters for b in c.blocks if b.kind != "heading"))
    headings = _words("\n".join(b.text for c in story.chapters for b in c.blocks if b.kind == "heading"))
    extra = text - book
    assert not extra, f"words from outside the book: {', '.join(sorted(extra)[:3])}"
    missing = [word for word in book - text if word not in headings]
    assert not missing, f"words of the book not read: {', '.join(sorted(missing)[:3])}"


# ------------------------------------------------------------------------------- the table


def table(rows: list[Row]) -> str:
    lines = [
        "| source | layout / option | what is read | not story text | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join(lines + [row.line() for row in rows]) + "\n"


def build_table() -> str:
    return table(build_rows())


def readme_table(readme: str) -> str | None:
    """The table between the markers in ``readme`` (None without the markers)."""
    if START not in readme or END not in readme:
        return None
    return readme.split(START, 1)[1].split(END, 1)[0].lstrip("\n")


def with_table(readme: str, fresh: str) -> str:
    before, rest = readme.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{fresh}{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="put the table in README.md between the markers")
    args = parser.parse_args(argv)
    fresh = build_table()
    if not args.write:
        sys.stdout.write(fresh)
        return 0
    readme = README.read_text(encoding="utf-8")
    if readme_table(readme) is None:
        print(f"README.md has no {START} … {END} markers", file=sys.stderr)
        return 1
    README.write_text(with_table(readme, fresh), encoding="utf-8")
    print("README.md: conformance table written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
