"""Conflict copies and own files of Syncthing, Nextcloud/ownCloud and Dropbox in the state folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from reader.state.sync import conflict_original, is_own_temp_file, is_sync_tool_file

STORY = "the-ferrymans-daughter-3f9a2c1b7d"


@pytest.mark.parametrize(
    ("copy", "original"),
    [
        # Syncthing: NAME.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT (lib/model/folder_sendrecv.go)
        (f"{STORY}.sync-conflict-20261130-101112-ABCDEFG.yaml", f"{STORY}.yaml"),
        (f"{STORY}.sync-conflict-20260101-000000-Z7Q2MXW.yaml", f"{STORY}.yaml"),
        (f"{STORY}.SYNC-CONFLICT-20261130-101112-abcdefg.YAML", f"{STORY}.YAML"),
        (f"{STORY}.sync-conflict-20161130-101112.yaml", f"{STORY}.yaml"),  # before device ids
        ("notes.sync-conflict-20261130-101112-ABCDEFG", "notes"),
        ("archive.tar.sync-conflict-20261130-101112-ABCDEFG.gz", "archive.tar.gz"),
        ("state.yaml.sync-conflict-20261130-101112-ABCDEFG.bak", "state.yaml.bak"),
        # Nextcloud / ownCloud >= 2.5 (Utility::makeConflictFileName)
        (f"{STORY} (conflicted copy 2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflicted copy alice 2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflicted copy alice@example.org 2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflicted copy Alice Smith 2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflicted copy 2026-11-30 101112 alice).yaml", f"{STORY}.yaml"),
        (f"{STORY}  (Conflicted Copy  2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY}(conflicted copy 2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflicted copy 2026-11-30 101112) .yaml", f"{STORY}.yaml"),
        ("notes (conflicted copy 2026-11-30 101112)", "notes"),
        (f"{STORY} (conflict 2026-11-30 101112).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflict alice 2026-11-30).yaml", f"{STORY}.yaml"),
        # ownCloud before 2.5
        (f"{STORY}_conflict-20261130-101112.yaml", f"{STORY}.yaml"),
        (f"{STORY}_CONFLICT-20261130-101112.yaml", f"{STORY}.yaml"),
        # Dropbox
        (f"{STORY} (Someone's conflicted copy 2026-11-30).yaml", f"{STORY}.yaml"),
        (f"{STORY} (Alice's MacBook's conflicted copy 2026-11-30 (1)).yaml", f"{STORY}.yaml"),
        (f"{STORY} (Alice's conflicted copy 2026-11-30) (1).yaml", f"{STORY}.yaml"),
        (f"{STORY} (Alice's conflicted copy 2026-11-30 (12)).yaml", f"{STORY}.yaml"),
        (f"{STORY} (DESKTOP-4F2K9's conflicted copy 2026-11-30).yaml", f"{STORY}.yaml"),
        (f"{STORY} (Alice (work)'s conflicted copy 2026-11-30).yaml", f"{STORY}.yaml"),
        (f"{STORY} (alice's Conflicted Copy 2026-11-30 10.11.12).yaml", f"{STORY}.yaml"),
        (f"{STORY} (conflicted copy).yaml", f"{STORY}.yaml"),
        (f"{STORY} (Alice's conflicted copy 2026-11-30)", STORY),
        # a story whose own name has parentheses or dots, and a copy of a copy
        ("notes (draft) (conflicted copy 2026-11-30 101112).yaml", "notes (draft).yaml"),
        ("v1.2 notes (Bob's conflicted copy 2026-11-30).txt", "v1.2 notes.txt"),
        (
            f"{STORY} (conflicted copy 2026-11-30 101112) (conflicted copy 2026-12-01 090000).yaml",
            f"{STORY}.yaml",
        ),
        (
            f"{STORY} (conflicted copy 2026-11-30 101112).sync-conflict-20261201-090000-ABCDEFG.yaml",
            f"{STORY}.yaml",
        ),
    ],
)
def test_conflict_copies_name_their_original(copy: str, original: str) -> None:
    assert conflict_original(copy) == original


@pytest.mark.parametrize(
    "name",
    [
        f"{STORY}.yaml",
        "the-conflict-of-kings-1a2b3c4d5e.yaml",
        "sync-conflict-notes.yaml",
        "notes.sync-conflict.yaml",
        "notes.sync-conflict-draft.yaml",
        "a (copy).yaml",
        "a (1).yaml",
        "a (conflict).yaml",
        "a (conflict of kings).yaml",
        "conflicted copy.yaml",
        "conflicted-copy-of-a-story-1a2b3c4d5e.yaml",
        "notes_conflict.yaml",
        "notes_conflict-draft.yaml",
        "(conflicted copy 2026-11-30 101112).yaml",
        ".sync-conflict-20261130-101112-ABCDEFG.yaml",
        "state.yaml",
        "",
    ],
)
def test_other_names_are_not_conflict_copies(name: str) -> None:
    assert conflict_original(name) is None


@pytest.mark.parametrize(
    "name",
    [
        ".stfolder",
        ".stignore",
        ".stversions",
        f".syncthing.{STORY}.yaml.tmp",
        f"~syncthing~{STORY}.yaml.tmp",
        ".dropbox",
        ".dropbox.attr",
        ".dropbox.cache",
        ".sync_1a2b3c4d5e6f.db",
        ".sync_1a2b3c4d5e6f.db-wal",
        ".sync_1a2b3c4d5e6f.db-shm",
        ".sync_journal.db",
        "._sync_1a2b3c4d5e6f.db",
        "._sync_1a2b3c4d5e6f.db-wal",
        ".owncloudsync.log",
        ".nextcloudsync.log",
        "desktop.ini",
        "Desktop.ini",
        ".DS_Store",
        "Thumbs.db",
        "Icon\r",
        f"{STORY}.yaml.~tmp",
        f".{STORY}.yaml.~1a2b3c4d",  # Nextcloud download in progress
        ".~lock.notes#",
        ".hidden",
        ".",
        "..",
    ],
)
def test_sync_tool_files(name: str) -> None:
    assert is_sync_tool_file(name)
    assert not is_own_temp_file(name)


@pytest.mark.parametrize(
    "name",
    [
        f"{STORY}.yaml",
        f"{STORY}.sync-conflict-20261130-101112-ABCDEFG.yaml",  # a copy of ours, merged back
        f"{STORY} (conflicted copy 2026-11-30 101112).yaml",
        "state.yaml",
        "Icon",
        "desktop.ini.yaml",
        "stfolder",
    ],
)
def test_our_files_are_not_sync_tool_files(name: str) -> None:
    assert not is_sync_tool_file(name)
    assert not is_own_temp_file(name)


def test_own_temp_files_are_recognised(tmp_path: Path) -> None:
    names = []
    for _ in range(20):  # the names mkstemp really makes, as in reader.atomic_write
        fd, path = tempfile.mkstemp(dir=tmp_path, prefix=f".{STORY}.yaml.", suffix=".tmp")
        os.close(fd)
        names.append(os.path.basename(path))
    for name in names:
        assert is_own_temp_file(name), name
        assert not is_sync_tool_file(name), name
        assert conflict_original(name) is None


@pytest.mark.parametrize(
    "name",
    [
        f"{STORY}.yaml.tmp",
        f".{STORY}.yaml.tmp",
        f".{STORY}.yaml.abc.tmp",
        f".{STORY}.yaml.ABCDEFGH.tmp",
        f"{STORY}.yaml.abcdefgh.tmp",
    ],
)
def test_near_misses_are_not_own_temp_files(name: str) -> None:
    assert not is_own_temp_file(name)
