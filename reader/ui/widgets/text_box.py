"""The one-line text box of the library filter, the find bar and library search."""

from __future__ import annotations

from textual.widgets import Input


class TextBox(Input):
    """An Input. Keys typed ahead of its focus (``/ferry`` in one burst) reach it through
    :mod:`reader.ui.typeahead`, in order."""
