"""Where the reader's files live: platform folders, with overrides, worked out when asked."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "reader"


def state_dir(override: str | os.PathLike[str] | None = None, configured: str | None = None) -> Path:
    """The state folder: ``--state``, else ``READER_STATE``, else ``state:`` in config.yaml,
    else the platform's state folder. (A ``*.yaml`` path names a first-release state file:
    see :func:`reader.state.store.locate`.)"""
    for given in (override, os.environ.get("READER_STATE"), configured):
        if given:
            return Path(given).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME))


def config_file() -> Path:
    """Settings (library folder, text width …), apart from the reading state."""
    env = os.environ.get("READER_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.yaml"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def data_dir() -> Path:
    """What this machine keeps that no sync may carry: last good copies, emergency copies."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def sample_library() -> Path:
    """The bundled sample library: inside the installed package, or beside it in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "sample_library"
    if installed.is_dir():
        return installed
    return package.parent / "sample_library"
