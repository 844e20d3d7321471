"""Nothing lost: the real reader, killed with SIGKILL at random moments, keeps its state.

The short form of ``benchmarks/kill_reader.py`` (the logic is in
``benchmarks/kill_harness.py``): ten kills of ``reader STORY`` in a pseudo-terminal. After
each one the state file parses, holds every bookmark confirmed on screen, and a position no
older than the page shown 1.2 s before the kill; started again, the reader shows that page.
Set KILL_HARNESS_SEED to replay a plan.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
    pytest.mark.soak,  # the soak tier: run alone with `pytest -m soak`
]

BENCHMARKS = ROOT / "benchmarks"
KILLS = 10

sys.path.insert(0, str(BENCHMARKS))
try:
    import kill_harness
finally:
    sys.path.remove(str(BENCHMARKS))


def test_ten_kills_lose_nothing(tmp_path: Path) -> None:
    seed = int(os.environ["KILL_HARNESS_SEED"]) if os.environ.get("KILL_HARNESS_SEED") else None
    work = tmp_path / "kills"
    work.mkdir()
    report = kill_harness.run(KILLS, seed=seed, work=work, max_actions=8, max_gap=0.3, max_delay=2.0)
    table = report.table()
    print(table)
    failures = "\n".join(str(failure) for failure in report.failures)
    replay = f"replay with KILL_HARNESS_SEED={report.seed}"
    assert report.ok, f"{len(report.failures)} failure(s); {replay}\n{failures}\n\n{table}"
    # The run did what it says: every kill checked, pages turned, bookmarks confirmed.
    assert report.kills == KILLS and report.positions_checked == KILLS
    assert report.turns > 0 and report.bookmark_presses > 0
    assert report.found_checks == report.confirmed_checks


def test_the_harness_notices_a_reader_that_saves_nothing(tmp_path: Path) -> None:
    """A control: a reader that confirms bookmarks and turns pages but never writes fails."""
    prelude = (
        "import reader.ui.app as app\n"
        "app.ReaderApp.request_save = lambda self: None\n"
        "app.ReaderApp.save_now = lambda self, then=None: then and then(True)\n"
    )
    harness = kill_harness.KillHarness(tmp_path, seed=7, max_actions=8, max_delay=2.0, prelude=prelude)
    for number in range(1, 9):
        harness.one_kill(number)
        if harness.report.failures:
            break
    kinds = {failure.kind for failure in harness.report.failures}
    assert kinds, "eight kills of a reader that saves nothing went unnoticed"
    assert kinds <= {"bookmark-lost", "position-stale", "missing"}, harness.report.failures


def test_the_screen_joins_a_wrapped_notification() -> None:
    """Textual wraps a long toast; the harness reads it back as one line of text."""
    screen = kill_harness.Screen()
    # A synchronized update (private mode 2026) around a truecolour line of text.
    screen.feed(b"\x1b[?2026h\x1b[2;6H\x1b[38;2;10;20;30;48;2;200;200;1")
    screen.feed(b"90mpelven emgorjo emcor corgor meran ka pelan emvensol ri gor becor mer\x1b[?2026l")
    bar = "\u258c".encode()
    screen.feed(
        b"\x1b[20;40H" + bar + b" " * 38 + b"\x1b[21;40H" + bar + b" Bookmark added: Chapter 1: Part 1 \xc2"
    )
    screen.feed(b"\xb7\x1b[0m\x1b[22;40H" + bar + b" 0%\x1b[38;5;253;4")  # cut mid-character, mid-escape
    screen.feed(b"8;5;59m   \x1b[23;40H" + bar + b" " * 38)
    assert screen.toasts() == ["Bookmark added: Chapter 1: Part 1 \u00b7 0%"]
    assert (
        screen.signature()[0]
        == "     pelven emgorjo emcor corgor meran ka"[: kill_harness.SIGNATURE_COLUMNS].rstrip()
    )
