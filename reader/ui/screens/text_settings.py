"""How the text looks while reading: author's notes, alignment, paragraphs, column width.

Each is a setting of ``config.yaml``, changed from the reading screen and saved at once.
"""

from __future__ import annotations

from reader.ui.screens.marking import MarkingScreen


class TextSettingsScreen(MarkingScreen):
    """The reading screen's text-settings part; the reading screen provides the layout."""

    def relayout(self) -> None:
        raise NotImplementedError

    def _restyled(self, said: str, *, layout: bool = True) -> None:
        """Show the page in the new style (laid out again if ``layout``), say so, save."""
        if layout:
            self.relayout()
        elif self.book is not None:
            self.show_page()
        self.app.notify(said, timeout=2)
        self.reader_app.save_config()

    def action_toggle_notes(self) -> None:
        config = self.reader_app.config
        config.show_notes = not config.show_notes
        self._restyled("Author's notes shown." if config.show_notes else "Author's notes hidden.")

    def action_toggle_justify(self) -> None:
        config = self.reader_app.config
        config.align = "left" if config.align == "justify" else "justify"
        self._restyled(f"Text {'justified' if config.align == 'justify' else 'left-aligned'}.", layout=False)

    def action_toggle_paragraphs(self) -> None:
        config = self.reader_app.config
        config.paragraphs = "blank" if config.paragraphs == "indent" else "indent"
        indent = config.paragraphs == "indent"
        self._restyled("Paragraphs: first-line indent." if indent else "Paragraphs: a blank line.")

    def action_wider(self) -> None:
        self._set_width(self.reader_app.config.text_width + 5)

    def action_narrower(self) -> None:
        self._set_width(self.reader_app.config.text_width - 5)

    def _set_width(self, width: int) -> None:
        config = self.reader_app.config
        config.text_width = max(20, min(width, 400))
        self._restyled(f"Text column: {config.text_width} cells")
