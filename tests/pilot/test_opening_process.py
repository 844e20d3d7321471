"""Stories read in processes of their own (reader/opening.py): the real reader in a
pseudo-terminal, and the opener itself in a fresh interpreter (it forks only where no thread
runs, which a test process can't promise)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SAMPLE
from tests_support import alive, descendants

sys.path.insert(0, str(ROOT / "benchmarks"))
from open_book import Terminal  # noqa: E402


def _slow(path: Path) -> Path:
    """Markdown that takes a few seconds to read (emphasis nested 400,000 deep)."""
    path.write_text("*_" * 400_000 + "a" + "_*" * 400_000, encoding="utf-8")
    return path


def _env(tmp_path: Path, config: str = "") -> dict[str, str]:
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    return dict(
        os.environ,
        TERM="xterm-256color",
        READER_STATE=str(tmp_path / "state"),
        READER_CONFIG=str(tmp_path / "config.yaml"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )


def test_a_story_over_the_limit_is_abandoned_and_its_process_killed(tmp_path: Path) -> None:
    story = _slow(tmp_path / "slow.md")
    env = _env(tmp_path, "parse_seconds: 1\n")
    term = Terminal([sys.executable, "-m", "reader", str(story)], env, (100, 30))
    try:
        term.wait_for("Opening", timeout=30)
        time.sleep(0.3)
        below = descendants(term.pid)
        assert len(below) == 2, below  # the opener, and the process reading slow.md
        started = time.monotonic()
        term.wait_for("abandoned", timeout=5)
        assert time.monotonic() - started < 1.5
        deadline = time.monotonic() + 1.0
        while (left := {pid for pid in below if alive(pid)}) and len(left) > 1:
            assert time.monotonic() < deadline, f"the reading process still runs: {left}"
            time.sleep(0.02)
        assert len(left) == 1  # the opener waits for the next story; the reading is gone
        term.send(b"q")
        deadline = time.monotonic() + 1.0
        while not os.waitpid(term.pid, os.WNOHANG)[0]:
            assert time.monotonic() < deadline, "still running a second after q"
            term.read(0.02)
        deadline = time.monotonic() + 1.0
        while any(alive(pid) for pid in below):
            assert time.monotonic() < deadline, "the opener outlived the reader"
            time.sleep(0.02)
    finally:
        term.close()


def test_quitting_mid_read_leaves_no_process(tmp_path: Path) -> None:
    story = _slow(tmp_path / "slow.md")
    term = Terminal([sys.executable, "-m", "reader", str(story)], _env(tmp_path))
    try:
        term.wait_for("Opening", timeout=30)
        time.sleep(0.3)
        below = descendants(term.pid)
        assert below
        os.kill(term.pid, signal.SIGKILL)  # not even a chance to clean up
        os.waitpid(term.pid, 0)
        deadline = time.monotonic() + 1.0
        while running := [pid for pid in below if alive(pid)]:
            assert time.monotonic() < deadline, f"left running after the reader was killed: {running}"
            time.sleep(0.02)
    finally:
        term.close()


def test_leaving_a_story_before_it_is_in_kills_its_reading(tmp_path: Path) -> None:
    """Enter on a slow story in the library, then q at once: back in the library, the process
    reading the story is gone (not left to finish for nothing); the opener stays."""
    library = tmp_path / "lib"
    library.mkdir()
    _slow(library / "slow.md")
    env = _env(tmp_path)
    listed = subprocess.run(  # fills the library's cache: the TUI lists the story at once
        [sys.executable, "-m", "reader", "list", "--library", str(library)], env=env, capture_output=True
    )
    assert listed.returncode == 0, listed.stderr
    term = Terminal([sys.executable, "-m", "reader", str(library)], env, (100, 30))
    try:
        term.wait_for("1 chapter ·", timeout=30)
        opener = descendants(term.pid)
        term.send(b"\r")
        term.wait_for("Opening", timeout=10)
        time.sleep(0.3)
        reading = descendants(term.pid) - opener
        assert reading, "no process reading the story"
        term.send(b"q")
        term.wait_for("Library", timeout=10)
        deadline = time.monotonic() + 1.0
        while running := [pid for pid in reading if alive(pid)]:
            assert time.monotonic() < deadline, f"still reading a story nobody waits for: {running}"
            time.sleep(0.02)
        assert all(alive(pid) for pid in opener)  # the reader and its opener go on
    finally:
        term.close()


OPENER = """
import sys, time
from pathlib import Path
from reader import opening
from reader.formats import StoryError, load_story, files

assert opening.start() is not None
root = Path(sys.argv[1])
for path in sorted(root.iterdir()):
    if not files.is_story_file(path):
        continue
    got = opening.read_story(path, root)
    assert type(got).__name__ == "Reading", got
    story = got.result()
    assert story == load_story(path, root), path
    print("same", path.name)
bad = Path(sys.argv[2])
try:
    opening.read_story(bad, bad.parent).result()
except StoryError as error:
    print("error", error)
slow = opening.read_story(Path(sys.argv[3]), None)
time.sleep(0.2)
slow.cancel()
started = time.monotonic()
try:
    slow.result()
except StoryError as error:
    print("cancelled", round(time.monotonic() - started, 2), error)
at_once = opening.read_story(Path(sys.argv[3]), None)
at_once.cancel()  # before its process has said its pid: killed as soon as it does
started = time.monotonic()
try:
    at_once.result()
except StoryError:
    print("cancelled at once", round(time.monotonic() - started, 2))
odd = Path(sys.argv[4])
print("odd", opening.read_story(odd, odd.parent).result().title)
import os, signal
os.kill(opening._opener.pid, signal.SIGKILL)  # the opener gone: a thread reads the story
time.sleep(0.2)
fallback = opening.read_story(odd, odd.parent)
print("fallback", type(fallback).__name__, fallback.result().title)
"""


def test_the_opener_reads_what_the_parsers_read_and_says_what_went_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.epub"
    bad.write_bytes(b"PK\x03\x04 not a zip at all")
    slow = _slow(tmp_path / "slow.md")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    odd = tmp_path / os.fsdecode(b"odd-\xff-name.txt")
    odd.write_text("Title: Odd Name\n\nA line or two of a story.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", OPENER, str(SAMPLE), str(bad), str(slow), str(odd)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    same = [line for line in lines if line.startswith("same ")]
    assert len(same) >= 5, lines
    assert any(line.startswith("error bad.epub") for line in lines), lines
    cancelled = [line for line in lines if line.startswith("cancelled")]
    assert cancelled and float(cancelled[0].split()[1]) < 0.5, lines
    at_once = [line for line in lines if line.startswith("cancelled at once")]
    assert at_once and float(at_once[0].split()[-1]) < 0.5, lines
    odd_title = next(line for line in lines if line.startswith("odd "))[4:]
    assert odd_title.startswith("Odd") and f"fallback Preload {odd_title}" in lines, lines[-4:]


STATE_FILES = """
import os, sys, time
from pathlib import Path
from reader import opening
from reader.state import State
from reader.state.disk import read_story

assert opening.start() is not None
folder = Path(sys.argv[1])
parsed = opening.read_state(folder)
files = parsed()
yaml_here = "yaml" in sys.modules  # before this script reads any file itself
names = sorted(p.name for p in folder.glob("*.yaml"))
assert sorted(files) == names, (sorted(files), names)
state = State(folder)
for name, (found, copy) in files.items():
    alone = read_story(folder / name)
    for field in ("path", "signature", "text", "record", "problem", "notices"):
        assert getattr(found, field) == getattr(alone, field), (name, field)
    assert copy.path == state.previous / name and copy.record == read_story(state.previous / name).record
print("parsed", len(files), yaml_here)
# a file changed after it was parsed there: read again here
parsed = opening.read_state(folder)
time.sleep(0.5)
changed = folder / names[0]
changed.write_text(changed.read_text(encoding="utf-8").replace("offset: 5", "offset: 77"), encoding="utf-8")
loaded = State.load(folder, look_soon=True, parsed=parsed)
print("changed", [loaded.position(i).offset for i in sorted(loaded.stories)])
plain = State.load(folder, look_soon=True)
print("same", loaded.stories == plain.stories)
"""


def test_the_state_s_files_parsed_by_the_opener_are_read_as_the_state_reads_them(tmp_path: Path) -> None:
    from reader.model import Position
    from reader.state import State

    folder = tmp_path / "state"
    made = State.load(folder)
    for n in range(3):
        made.save_position(f"story-{n}", Position(0, 5), progress=0.1, title=f"Story {n}", path=f"/x/{n}.txt")
    made.save()
    made.save()  # a second save leaves last good copies
    (State(folder).cache_path).unlink(missing_ok=True)
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-c", STATE_FILES, str(folder)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "parsed 3 False", lines  # YAML was imported by the opener's process, not here
    assert lines[1] == "changed [77, 5, 5]", lines
    assert lines[2] == "same True", lines
