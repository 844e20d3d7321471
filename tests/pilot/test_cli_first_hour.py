"""The command line as a new user tries it (issue "The first hour"): options on either side of
the subcommand, a --help that describes every option, errors that name every format, the
reading status in ``list``, chapters counted from 1, and hit counts said as people say them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE
from tests_support import run_reader as run
from tests_support import write_v1_state

from reader.cli import main
from reader.formats.files import FORMATS


def _state_with_a_finished_story(folder: Path) -> Path:
    write_v1_state(
        folder,
        {
            "version": 1,
            "stories": {
                "what-the-static-keeps.txt": {
                    "progress": 1.0,
                    "status": "finished",
                    "last_read": "2026-01-01T10:00:00+00:00",
                    "position": {"chapter": 5, "offset": 10, "snippet": "x"},
                }
            },
        },
    )
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["--state", "{state}", "list", "--json"],
        ["list", "--state", "{state}", "--json"],
        ["--json", "list", "{library}", "--state", "{state}"],
        ["list", "{library}", "--json", "--state", "{state}"],
    ],
)
def test_options_come_before_or_after_the_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    state = _state_with_a_finished_story(tmp_path / "state")
    argv = [a.format(state=state, library=SAMPLE) for a in args]
    assert main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    static = next(r for r in rows if r["title"] == "What the Static Keeps")
    assert static["status"] == "finished"


def test_list_takes_the_library_as_a_word(tmp_path: Path) -> None:
    result = run("list", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert "What the Static Keeps" in result.stdout


def described(help_text: str) -> dict[str, str]:
    """Each argument an argparse ``--help`` lists, with what it says of it ("" for nothing)."""
    found: dict[str, str] = {}
    name = None
    for line in help_text.splitlines():
        if line.endswith(":") and not line.startswith(" "):  # "options:", "positional arguments:"
            name = None
            continue
        if line.startswith("  ") and not line.startswith("    ") and line.strip():
            name, _, said = line.strip().partition("  ")
            found[name] = said.strip()
        elif name is not None and line.startswith("    ") and line.strip():
            found[name] = (found[name] + " " + line.strip()).strip()
    return found


@pytest.mark.parametrize("command", ["list", "search", "dump", "serve"])
def test_every_option_of_every_subcommand_is_described(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    options = described(result.stdout)
    wanted = {
        "list": ["--library", "--state", "--json", "DIR"],
        "search": ["--limit", "--json", "--regex"],
        "serve": ["--host", "--port", "--public-url", "path"],
    }
    for option in wanted.get(command, ["--json", "PATH"]):
        assert any(name.startswith(option) for name in options), (command, option)
    assert options and all(options.values()), options


def test_an_unknown_file_type_names_every_format_read(tmp_path: Path) -> None:
    document = tmp_path / "notes.doc"
    document.write_text("hello", encoding="utf-8")
    result = run(str(document))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for ending in FORMATS:
        assert ending in result.stderr
    assert ".epub" in result.stderr and ".html" in result.stderr


def test_list_shows_the_reading_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = _state_with_a_finished_story(tmp_path / "state")
    assert main(["list", str(SAMPLE), "--state", str(state)]) == 0
    lines = capsys.readouterr().out.splitlines()
    static = next(line for line in lines if line.startswith("What the Static Keeps"))
    assert static.split()[-2:] == ["100%", "finished"]
    others = [line for line in lines if not line.startswith("What the Static Keeps")]
    assert all(line.split()[-2:] == ["new", "—"] for line in others)
    assert main(["list", str(SAMPLE), "--state", str(state), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in rows} == {"finished", None}


def test_search_json_counts_chapters_from_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Dead Air", "--library", str(SAMPLE), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    first = next(h for h in hits if h["chapter_title"] == "Chapter 1: Dead Air")
    assert first["chapter"] == 1


def test_hits_are_counted_as_people_say_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "barograph", "--library", str(SAMPLE), "--limit", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "first 1 hit in 1 story"
    assert main(["search", "barograph", "--library", str(SAMPLE), "--limit", "40"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith("hits in 1 story") and not last.startswith("first")
    count = int(last.split()[0])
    assert main(["search", "barograph", "--library", str(SAMPLE), "--limit", str(count)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"{count} hits in 1 story"
    assert main(["search", "barograph", "--library", str(SAMPLE), "--limit", str(count - 1)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"first {count - 1} hits in 1 story"


def test_dump_numbers_a_chapter_once(tmp_path: Path) -> None:
    story = tmp_path / "numbered.md"
    story.write_text(
        "# Numbered\n\n## 1. The Callout\n\nFirst words here.\n\n## Chapter 2: Dead Air\n\nMore words.\n\n"
        "## Home\n\nThe last words.\n",
        encoding="utf-8",
    )
    out = run("dump", str(story)).stdout
    headings = [line for line in out.splitlines() if line.startswith("== ")]
    shown = [h.split(" (")[0] for h in headings]
    assert shown == ["== 1. The Callout", "== Chapter 2: Dead Air", "== 3. Home"]
