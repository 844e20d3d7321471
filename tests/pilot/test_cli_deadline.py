"""Issue 13 on the command line: ``parse_seconds`` holds for ``list``, ``search`` and ``dump``
(a story that takes longer is abandoned with a message), and ctrl+c ends each of them with
status 130, no traceback, and no process left behind — even while a story is being parsed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests_support import owl_stories, processes, run_reader, slow_story

ABANDONED = "took longer than 1 s to read, abandoned (parse_seconds in config.yaml sets the limit)"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return owl_stories(tmp_path / "lib", 4)


def limit(tmp_path: Path, seconds: int) -> None:
    (tmp_path / "config.yaml").write_text(f"parse_seconds: {seconds}\n", encoding="utf-8")


def timed(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = run_reader(*args)
    return done, time.monotonic() - start


@pytest.mark.parametrize("depth", [300_000, 200_000])  # in a worker process; on the scan's thread
def test_list_abandons_a_slow_story_and_lists_the_rest(tmp_path: Path, library: Path, depth: int) -> None:
    limit(tmp_path, 1)
    slow_story(library / "slow.md", depth)
    done, took = timed("list", str(library))
    assert done.returncode == 0, done.stderr
    assert [line.split()[:2] for line in done.stdout.splitlines()] == [["Story", str(n)] for n in range(4)]
    assert done.stderr == f"reader: slow.md: {ABANDONED}\n"
    assert took < 1 + 3


def test_search_finds_the_rest_of_a_library_with_a_slow_story(tmp_path: Path, library: Path) -> None:
    limit(tmp_path, 1)
    slow_story(library / "slow.md")
    done, took = timed("search", "owl", "--library", str(library))
    assert done.returncode == 0, done.stderr
    assert "4 hits in 4 stories" in done.stdout and took < 1 + 3


def test_dump_of_a_slow_story_is_abandoned(tmp_path: Path) -> None:
    limit(tmp_path, 1)
    slow = slow_story(tmp_path / "slow.md")
    done, took = timed("dump", str(slow))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"reader: slow.md: {ABANDONED}\n"
    assert took < 1 + 2


def test_dump_within_the_limit_is_the_story(tmp_path: Path) -> None:
    limit(tmp_path, 20)
    slow = slow_story(tmp_path / "slow.md", depth=50_000)
    done = run_reader("dump", "--json", str(slow))
    assert done.returncode == 0 and '"kind": "paragraph"' in done.stdout


def group_members(group: int) -> list[str]:
    return [command for _, _, pgid, command in processes() if pgid == group]


@pytest.mark.parametrize(
    "command, depth",
    [
        (["list"], 1_000_000),  # 4 MB: parsed in a worker process
        (["list"], 250_000),  # 1 MB: parsed on the scan's thread
        (["search", "owl", "--library"], 1_000_000),
        (["dump"], 1_000_000),
    ],
)
def test_ctrl_c_during_a_slow_parse_exits_130_at_once(
    tmp_path: Path, library: Path, command: list[str], depth: int
) -> None:
    limit(tmp_path, 600)
    slow = slow_story(library / "slow.md", depth)  # ~10 s or ~2.5 s to parse
    target = slow if command == ["dump"] else library
    reader = subprocess.Popen(
        [sys.executable, "-m", "reader", *command, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a shell's job
    )
    time.sleep(1.2)  # started, and parsing the slow story
    assert reader.poll() is None
    os.killpg(reader.pid, signal.SIGINT)  # ctrl+c: SIGINT to the whole group
    start = time.monotonic()
    out, err = reader.communicate(timeout=10)
    assert reader.returncode == 130 and time.monotonic() - start < 1.0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    deadline = time.monotonic() + 3  # the resource tracker goes when its pipe closes
    while group_members(reader.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(reader.pid) == []
