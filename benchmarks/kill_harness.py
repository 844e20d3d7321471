"""The kill harness ("Nothing lost"): SIGKILL the real reader at random moments, then check.

The real ``reader STORY`` (``python -m reader``) runs in an 80x24 pseudo-terminal with its
state, config and XDG folders in a work folder. It turns pages and adds bookmarks at random
and is killed with SIGKILL: after a random number of actions and a random short delay,
sometimes in the middle of an action, sometimes while it starts. After every kill:

* the state file parses with ``yaml.safe_load`` (it may be missing only while nothing was
  ever saved; the state is a folder of one file per story, and the story has one);
* it holds every bookmark whose "Bookmark added: NAME" notification was on the screen before
  the kill (the app notifies only after the save succeeded), and no bookmark that was never
  asked for; bookmarks are compared as a multiset of (name, chapter, offset);
* its position is one the reader showed, and not older than the page on screen 1.2 s before
  the kill (saves are debounced to twice a second, off the UI thread): every page seen is kept,
  and the saved position must match an entry at or after the last one seen that long ago;
* the reader, started again on the same state, shows the saved position's page first.

The harness keeps its own model of the app (the same layout the app uses: text column 70,
page height 22), and reads the screen through pyte's terminal emulator, so a page is
recognised by its first lines and a notification by its text, however the toast wraps.
The story is generated (8 chapters, ~130 pages at 80x24, the same every run); page turns are
Space, and ``b`` on the way back after reaching the end. Textual draws a toast added while
another is up clipped until something else repaints, so ``m`` is pressed only with at most
one toast up (and that one young), and a clipped start of the notice counts as the notice.

Used by ``tests/test_kill_harness.py`` (a few kills, in CI) and ``benchmarks/kill_reader.py``
(the long form, with a table of figures).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyte
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from open_book import Terminal  # noqa: E402  (benchmarks/ is not a package)

WIDTH, HEIGHT = 80, 24
#: The app's text column and page height at 80x24: min(text_width 70, 80 - 2); 24 less the
#: title and status lines.
TEXT_WIDTH, PAGE_HEIGHT = 70, HEIGHT - 2
#: Screen rows (0-based) of the page's first lines, and the columns compared: notifications
#: stack in the right half of the screen, so only the left half is read.
PAGE_TOP, SIGNATURE_ROWS, SIGNATURE_COLUMNS = 1, 4, 39
#: A page shown this long before the kill must be (or be older than) the saved position.
SAVE_WINDOW = 1.2
#: A bookmark is asked for while a notice is up only this soon after that one appeared.
REPEAT_WITHIN = 1.5
NOTICE = "Bookmark added: "


def shows(notice: str, text: str) -> bool:
    """Whether a toast reading ``text`` is ``notice``, or its start (the rest clipped)."""
    return len(text) > len(NOTICE) and notice.startswith(text)


TOAST_BAR = "▌"


# The story -----------------------------------------------------------------------------

CHAPTER_NAMES = ["Gulls", "Salt", "Lamps", "Tides", "Masts", "Ropes", "Reefs", "Fog", "Kelp", "Bells"]


def make_story(path: Path, chapters: int = 8, paragraphs: int = 40, seed: int = 20261121) -> None:
    """A deterministic multi-chapter plain-text story: same seed, same text, every run."""
    rng = random.Random(seed)
    syllables = "an be cor dil em fa gor hin is jo ka lum mer no or pel ri sol tu ven wy zel".split()
    vocabulary = [
        "".join(rng.choice(syllables) for _ in range(rng.choice((1, 2, 2, 3)))) for _ in range(4000)
    ]
    out = ["Title: The Keeper of Small Saves", "Author: kill_harness", ""]
    for number in range(1, chapters + 1):
        out += [f"Chapter {number}: {CHAPTER_NAMES[(number - 1) % len(CHAPTER_NAMES)]}", ""]
        for _ in range(paragraphs):
            words = [rng.choice(vocabulary) for _ in range(rng.randint(30, 140))]
            out += [" ".join(words).capitalize() + ".", ""]
    path.write_text("\n".join(out), encoding="utf-8")


class Book:
    """The story as the app lays it out at 80x24: every page, and how each one looks."""

    def __init__(self, path: Path) -> None:
        from reader.formats import load_story
        from reader.layout import StoryLayout

        self.story = load_story(path, path.parent)
        self.layout = StoryLayout(self.story, TEXT_WIDTH, PAGE_HEIGHT)
        self.pages: list[Any] = []  # PageRef, in reading order
        ref: Any = self.layout.page_for(0, 0)
        while ref is not None:
            self.pages.append(ref)
            ref = self.layout.next(ref)
        self.index: dict[Any, int] = {ref: i for i, ref in enumerate(self.pages)}
        self.by_signature: dict[tuple[str, ...], int] = {}
        for i in range(len(self.pages)):
            signature = self.signature(i)
            if signature in self.by_signature:
                raise ValueError(f"pages {self.by_signature[signature]} and {i} look alike")
            self.by_signature[signature] = i

    def __len__(self) -> int:
        return len(self.pages)

    def position(self, i: int) -> tuple[int, int]:
        """(chapter, offset) the app saves for page ``i``: the page's first character."""
        ref = self.pages[i]
        return ref.chapter, self.layout.page(ref).start

    def page_of(self, chapter: int, offset: int, snippet: str = "") -> int:
        """The page the app opens on for a saved position (re-anchored as the app does)."""
        from reader.model import Position, resolve_position

        place = resolve_position(self.story, Position(chapter, offset, snippet))
        return self.index[self.layout.page_for(place.chapter, place.offset)]

    def bookmark_name(self, i: int) -> str:
        """The name ``m`` gives a bookmark on page ``i``: chapter title and per cent."""
        from reader.model import Position

        chapter, offset = self.position(i)
        percent = self.story.progress(Position(chapter, offset))
        return f"{self.story.chapters[chapter].title} · {int(percent * 100)}%"  # as the reader names it

    def signature(self, i: int) -> tuple[str, ...]:
        """The left part of the page's first rows, as the screen shows them."""
        from reader.ui.widgets.page_view import SCENE_BREAK

        ref = self.pages[i]
        chapter = self.story.chapters[ref.chapter]
        margin = " " * ((WIDTH - TEXT_WIDTH) // 2)
        rows = []
        for line in self.layout.page(ref).lines[:SIGNATURE_ROWS]:
            text = chapter.text[line.start : line.end]
            if line.kind == "blank":
                text = ""
            elif line.kind == "scene_break":
                text = SCENE_BREAK.center(TEXT_WIDTH).rstrip()
            elif line.kind == "heading":
                text = " " * max(0, (TEXT_WIDTH - len(text)) // 2) + text
            rows.append((margin + text)[:SIGNATURE_COLUMNS].rstrip())
        rows += [""] * (SIGNATURE_ROWS - len(rows))
        return tuple(rows)


# A terminal screen -------------------------------------------------------------------


class Screen:
    """The terminal's screen as pyte (a maintained VT100/xterm emulator) keeps it, read as text.

    :class:`pyte.ByteStream` decodes UTF-8 cut anywhere between reads and parses escape
    sequences cut anywhere (256-colour and truecolour SGR, cursor moves, erases, the private
    modes Textual sets, synchronized updates among them, which change nothing drawn).
    """

    def __init__(self, width: int = WIDTH, height: int = HEIGHT) -> None:
        self.width, self.height = width, height
        self._screen = pyte.Screen(width, height)
        self._stream = pyte.ByteStream(self._screen)
        self._lines: list[str] | None = None  # the rows as text, until the next feed

    def feed(self, data: bytes) -> None:
        self._stream.feed(data)
        self._lines = None

    def lines(self) -> list[str]:
        """Every row as text (a wide character takes one place, its second cell none)."""
        if self._lines is None:
            self._lines = self._screen.display
        return self._lines

    def line(self, y: int) -> str:
        return self.lines()[y]

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    def signature(self) -> tuple[str, ...]:
        rows = self.lines()[PAGE_TOP : PAGE_TOP + SIGNATURE_ROWS]
        return tuple(row[:SIGNATURE_COLUMNS].rstrip() for row in rows)

    def toasts(self) -> list[str]:
        """The text of every notification on screen (a toast is a column of rows after ▌)."""
        found: list[str] = []
        current: list[str] = []
        column = None
        for line in self.lines():
            at = line.find(TOAST_BAR)
            text = line[at + 1 :].strip() if at >= 0 else ""
            if at < 0 or at != column or not text:
                if current:
                    found.append(" ".join(current))
                current = []
            column = at if at >= 0 else None
            if text:
                current.append(text)
        if current:
            found.append(" ".join(current))
        return found


class Reader(Terminal):
    """``reader STORY`` in a pseudo-terminal, its screen followed by :class:`Screen`."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.spawned = time.monotonic()
        super().__init__(argv, env, (WIDTH, HEIGHT))
        self.screen = Screen()
        self.exited = False
        self.killed_at: float | None = None

    def pump(self, seconds: float, until: Callable[[Screen], bool] | None = None) -> bool:
        """Read the screen for up to ``seconds``; True as soon as ``until(screen)`` holds."""
        deadline = time.monotonic() + seconds
        while True:
            if until is not None and until(self.screen):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.exited:
                return False
            chunk = self.read(remaining)
            if chunk is None:
                continue
            if not chunk:
                self.exited = True
                continue
            self.screen.feed(chunk)

    def kill(self) -> float:
        """SIGKILL now; the moment of the kill (monotonic)."""
        self.killed_at = time.monotonic()
        self.close()  # SIGKILL, wait for it, close the terminal
        return self.killed_at


# The run ---------------------------------------------------------------------------

FAILURE_KINDS = (
    "unparsable",  # the story's file does not parse (or is not a story record)
    "backup-unparsable",  # state.yaml.bak does not parse
    "missing",  # no story file although something was saved before
    "bookmark-lost",  # a bookmark confirmed on screen is not in the file
    "bookmark-unknown",  # the file holds a bookmark that was never asked for
    "position-unknown",  # the saved position is not one the reader showed
    "position-stale",  # the saved position is older than the page shown 1.2 s before the kill
    "restart-position",  # started again, the reader did not show the saved position's page
    "no-page",  # a page turn did not show the expected page (the harness resynchronised)
    "no-confirmation",  # `m` never showed "Bookmark added: NAME"
    "exited",  # the reader exited by itself
)


@dataclass
class Failure:
    kill: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"kill {self.kill}: {self.kind}: {self.detail}"


@dataclass
class Shown:
    """A page the reader showed, and when the harness saw it."""

    at: float
    page: int
    why: str  # "start" (before any run), "opened", "turn"
    session: int


@dataclass
class Report:
    seed: int
    kills: int = 0
    kills_by_moment: Counter[str] = field(default_factory=Counter)
    turns: int = 0
    bookmark_presses: int = 0
    confirmed: int = 0  # bookmarks confirmed on screen, in all
    quick: int = 0  # of those, asked for while the previous notice was still up
    repeats: int = 0  # of those, while a notice with the very same name was up
    confirmed_checks: int = 0  # confirmed bookmarks looked for after kills (one per kill each)
    found_checks: int = 0  # of those, found
    unconfirmed_saved: int = 0  # `m` pressed, killed before the notice, and it was saved
    final_bookmarks: int = 0  # bookmarks in the file at the end
    positions_checked: int = 0
    positions_due: int = 0  # of those, a page turn ≥ 1.2 s old had to be on disk
    restarts_checked: int = 0
    restart_times: list[float] = field(default_factory=list)
    stray_temp_files: int = 0  # the most found after a kill
    in_flight_turns_saved: int = 0  # kills mid-turn whose new page was already on disk
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def table(self) -> str:
        moments = ", ".join(f"{k} {v}" for k, v in sorted(self.kills_by_moment.items()))
        by_kind = Counter(f.kind for f in self.failures)
        restart = (
            f"{statistics.median(self.restart_times) * 1000:.0f} ms (n={len(self.restart_times)}, "
            f"max {max(self.restart_times) * 1000:.0f} ms)"
            if self.restart_times
            else "-"
        )
        rows = [
            ("kills (SIGKILL)", f"{self.kills}  ({moments})"),
            (
                "actions",
                f"{self.turns + self.bookmark_presses}  ({self.turns} page turns, "
                f"{self.bookmark_presses} bookmarks asked)",
            ),
            (
                "bookmarks confirmed on screen",
                f"{self.confirmed}  ({self.quick} while the last notice was still up, "
                f"{self.repeats} of them with the same name)",
            ),
            (
                "bookmarks found in the file after kills",
                f"{self.found_checks} of {self.confirmed_checks}  (every confirmed one, at every later kill)",
            ),
            ("unconfirmed bookmarks (killed mid-`m`) saved", str(self.unconfirmed_saved)),
            ("bookmarks in the file at the end", str(self.final_bookmarks)),
            (
                "positions checked",
                f"{self.positions_checked}  ({self.positions_due} with a turn "
                f"≥ {SAVE_WINDOW} s old that had to be saved)",
            ),
            ("kills mid-turn with the new page already saved", str(self.in_flight_turns_saved)),
            ("restarts checked (saved page shown)", str(self.restarts_checked)),
            ("median time to restart to the first page", restart),
            ("stray temp files after a kill (most)", str(self.stray_temp_files)),
        ]
        rows += [(f"failures: {kind}", str(by_kind.get(kind, 0))) for kind in FAILURE_KINDS]
        rows.append(("failures in all", str(len(self.failures))))
        rows.append(("wall time", f"{self.seconds:.1f} s"))
        width = max(len(name) for name, _ in rows) + 2
        lines = [f"kill harness: seed {self.seed}", "-" * (width + 40)]
        lines += [f"{name:<{width}}{value}" for name, value in rows]
        return "\n".join(lines)


class KillHarness:
    """Start, act, kill, check, again — the state accumulating in one work folder."""

    def __init__(
        self,
        work: Path,
        *,
        seed: int,
        max_actions: int = 10,
        max_gap: float = 0.4,
        max_delay: float = 2.2,
        log: Callable[[str], None] | None = None,
        prelude: str | None = None,
    ) -> None:
        """``prelude``: Python run in the reader's process before it starts (to break it on
        purpose, and see the harness notice)."""
        self.work = work
        self.rng = random.Random(seed)
        self.report = Report(seed=seed)
        self.max_actions, self.max_gap, self.max_delay = max_actions, max_gap, max_delay
        self.log = log or (lambda message: None)
        self.story_path = work / "story.txt"
        make_story(self.story_path)
        self.book = Book(self.story_path)
        self.story_id = self.book.story.id
        self.state_path = work / "state"  # the state folder: one file per story
        home = work / "home"
        self.env = dict(
            os.environ,
            TERM="xterm-256color",
            COLUMNS=str(WIDTH),
            LINES=str(HEIGHT),
            READER_STATE=str(self.state_path),
            READER_CONFIG=str(work / "config.yaml"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            folder = home / name.lower()
            folder.mkdir(parents=True, exist_ok=True)
            self.env[name] = str(folder)
        self.argv = [sys.executable, "-m", "reader", str(self.story_path)]
        if prelude is not None:
            wrapper = work / "broken_reader.py"
            wrapper.write_text(f"{prelude}\n\nimport sys\nfrom reader.cli import main\n\nsys.exit(main())\n")
            self.argv[1:3] = [str(wrapper)]
        # What is known to be on disk, and what the reader showed, across kills.
        self.bookmarks: Counter[tuple[str, int, int]] = Counter()
        self.timeline = [Shown(float("-inf"), 0, "start", -1)]
        self.saved_page = 0  # the page a restart must show
        self.ever_saved = False
        self.page = 0
        self.direction = 1
        self.last_notice = float("-inf")

    # One kill ----------------------------------------------------------------------

    def run(self, kills: int) -> Report:
        started = time.monotonic()
        for number in range(1, kills + 1):
            self.one_kill(number)
        self.report.seconds = time.monotonic() - started
        data = self.read_state()[0]
        if isinstance(data, dict):
            self.report.final_bookmarks = sum(self.file_bookmarks(data).values())
        return self.report

    def fail(self, number: int, kind: str, detail: str) -> None:
        failure = Failure(number, kind, detail)
        self.report.failures.append(failure)
        self.log(f"FAIL {failure}")

    def one_kill(self, number: int) -> None:
        rng = self.rng
        moment = rng.choices(["while starting", "mid-action", "after actions"], [0.06, 0.3, 0.64])[0]
        reader = Reader(self.argv, self.env)
        session = number
        confirmed: Counter[tuple[str, int, int]] = Counter()
        pending: Counter[tuple[str, int, int]] = Counter()
        in_flight: int | None = None
        self.last_notice = float("-inf")  # when a notice was last confirmed (toasts die with the process)
        when_confirmed: dict[tuple[str, int, int], float] = {}
        try:
            if moment == "while starting":
                self.wait_opened(reader, number, session, rng.uniform(0.0, 0.7), required=False)
            elif self.wait_opened(reader, number, session, 30.0, required=True):
                for _ in range(rng.randint(0, self.max_actions)):
                    done = self.act(reader, number, confirmed, pending, when_confirmed, wait=True)
                    if not done:
                        break
                    if rng.random() < 0.5:
                        reader.pump(rng.uniform(0.0, self.max_gap))
                if moment == "mid-action" and not reader.exited:
                    in_flight = self.act(reader, number, confirmed, pending, when_confirmed, wait=False)
                    reader.pump(rng.uniform(0.0, 0.12))
                elif not reader.exited:
                    reader.pump(rng.uniform(0.0, self.max_delay))
            if reader.exited:
                self.fail(number, "exited", "the reader exited by itself; screen:\n" + reader.screen.text())
        finally:
            killed_at = reader.kill()
        self.report.kills += 1
        self.report.kills_by_moment[moment] += 1
        self.check(number, killed_at, confirmed, pending, when_confirmed, in_flight)

    def wait_opened(self, reader: Reader, number: int, session: int, seconds: float, required: bool) -> bool:
        """Wait for the first page; check it is the saved position's page."""
        expected = self.saved_page
        shown = reader.pump(seconds, lambda screen: screen.signature() in self.book.by_signature)
        if not shown:
            if required:
                self.fail(
                    number,
                    "restart-position",
                    f"no page of the story on screen {seconds:.0f} s after start (expected page "
                    f"{expected}); screen:\n{reader.screen.text()}",
                )
            return False
        page = self.book.by_signature[reader.screen.signature()]
        if page != expected:
            # A page may be drawn a frame before the position is applied: give it a moment.
            if reader.pump(1.0, lambda screen: self.showing(screen) == expected):
                page = expected
        if page != expected:
            self.fail(
                number,
                "restart-position",
                f"started on page {page} {self.book.position(page)}, but the state file says page "
                f"{expected} {self.book.position(expected)}",
            )
        else:
            self.report.restart_times.append(time.monotonic() - reader.spawned)
            if self.ever_saved:
                self.report.restarts_checked += 1
        self.page = page
        self.timeline.append(Shown(time.monotonic(), page, "opened", session))
        return True

    def showing(self, screen: Screen) -> int | None:
        return self.book.by_signature.get(screen.signature())

    def act(
        self,
        reader: Reader,
        number: int,
        confirmed: Counter[tuple[str, int, int]],
        pending: Counter[tuple[str, int, int]],
        when_confirmed: dict[tuple[str, int, int], float],
        wait: bool,
    ) -> Any:
        """One random action. Waiting: True when done. Not waiting: the page a turn goes to."""
        rng = self.rng
        name = self.book.bookmark_name(self.page)
        notice = NOTICE + name
        # Textual draws a toast added while another is up clipped (its last line, or more,
        # hidden) until something else repaints: so `m` is pressed with at most one toast up,
        # and only while that one is young enough not to expire meanwhile (toasts last 3 s);
        # a new notice is told by the count of toasts that start its text going up.
        toasts = reader.screen.toasts()
        up = sum(1 for text in toasts if shows(notice, text))
        young = time.monotonic() - self.last_notice < REPEAT_WITHIN
        # Not while the same notice is up: a notice replaces the one of its kind (issue 15), so
        # a second "Bookmark added" with the same name would not show as one more toast.
        if rng.random() < 0.3 and not up and (not toasts or (len(toasts) == 1 and young)):
            chapter, offset = self.book.position(self.page)
            key = (name, chapter, offset)
            self.report.bookmark_presses += 1
            pending[key] += 1
            reader.send(b"m")
            if not wait:
                return None
            if reader.pump(5.0, lambda screen: sum(shows(notice, t) for t in screen.toasts()) > up):
                pending[key] -= 1
                confirmed[key] += 1
                when_confirmed[key] = self.last_notice = time.monotonic()
                self.report.confirmed += 1
                self.report.quick += bool(toasts)
                self.report.repeats += notice in toasts
                return True
            self.fail(number, "no-confirmation", f"pressed m on page {self.page}, no {notice!r} after 5 s")
            return not reader.exited
        if self.page + self.direction not in range(len(self.book)):
            self.direction = -self.direction
        target = self.page + self.direction
        self.report.turns += 1
        reader.send(b" " if self.direction > 0 else b"b")
        if not wait:
            return target
        if reader.pump(5.0, lambda screen: self.showing(screen) == target):
            self.page = target
            self.timeline.append(Shown(time.monotonic(), target, "turn", number))
            return True
        actual = self.showing(reader.screen)
        self.fail(number, "no-page", f"turned from page {self.page} to {target}, the screen shows {actual}")
        if actual is None:
            return False
        self.page = actual
        self.timeline.append(Shown(time.monotonic(), actual, "turn", number))
        return True

    # Checking ------------------------------------------------------------------------

    def story_files(self) -> list[Path]:
        return sorted(self.state_path.glob("*.yaml")) if self.state_path.is_dir() else []

    def read_state(self) -> tuple[Any, str | None]:
        """(the story files parsed, as ``{"stories": {id: record}}``, or None if none; error)."""
        stories: dict[str, Any] = {}
        for path in self.story_files():
            raw = path.read_bytes()
            try:
                data = yaml.safe_load(raw.decode("utf-8"))
            except (UnicodeDecodeError, yaml.YAMLError) as error:
                return None, f"{path.name}: {type(error).__name__}: {error} ({len(raw)} bytes)"
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                return None, f"{path.name}: not a story record ({len(raw)} bytes): {raw[:200]!r}"
            stories[data["id"]] = data
        return ({"stories": stories} if stories else None), None

    def file_bookmarks(self, data: dict[str, Any]) -> Counter[tuple[str, int, int]]:
        entry = (data.get("stories") or {}).get(self.story_id) or {}
        marks: Counter[tuple[str, int, int]] = Counter()
        for mark in entry.get("bookmarks") or []:
            where = mark.get("position") or {}
            marks[(str(mark.get("name")), int(where.get("chapter", 0)), int(where.get("offset", 0)))] += 1
        return marks

    def check(
        self,
        number: int,
        killed_at: float,
        confirmed: Counter[tuple[str, int, int]],
        pending: Counter[tuple[str, int, int]],
        when_confirmed: dict[tuple[str, int, int], float],
        in_flight: int | None,
    ) -> None:
        report = self.report
        strays = (
            [p for p in self.state_path.iterdir() if p.name.endswith(".tmp")]
            if self.state_path.is_dir()
            else []
        )
        report.stray_temp_files = max(report.stray_temp_files, len(strays))
        data, error = self.read_state()
        expected = self.bookmarks + confirmed
        if error is not None:
            self.fail(number, "unparsable", f"{error}; kept as {self.work / f'broken-{number}.yaml'}")
            # What the reader would make of it is not this harness's business: keep the file
            # for a look, and go on from a fresh state.
            for path in self.story_files():
                shutil.copyfile(path, self.work / f"broken-{number}-{path.name}")
            shutil.rmtree(self.state_path, ignore_errors=True)
            self.bookmarks, self.saved_page, self.ever_saved = Counter(), 0, False
            self.timeline.append(Shown(float("-inf"), 0, "start", number))
            return
        if data is None and (self.ever_saved or expected):
            self.fail(
                number, "missing", f"no state file, though {sum(expected.values())} bookmarks were saved"
            )
        found = self.file_bookmarks(data) if data is not None else Counter()
        if data is not None:
            self.ever_saved = True

        # (b) every confirmed bookmark is there; nothing that was never asked for is.
        report.confirmed_checks += sum(expected.values())
        report.found_checks += sum(min(found[k], n) for k, n in expected.items())
        lost = expected - found
        for (name, chapter, offset), n in lost.items():
            ago = (
                killed_at - when_confirmed[(name, chapter, offset)]
                if (name, chapter, offset) in when_confirmed
                else None
            )
            since = (
                f", confirmed on screen {ago:.2f} s before the kill"
                if ago is not None
                else " (confirmed before an earlier kill)"
            )
            self.fail(
                number,
                "bookmark-lost",
                f"{n} × {name!r} at chapter {chapter}, offset {offset}{since}; the file has "
                f"{found[(name, chapter, offset)]} of {expected[(name, chapter, offset)]}",
            )
        unknown = found - expected - pending
        for (name, chapter, offset), n in unknown.items():
            self.fail(number, "bookmark-unknown", f"{n} × {name!r} at chapter {chapter}, offset {offset}")
        report.unconfirmed_saved += sum(((found - expected) & pending).values())
        self.bookmarks = found  # what a restart will read

        # (c) the saved position: one the reader showed, and not older than the page on
        # screen SAVE_WINDOW seconds before the kill.
        entry = ((data or {}).get("stories") or {}).get(self.story_id) or {}
        where = entry.get("position")
        saved, saved_at = 0, (0, 0)  # never saved: the start of the story
        if where:
            try:
                saved_at = (int(where["chapter"]), int(where["offset"]))
                saved = self.book.page_of(*saved_at, str(where.get("snippet") or ""))
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                self.fail(number, "position-unknown", f"the saved position {where!r} is not one ({error})")
                saved_at = (-1, -1)
        report.positions_checked += 1
        due = max(i for i, shown in enumerate(self.timeline) if shown.at <= killed_at - SAVE_WINDOW)
        if self.timeline[due].why == "turn" and self.timeline[due].session == number:
            report.positions_due += 1
        showed = {self.book.position(s.page) for s in self.timeline}
        recent = {self.book.position(s.page) for s in self.timeline[due:]}
        if in_flight is not None:
            showed.add(self.book.position(in_flight))
            recent.add(self.book.position(in_flight))
        if in_flight is not None and saved_at == self.book.position(in_flight) != self.book.position(
            self.page
        ):
            report.in_flight_turns_saved += 1
        if saved_at == (-1, -1):
            pass
        elif saved_at not in showed:
            self.fail(number, "position-unknown", f"saved {saved_at}, a position the reader never showed")
        elif saved_at not in recent:
            required = self.timeline[due]
            self.fail(
                number,
                "position-stale",
                f"saved {saved_at} (page {saved}); page {required.page} {self.book.position(required.page)} "
                f"was on screen {killed_at - required.at:.2f} s before the kill and should have been saved; "
                f"pages shown since: {[s.page for s in self.timeline[due:]]}",
            )
        self.saved_page = saved
        self.log(
            f"kill {number}: page {self.page} on screen, saved page {saved}, "
            f"{sum(found.values())} bookmarks in the file"
        )


def run(
    kills: int, seed: int | None = None, work: Path | None = None, keep: bool = False, **options: Any
) -> Report:
    """Run ``kills`` kills in a fresh work folder (removed afterwards unless ``keep``)."""
    seed = random.randrange(1 << 30) if seed is None else seed
    folder = work or Path(tempfile.mkdtemp(prefix="reader-kill-"))
    try:
        return KillHarness(folder, seed=seed, **options).run(kills)
    finally:
        if not keep and work is None:
            shutil.rmtree(folder, ignore_errors=True)
