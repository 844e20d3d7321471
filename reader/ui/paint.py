"""A frame drawn at once, for a page turn (issue 16).

After a widget's ``refresh()``, Textual draws the frame four rounds of messages later: the
widget's idle tells the screen, the screen's idle wakes its update timer, the timer's event
comes back to the screen, and only then does the compositor draw (0.6 ms of a 3–4 ms turn,
measured). :func:`paint_now` does what that timer would do, at once, for widgets that only
changed what they show. It leans on Textual's private screen update (``_on_timer_update``,
``_dirty_widgets``, the widgets' ``_repaint_required``; Textual 8): when any of it is
missing, or a layout, a scroll or a style refresh is pending, it does nothing and Textual
draws the frame its own way, a little later.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widget import Widget

#: What must be pending for the screen (the first) and for each widget (the rest) to draw now.
_SCREEN = ("_layout_required", "_scroll_required", "_recompose_required", "_repaint_required")
_WIDGET = ("_layout_required", "_scroll_required", "_recompose_required", "_refresh_styles_required")


def paint_now(screen: Screen[Any], *widgets: Widget) -> bool:
    """Draw ``widgets`` (those of them that asked for a repaint) in a frame now, on
    ``screen``; True when drawn, False when left to Textual."""
    try:
        if not screen.is_current or screen.app._batch_count or any(getattr(screen, f) for f in _SCREEN):
            return False
        if any(getattr(widget, f) for widget in widgets for f in _WIDGET):
            return False
        dirty = [widget for widget in widgets if widget._repaint_required and widget.display]
        if not dirty:
            return False
        update, pending = screen._on_timer_update, screen._dirty_widgets
    except AttributeError:  # another Textual: its own way
        return False
    for widget in dirty:
        widget._repaint_required = False  # its idle no longer asks the screen for this frame
        pending.add(widget)
    update()
    return True
