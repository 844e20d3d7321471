"""One story file read by the module its ending names (``FORMATS``)."""

from __future__ import annotations

import importlib
from pathlib import Path

from reader.formats import files
from reader.formats.errors import StoryError
from reader.model import Story


def load_file(path: Path) -> Story:
    kind = files.FORMATS.get(path.suffix.lower())
    if kind is None:
        raise StoryError(f"{path.name}: not a story format the reader knows ({path.suffix or 'no ending'})")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise StoryError(f"{path.name}: cannot be read ({error.strerror or error})") from None
    limit = files.MAX_FILE_BYTES
    if size > limit:
        raise StoryError(f"{path.name}: too large ({size // 2**20} MB; the limit is {limit // 2**20} MB)")
    data = files.read_regular(path, limit)
    if not data.strip():
        raise StoryError(f"{path.name}: the file is empty")
    module = importlib.import_module(f"reader.formats.{kind}")
    try:
        story: Story = module.parse(data, fallback_title=files.title_from_name(path))
    except StoryError as error:
        raise StoryError(f"{path.name}: {error}") from None
    return story
