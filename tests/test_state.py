from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from reader import state as state_module
from reader.model import Position
from reader.state import State


def test_round_trip(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position(
        "works/1", Position(2, 340, "She turned"), progress=0.25, title="T", path="/x/t.txt", seconds=30
    )
    state.add_bookmark("works/1", "Chapter 3, p. 2", Position(2, 500, "The door"))
    state.save()
    data = yaml.safe_load(state_path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    entry = data["stories"]["works/1"]
    assert entry["position"] == {"chapter": 2, "offset": 340, "snippet": "She turned"}
    assert entry["bookmarks"][0]["name"] == "Chapter 3, p. 2"
    again = State.load(state_path)
    assert again.position("works/1") == Position(2, 340, "She turned")
    assert again.bookmarks("works/1")[0].position == Position(2, 500, "The door")
    assert again.progress("works/1") == 0.25
    assert again.most_recent() == "works/1"
    assert again.stories["works/1"]["reading_time"] == 30


def test_previous_good_file_is_kept_as_bak(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 1), progress=0, title="A", path="a")
    state.save()
    first = state_path.read_text(encoding="utf-8")
    state.save_position("a", Position(0, 99), progress=0, title="A", path="a")
    state.save()
    assert state_path.with_name("state.yaml.bak").read_text(encoding="utf-8") == first


@pytest.mark.parametrize(
    "garbage", ["version: 1\nstories: [unclosed\n", "- just\n- a list\n", "\x00\x01binary", "stories: 5\n"]
)
def test_a_corrupt_file_is_moved_aside_and_a_fresh_state_starts(state_path: Path, garbage: str) -> None:
    state_path.write_text(garbage, encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and "moved to" in state.warning
    assert state.stories == {}
    aside = list(state_path.parent.glob("state.yaml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == garbage
    state.save_position("a", Position(), progress=0, title="A", path="a")
    state.save()
    assert aside[0].read_text(encoding="utf-8") == garbage  # never overwritten
    assert "a" in State.load(state_path).stories


def test_a_crash_during_a_write_leaves_the_old_file_intact(
    state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = State.load(state_path)
    state.save_position("a", Position(0, 1, "x"), progress=0, title="A", path="a")
    state.save()
    before = state_path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state_module.os, "fsync", crash)
    state.save_position("a", Position(0, 2, "y"), progress=0, title="A", path="a")
    with pytest.raises(OSError):
        state.save()
    assert state_path.read_bytes() == before
    assert [p.name for p in state_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_newer_version_is_left_untouched(state_path: Path) -> None:
    state_path.write_text("version: 2\nstories: {}\nfuture: true\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.read_only and "newer" in (state.warning or "")
    state.save_position("a", Position(), progress=0, title="A", path="a")
    state.save()
    assert state_path.read_text(encoding="utf-8") == "version: 2\nstories: {}\nfuture: true\n"


def test_unsafe_yaml_is_refused(state_path: Path) -> None:
    state_path.write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
    state = State.load(state_path)
    assert state.warning and state.stories == {}


def test_entries_for_missing_stories_survive_a_save(state_path: Path) -> None:
    state_path.write_text(
        "version: 1\nstories:\n  gone.txt:\n    title: Gone\n"
        "    position: {chapter: 1, offset: 5, snippet: x}\n",
        encoding="utf-8",
    )
    state = State.load(state_path)
    state.save_position("new.txt", Position(), progress=0, title="N", path="n")
    state.save()
    assert State.load(state_path).position("gone.txt") == Position(1, 5, "x")


def test_state_file_is_human_readable(state_path: Path) -> None:
    state = State.load(state_path)
    state.save_position("Письмо.txt", Position(0, 3, "«Тася»"), progress=0.5, title="Письмо", path="p")
    state.save()
    text = state_path.read_text(encoding="utf-8")
    assert "«Тася»" in text and "\\u" not in text
    assert os.stat(state_path).st_size < 1000
