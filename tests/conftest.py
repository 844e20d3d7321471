"""Every test runs with its own config, state and cache folders under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_library"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point XDG folders, READER_STATE and READER_CONFIG at tmp_path: never the user's files."""
    home = tmp_path / "home"
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setenv("READER_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config.yaml"))
    return home


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state"
