"""The real reader in a pseudo-terminal: what it writes to the terminal, and how it ends when
the terminal goes away."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from tests_support import alive, descendants

sys.path.insert(0, str(ROOT / "benchmarks"))
from open_book import Terminal  # noqa: E402

FILLER = "Quiet words about the harbour at night. " * 40


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, TERM="xterm-256color", READER_STATE=str(tmp_path / "state"))


def _everything(term: Terminal, seconds: float) -> bytes:
    """All the reader writes for ``seconds``."""
    out = b""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        chunk = term.read(left)
        if chunk == b"":
            break
        out += chunk or b""
    return out


def test_no_escape_sequence_from_a_story_reaches_the_terminal(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    (library / "evil.txt").write_text(
        "Title: Evil\x1b[2JTitle\nAuthor: Mal\x1b]52;c;UFdORUQx\x07lory\n\n"
        f"{FILLER}\n\nBody \x1b]52;c;UFdORUQy\x07 and \x1b[31mRedWord\x1b[0m "
        f"\x1bP+qPWNEDz\x1b\\ \u202eend.\n\n{FILLER}",
        encoding="utf-8",
    )
    (library / os.fsdecode(b"odd-\xff-\x1b]2;PWNEDname\x07.txt")).write_text(
        f"Title: Odd\nAuthor: A\n\n{FILLER}", encoding="utf-8"
    )
    term = Terminal([sys.executable, "-m", "reader", str(library)], _env(tmp_path), size=(100, 30))
    try:
        seen = term.wait_for("2 stories", timeout=30) and b""
        seen += _everything(term, 0.5)
        term.send(b"/evil")
        seen += _everything(term, 0.5)
        term.send(b"\r")
        seen += _everything(term, 1.0)
        term.send(b" ")  # the page with the body's sequences
        seen += _everything(term, 1.0)
        term.send(b"B")  # the bookmarks dialog names the story in its title
        seen += _everything(term, 0.5)
    finally:
        term.close()
    assert b"RedWord" in seen or b"Body" in seen, "the page with the hostile paragraph was drawn"
    for raw in (b"PWNED", b"UFdORU", b"\x1b]52", b"\x1b[2JTitle", b"\x1b[31mRedWord", b"\xe2\x80\xae"):
        assert raw not in seen, raw


def _closed_at_random(tmp_path: Path, rounds: int, seed: int) -> list[str]:
    """Close the reader's terminal at a random moment, ``rounds`` times: what was left running."""
    rng = random.Random(seed)
    story = SAMPLE / "the-midwinter-menu.txt"
    left = []
    for number in range(rounds):
        args = [sys.executable, "-m", "reader"] + ([str(story)] if number % 2 else [str(SAMPLE)])
        term = Terminal(args, _env(tmp_path / f"run{number}"))
        delay = rng.uniform(0.0, 1.5)  # during start-up, the first page, a page turn or a save
        end = time.monotonic() + delay
        while (remaining := end - time.monotonic()) > 0:
            chunk = term.read(remaining)
            if chunk == b"":
                break
            if chunk and number % 3 == 0:
                try:
                    os.write(term.fd, b" ")  # a page turn: a save is due
                except OSError:
                    break
        below = descendants(term.pid)  # the opener, and any story it is reading
        os.close(term.fd)  # the terminal is gone
        closed = time.monotonic()
        while time.monotonic() - closed < 2.0:
            if os.waitpid(term.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.02)
        else:
            left.append(f"round {number}: still running 2 s after its terminal closed at {delay:.2f} s")
            os.kill(term.pid, signal.SIGKILL)
            os.waitpid(term.pid, 0)
        while (still := [pid for pid in below if alive(pid)]) and time.monotonic() - closed < 2.0:
            time.sleep(0.02)
        if still:
            left.append(f"round {number}: processes {still} outlived the reader (closed at {delay:.2f} s)")
    return left


def test_a_closed_terminal_ends_the_reader(tmp_path: Path) -> None:
    """Six rounds in every run (about 5 s); ``pytest -m soak`` runs 50 (below)."""
    assert not _closed_at_random(tmp_path, 6, seed=13)


@pytest.mark.soak
def test_a_closed_terminal_ends_the_reader_50_times(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if "soak" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("50 rounds (about a minute): run with pytest -m soak")
    assert not _closed_at_random(tmp_path, 50, seed=1313)


def _quits_within_a_second(term: Terminal, ready: str) -> None:
    try:
        term.wait_for(ready, timeout=30)
        _everything(term, 0.3)  # the parse is well under way
        term.send(b"q")
        asked = time.monotonic()
        while not os.waitpid(term.pid, os.WNOHANG)[0]:
            assert time.monotonic() - asked < 1.0, "still running a second after q"
            term.read(0.02)
    finally:
        term.close()


def _slow(path: Path) -> Path:
    path.write_text("*_" * 1_000_000 + "a" + "_*" * 1_000_000, encoding="utf-8")  # seconds to read
    return path


def test_q_quits_at_once_while_a_story_is_being_read(tmp_path: Path) -> None:
    story = _slow(tmp_path / "slow.md")
    _quits_within_a_second(Terminal([sys.executable, "-m", "reader", str(story)], _env(tmp_path)), "Opening")


def test_q_quits_at_once_while_the_library_is_scanned(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    _slow(library / "slow.md")
    (library / "fine.txt").write_text(f"Title: Fine\nAuthor: A\n\n{FILLER}", encoding="utf-8")
    term = Terminal([sys.executable, "-m", "reader", str(library)], _env(tmp_path))
    _quits_within_a_second(term, "Library")


def test_q_quits_at_once_while_parsing_processes_read_slow_stories(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    for number in range(30):  # enough for the parsing processes; each takes about a second
        (library / f"{number}.md").write_text("*_" * 60_000 + "a" + "_*" * 60_000, encoding="utf-8")
    _quits_within_a_second(
        Terminal([sys.executable, "-m", "reader", str(library)], _env(tmp_path)), "Library"
    )


def test_ctrl_c_ends_the_command_line_with_130_and_no_traceback(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    for number in range(30):  # enough to be parsed by the worker processes
        (library / f"{number}.md").write_text("*_" * 20_000 + "a" + "_*" * 20_000, encoding="utf-8")
    term = Terminal([sys.executable, "-m", "reader", "list", "--library", str(library)], _env(tmp_path))
    out = b""
    try:
        out += _everything(term, 1.5)
        term.send(b"\x03")  # ctrl+c, as the terminal sends it: SIGINT to the whole group
        asked = time.monotonic()
        while not (done := os.waitpid(term.pid, os.WNOHANG))[0]:
            assert time.monotonic() - asked < 2.0, "still running after ctrl+c"
            out += term.read(0.05) or b""
        out += _everything(term, 0.3)
    finally:
        os.close(term.fd)
    assert os.waitstatus_to_exitcode(done[1]) == 130
    assert b"Traceback" not in out and b"KeyboardInterrupt" not in out, out[-600:]


def test_keys_read_by_the_event_loop_reach_the_reader(tmp_path: Path) -> None:
    """The loop reads the terminal itself (reader/ui/driver.py): a key, a key's escape
    sequence in one read, a word, and a lone Escape, told from a sequence by the parser's
    timeout, all arrive."""
    term = Terminal(
        [sys.executable, "-m", "reader", str(SAMPLE / "what-the-static-keeps.txt")], _env(tmp_path)
    )
    try:
        term.wait_for("p. 1/", timeout=30)
        term.send(b" ")
        term.wait_for("p. 2/", timeout=10)
        term.send(b"\x1b[D")  # Left: back a page
        term.wait_for("p. 1/", timeout=10)
        term.send(b"/")
        time.sleep(0.3)
        term.send(b"kettle")
        term.wait_for("match", timeout=10)
        term.send(b"\x1b")  # Escape alone: the find bar closes, the status line is back
        term.wait_for("p. 1/", timeout=10)
        term.send(b"q")
        deadline = time.monotonic() + 10
        while os.waitpid(term.pid, os.WNOHANG)[0] != term.pid:  # it ends (its terminal may close first)
            assert time.monotonic() < deadline, "q did not end the reader"
            term.read(0.05)
    finally:
        term.close()
