"""Keys remapped in ``config.yaml``: check them, and show the keys in effect.

``config.yaml`` may hold a ``keys:`` mapping from a binding id (``reading.next_page``,
``library.sort``… the README lists them all) to the keys that should do it, as a
comma-separated string or a list: ``reading.next_page: [space, n]``. A remapped action
loses its default keys. Textual applies the mapping (``App.set_keymap``); this module
checks it first, so a typo is reported once at start instead of failing silently.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache

from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from reader.ui.bindings import remappable_bindings

_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_NAMES = {key.value for key in Keys} | {_character_to_key(c) for c in string.printable if not c.isspace()}
_NAMES |= {"space", "tab", "enter", "escape", "backspace", "delete"}
_SHOWN = {
    "question_mark": "?",
    "space": "Space",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "escape": "Esc",
    "slash": "/",
    "colon": ":",
    "number_sign": "#",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def screens() -> list[tuple[str, list[Binding]]]:
    """Every screen or bar whose keys can be remapped, with its bindings, as help shows them
    (from :mod:`reader.ui.bindings`: no screen is imported to learn its keys)."""
    return [(group.title, bindings) for group, bindings in remappable_bindings()]


def binding_ids() -> dict[str, Binding]:
    """Every binding that has an id, by id."""
    return {
        binding.id: binding
        for _, bindings in screens()
        for binding in bindings
        if isinstance(binding, Binding) and binding.id
    }


def key_is_valid(key: str) -> bool:
    """A key Textual can report: one character, or a key name, after any modifiers."""
    *modifiers, base = key.split("+") if key != "+" else ["+"]
    if any(modifier not in _MODIFIERS for modifier in modifiers):
        return False
    return len(base) == 1 or base in _NAMES


def normalise_keys(value: str) -> str:
    """``"?, n"`` → ``"question_mark,n"``: Textual's spelling of a key list."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    return ",".join(_character_to_key(key) if len(key) == 1 else key for key in keys)


def check_keymap(raw: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The usable part of a ``keys:`` mapping, and a line for each entry that is not.

    Refused: unknown binding ids, unknown key names, and a key given to two actions of the
    same screen (Textual would silently drop one of them).
    """
    known = binding_ids()
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in raw.items():
        if binding_id not in known:
            problems.append(f"keys: no action is called {binding_id!r}")
            continue
        keys = normalise_keys(value)
        bad = [key for key in keys.split(",") if not key_is_valid(key)]
        if bad or not keys:
            problems.append(f"keys: {binding_id}: {', '.join(bad) or 'no key'} is not a key name")
            continue
        keymap[binding_id] = keys
    for _title, bindings in screens():
        taken: dict[str, str] = {}
        for binding in bindings:
            if not isinstance(binding, Binding):
                continue
            for key in effective_keys(binding, keymap):
                other = taken.setdefault(key, binding.id or binding.action)
                if other != (binding.id or binding.action):
                    clash = next((i for i in (binding.id, other) if i in keymap), None)
                    if clash is not None:
                        problems.append(f"keys: {shown(key)} is given to both {other} and {binding.id}")
                        keymap.pop(clash, None)
    return keymap, problems


def effective_keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    keys = keymap.get(binding.id or "") or binding.key
    return [key.strip() for key in keys.split(",") if key.strip()]


def shown(key: str) -> str:
    return _SHOWN.get(key, key.replace("ctrl+", "^").title() if len(key) > 1 else key)


def key_label(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys of ``binding`` as help shows them, after any remapping."""
    if binding.id not in keymap and binding.key_display:
        return binding.key_display
    return " ".join(shown(key) for key in effective_keys(binding, keymap))


def key_of(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The key of an action as hints show it ("s", "?", "Esc"), after any remapping: the
    first of its keys, so that a hint never names a key that no longer does it."""
    binding = _by_id()[binding_id]
    if binding_id not in keymap and binding.key_display:
        return binding.key_display.split()[0]
    return shown(effective_keys(binding, keymap)[0])


@cache
def _by_id() -> dict[str, Binding]:
    return binding_ids()
