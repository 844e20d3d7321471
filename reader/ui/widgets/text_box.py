"""Keys that reach a screen after the focus moved to a text box, typed into that box.

A fast typist, or a paste over ssh, can send "/" and a word in one burst: Textual routes
every key of the burst to the widget that had the focus when it arrived, before the "/"
moved the focus to the text box. Those keys then bubble up to the screen, where they would
run the screen's one-letter commands. The screen hands them here instead.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

#: Editing keys and the Input action each runs.
_EDITING = {
    "backspace": "delete_left",
    "delete": "delete_right",
    "ctrl+u": "delete_left_all",
    "ctrl+w": "delete_left_word",
    "left": "cursor_left",
    "right": "cursor_right",
    "home": "home",
    "end": "end",
}


class TextBox(Input):
    """An Input that knows which key events went through it (and so need no second go)."""

    last_key: events.Key | None = None

    async def _on_key(self, event: events.Key) -> None:
        self.last_key = event
        await super()._on_key(event)


def type_into(box: TextBox, event: events.Key) -> bool:
    """Apply ``event`` to ``box`` as if it had been typed there; False if it is no text key
    or it was typed there already."""
    if event is box.last_key:
        return False
    if event.character and event.character.isprintable():
        box.insert_text_at_cursor(event.character)
    elif event.key in _EDITING:
        getattr(box, f"action_{_EDITING[event.key]}")()
    elif event.key == "enter":
        box.call_later(box.action_submit)
    else:
        return False
    event.stop()
    event.prevent_default()
    return True
