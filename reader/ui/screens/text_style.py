"""How the text looks while reading: author's notes, alignment, paragraphs, column width.

Each is a setting of ``config.yaml``, changed from the reading screen (which shows the page
again and saves the settings at once); each change returns the sentence that says it.
"""

from __future__ import annotations

from reader.config import Config

#: The narrowest and widest text column (cells).
MIN_WIDTH, MAX_WIDTH = 20, 400


def toggle_notes(config: Config) -> str:
    config.show_notes = not config.show_notes
    return "Author's notes shown." if config.show_notes else "Author's notes hidden."


def toggle_justify(config: Config) -> str:
    config.align = "left" if config.align == "justify" else "justify"
    return f"Text {'justified' if config.align == 'justify' else 'left-aligned'}."


def toggle_paragraphs(config: Config) -> str:
    config.paragraphs = "blank" if config.paragraphs == "indent" else "indent"
    return "Paragraphs: first-line indent." if config.paragraphs == "indent" else "Paragraphs: a blank line."


def widen(config: Config, cells: int) -> str:
    """The text column ``cells`` wider (narrower when negative), within bounds."""
    config.text_width = max(MIN_WIDTH, min(config.text_width + cells, MAX_WIDTH))
    return f"Text column: {config.text_width} cells"
