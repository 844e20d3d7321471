"""Where the reader's files live: platform folders, with overrides, worked out when asked."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "reader"


def state_file(override: str | os.PathLike[str] | None = None) -> Path:
    """The state file: ``--state``, else ``READER_STATE``, else the platform state folder."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("READER_STATE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME)) / "state.yaml"


def config_file() -> Path:
    """Settings (library folder, text width …), apart from the reading state."""
    env = os.environ.get("READER_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.yaml"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def sample_library() -> Path:
    """The bundled sample library: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "sample_library"
    if installed.is_dir():
        return installed
    return package.parent / "sample_library"
