"""The command-line contract of ARCHITECTURE.md, run as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE
from tests_support import run_reader as run

from reader import __version__
from reader.cli import main


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"reader {__version__}"


def test_list_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--library", str(SAMPLE), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 6
    for row in rows:
        assert set(row) == {
            "id",
            "title",
            "author",
            "path",
            "words",
            "chapters",
            "progress",
            "status",
            "last_read",
            "metadata",
        }
    static = next(r for r in rows if r["title"] == "What the Static Keeps")
    assert static["chapters"] == 6 and static["words"] > 10_000
    assert static["metadata"]["fandom"] == ["Signal & Salt (TV)"]


def test_list_without_a_library_uses_the_bundled_sample() -> None:
    """No config: the installed package finds its sample library (also after a plain pip install)."""
    result = run("list", "--json", cwd="/")
    assert result.returncode == 0, result.stderr
    titles = {row["title"] for row in json.loads(result.stdout)}
    assert "What the Static Keeps" in titles and len(titles) >= 6


def test_list_shows_progress_from_the_state_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "other-state.yaml"
    state.write_text(
        "version: 1\nstories:\n  what-the-static-keeps.txt:\n    progress: 0.5\n"
        "    last_read: '2026-01-01T10:00:00+00:00'\n    position: {chapter: 2, offset: 10, snippet: x}\n",
        encoding="utf-8",
    )
    assert main(["list", "--library", str(SAMPLE), "--state", str(state), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # A first-release record, named by its path, finds the story (now known by its content).
    assert rows[0]["path"].endswith("what-the-static-keeps.txt") and rows[0]["progress"] == 0.5
    assert rows[0]["id"].startswith("md5:")
    assert (tmp_path / "other-state.yaml.v1").exists() and (tmp_path / "other-state").is_dir()


def test_list_reports_bad_files_and_lists_the_rest(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "the-midwinter-menu.txt", tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run("list", "--library", str(tmp_path))
    assert result.returncode == 0
    assert "The Midwinter Menu" in result.stdout
    assert "empty.txt: the file is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_dump_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", str(SAMPLE / "what-the-static-keeps.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"id", "title", "author", "metadata", "chapters"}
    assert data["chapters"][0]["blocks"][0] == {
        "kind": "note",
        "text": data["chapters"][0]["blocks"][0]["text"],
    }
    assert data["chapters"][0]["blocks"][1]["kind"] == "heading"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/place"], "no such file or folder"),
        (["list", "--library", "/no/such/place"], "no such folder"),
        (["dump", "/no/such/file.txt"], "cannot be read"),
    ],
)
def test_errors_go_to_stderr_with_a_non_zero_exit(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_file_that_is_not_a_story(tmp_path: Path) -> None:
    picture = tmp_path / "cover.jpg"
    picture.write_bytes(b"\xff\xd8\xff")
    result = run(str(picture))
    assert result.returncode == 2 and "not a story format" in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.epub", b"PK\x03\x04 this is not really a zip", "not an EPUB"),
        ("empty.html", b"", "empty"),
        ("image.txt", bytes(range(256)) * 8, "binary"),
    ],
)
def test_dump_of_a_bad_file_is_one_clear_line(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = run("dump", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and name in lines[0]


def test_a_story_over_the_configured_size_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("max_story_mb: 1\n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 300_000)  # 1.4 MB
    result = run("dump", str(big))
    assert result.returncode == 2
    assert "too large (1 MB; the limit is 1 MB)" in result.stderr and "Traceback" not in result.stderr
    listed = run("list", "--library", str(tmp_path))
    assert "big.txt: too large" in listed.stderr


def test_list_keeps_a_metadata_cache_and_sees_changes(tmp_path: Path) -> None:
    """Enough stories that the first list parses them in worker processes; the second comes
    from the cache in the cache folder, and a changed file is read again."""
    from reader.library.cache import default_cache_path

    library = tmp_path / "lib"
    library.mkdir()
    for n in range(30):
        (library / f"story-{n:02d}.txt").write_text(
            f"Title: Story {n}\nAuthor: me\n\nSome words here.\n", encoding="utf-8"
        )
    first = run("list", "--library", str(library), "--json")
    assert first.returncode == 0, first.stderr
    assert sorted(row["title"] for row in json.loads(first.stdout)) == sorted(f"Story {n}" for n in range(30))
    assert default_cache_path(library).exists()
    (library / "story-07.txt").write_text(
        "Title: Renamed in place\nAuthor: me\n\nOther words.\n", encoding="utf-8"
    )
    (library / "story-08.txt").unlink()
    second = run("list", "--library", str(library), "--json")
    titles = {row["title"] for row in json.loads(second.stdout)}
    assert "Renamed in place" in titles and "Story 7" not in titles and "Story 8" not in titles
    assert len(titles) == 29
