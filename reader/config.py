"""Settings: ``config.yaml``, written by the user and only ever read, and ``settings.yaml``
beside it, written by the reader for what is changed from the keyboard (theme, text width,
notes shown, alignment, paragraphs). A value in ``settings.yaml`` wins; a value of the wrong
type anywhere gives a notice (``notes``) and the default, never a traceback.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader import paths
from reader.atomic_write import write_atomic

DEFAULT_TEXT_WIDTH = 70
#: The library's sort orders, in the order ``s`` cycles through them.
SORTS = ("recent", "title", "author", "length", "progress", "status")
DEFAULT_PARSE_SECONDS = 20
#: Settings the keyboard changes: kept in ``settings.yaml``, never written to config.yaml.
#: (Add a setting here, with a check in ``_CHECKS``, to have it remembered.)
KEYBOARD_SETTINGS = ("theme", "text_width", "show_notes", "paragraphs", "align", "sort", "sort_reversed")
SETTINGS_NAME = "settings.yaml"
#: Neither file is a book: a larger one is refused.
_MAX_BYTES = 2**20


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _int_between(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


#: Each plain setting: (what it must be, said in a notice; the check).
_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "library": ("a folder", _is_str),
    "state": ("a folder", _is_str),
    "theme": ("a theme's name", _is_str),
    "text_width": ("a number from 20 to 400", _int_between(20, 400)),
    "show_notes": ("true or false", _is_bool),
    "max_story_mb": ("a number of megabytes, at least 1", _int_between(1, 2**20)),
    "parse_seconds": ("a number of seconds, at least 1", _int_between(1, 24 * 3600)),
    "follow_outside_links": ("true or false", _is_bool),
    "paragraphs": ("blank or indent", lambda value: value in ("blank", "indent")),
    "align": ("left or justify", lambda value: value in ("left", "justify")),
    "sort": ("one of " + ", ".join(SORTS), lambda value: value in SORTS),
    "sort_reversed": ("true or false", _is_bool),
}


@dataclass
class Config:
    library: str | None = None
    state: str | None = None  # the reading-state folder (also --state, READER_STATE)
    text_width: int = DEFAULT_TEXT_WIDTH
    show_notes: bool = True
    max_story_mb: int = 400
    parse_seconds: int = DEFAULT_PARSE_SECONDS  # a story that takes longer is abandoned
    follow_outside_links: bool = False  # links out of the library folder
    theme: str | None = None
    paragraphs: str = "blank"  # "blank": a blank line between paragraphs; "indent": a first-line indent
    align: str = "left"  # or "justify"
    sort: str = "recent"  # the library's order, as s or a header click last left it
    sort_reversed: bool = False
    keys: dict[str, str] = field(default_factory=dict)  # binding id → keys; see reader/ui/keymap.py
    problem: str | None = None
    notes: list[str] = field(default_factory=list)  # parts of the files that were ignored, and why

    @classmethod
    def load(cls, path: Path | None = None) -> Config:
        """config.yaml at ``path`` (default: ``paths.config_file()``), then settings.yaml beside it."""
        path = path or paths.config_file()
        config = cls()
        data, config.problem = _read_mapping(path)
        config.keys, config.notes = _keys(data.get("keys"))
        config._take(data, path.name, set(_CHECKS))
        settings, problem = _read_mapping(settings_file(path))
        if problem:
            config.notes.append(problem)
        config._take(settings, SETTINGS_NAME, set(KEYBOARD_SETTINGS))
        return config

    def _take(self, data: dict[str, Any], source: str, allowed: set[str]) -> None:
        for key, value in data.items():
            if key not in allowed or value is None:
                continue
            wanted, check = _CHECKS[key]
            if check(value):
                setattr(self, key, value)
            else:
                self.notes.append(f"{source}: {key}: ignored, it should be {wanted}")

    def save(self, path: Path | None = None) -> None:
        """Write the keyboard's settings to settings.yaml beside config.yaml (``path``); the
        user's config.yaml is never written."""
        target = settings_file(path or paths.config_file())
        data = {key: getattr(self, key) for key in KEYBOARD_SETTINGS if getattr(self, key) is not None}
        import yaml

        head = "# Written by the reader: settings changed from the keyboard. They win over config.yaml.\n"
        write_atomic(target, head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def settings_file(config_path: Path) -> Path:
    """The machine-written settings file beside ``config_path``."""
    return config_path.with_name(SETTINGS_NAME)


def _read_mapping(path: Path) -> tuple[dict[str, Any], str | None]:
    """The YAML mapping in ``path`` ({} when there is none), and what was wrong with it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return {}, None
    except OSError as error:
        return {}, f"{path}: ignored, it cannot be read ({error.strerror or error})"
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_BYTES:
        return {}, f"{path}: ignored, it is not a settings file (not a regular file, or too large)"
    import yaml  # here, not at start-up: most starts have no file to read (12 ms saved)

    try:
        with open(path, "rb") as file:
            data = yaml.safe_load(file.read(_MAX_BYTES + 1).decode("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as error:
        return {}, f"{path}: ignored, it does not parse ({type(error).__name__})"
    if not isinstance(data, dict):
        return {}, f"{path}: ignored, it is not a mapping"
    return {str(key): value for key, value in data.items()}, None


def _keys(value: Any) -> tuple[dict[str, str], list[str]]:
    """The ``keys:`` mapping as binding id → comma-separated keys (lists are joined)."""
    if value is None:
        return {}, []
    if not isinstance(value, dict):
        return {}, ["keys: ignored, it should map an action to its keys (reading.next_page: space)"]
    keys: dict[str, str] = {}
    notes = []
    for action, given in value.items():
        if isinstance(given, list) and all(isinstance(k, (str, int)) for k in given) and given:
            keys[str(action)] = ",".join(str(k) for k in given)
        elif isinstance(given, (str, int)) and str(given).strip():
            keys[str(action)] = str(given)
        else:
            notes.append(f"keys: {action}: give a key, or a list of keys")
    return keys, notes
