"""Settings in ``config.yaml``: the library folder and reading preferences."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reader import paths
from reader.atomic_write import write_atomic

DEFAULT_TEXT_WIDTH = 70
#: The library's sort orders, in the order ``s`` cycles through them.
SORTS = ("recent", "title", "author", "length", "progress", "status")


@dataclass
class Config:
    library: str | None = None
    state: str | None = None  # the reading-state folder (also --state, READER_STATE)
    text_width: int = DEFAULT_TEXT_WIDTH
    show_notes: bool = True
    max_story_mb: int = 400
    theme: str | None = None
    paragraphs: str = "blank"  # "blank": a blank line between paragraphs; "indent": a first-line indent
    align: str = "left"  # or "justify"
    sort: str = "recent"  # the library's order, as s or a header click last left it
    sort_reversed: bool = False
    keys: dict[str, str] = field(default_factory=dict)  # binding id → keys; see reader/ui/keymap.py
    problem: str | None = None
    notes: list[str] = field(default_factory=list)  # parts of the file that were ignored, and why

    @classmethod
    def load(cls, path: Path | None = None) -> Config:
        path = path or paths.config_file()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            return cls(problem=f"{path}: ignored, it does not parse ({type(error).__name__})")
        if not isinstance(data, dict):
            return cls(problem=f"{path}: ignored, it is not a mapping")
        config = cls()
        if isinstance(data.get("library"), str):
            config.library = data["library"]
        if isinstance(data.get("state"), str):
            config.state = data["state"]
        if data.get("paragraphs") in ("blank", "indent"):
            config.paragraphs = data["paragraphs"]
        if data.get("align") in ("left", "justify"):
            config.align = data["align"]
        if isinstance(data.get("theme"), str):
            config.theme = data["theme"]
        if data.get("sort") in SORTS:
            config.sort = data["sort"]
        if isinstance(data.get("sort_reversed"), bool):
            config.sort_reversed = data["sort_reversed"]
        limit = data.get("max_story_mb")
        if isinstance(limit, int) and limit > 0:
            config.max_story_mb = limit
        if isinstance(data.get("show_notes"), bool):
            config.show_notes = data["show_notes"]
        config.keys, config.notes = _keys(data.get("keys"))
        width = data.get("text_width")
        if isinstance(width, int) and 20 <= width <= 400:
            config.text_width = width
        return config

    def save(self, path: Path | None = None) -> None:
        path = path or paths.config_file()
        if self.problem:
            return  # never overwrite a file the user will want to fix by hand
        try:
            data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            data = {}
        kept = {"problem", "notes", "keys"}  # keys are the user's, written as they wrote them
        data.update({k: v for k, v in asdict(self).items() if k not in kept and v is not None})
        write_atomic(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


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
