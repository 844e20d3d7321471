"""A closed terminal (SIGHUP) or a polite kill (SIGTERM) saves the place before the reader exits."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from tests_support import saved_stories

sys.path.insert(0, str(ROOT / "benchmarks"))
from open_book import Terminal  # noqa: E402

pytestmark = pytest.mark.soak  # the soak tier: run alone with `pytest -m soak`


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_the_place_is_saved_on_hangup_and_terminate(tmp_path: Path, sig: signal.Signals) -> None:
    story = tmp_path / "menu.txt"
    shutil.copy(SAMPLE / "the-midwinter-menu.txt", story)
    state = tmp_path / "state"
    env = dict(os.environ, TERM="xterm-256color", READER_STATE=str(state))
    term = Terminal([sys.executable, "-m", "reader", str(story)], env)
    try:
        term.wait_for("p. 1/", timeout=30)
        term.send(b" ")
        term.wait_for("p. 2/")
        term.send(b" ")
        term.wait_for("p. 3/")  # well inside the one-second wait of the debounced save
        os.kill(term.pid, sig)
        _, status = os.waitpid(term.pid, 0)
    finally:
        try:
            os.kill(term.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(term.fd)
    assert os.WIFEXITED(status), "the reader should exit by itself, not die of the signal"
    entry = saved_stories(state)["menu.txt"]
    assert entry["position"]["offset"] > 0
    assert entry["position"]["snippet"].startswith("This was not surprising")
