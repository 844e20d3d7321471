"""Print the README's table of remappable actions: binding id, default keys, what it does.

Run after adding or changing a binding, and paste the output under "Changing keys";
tests/test_keymap.py checks that every binding id is listed there.
"""

from __future__ import annotations

from textual.binding import Binding

from reader.ui.keymap import key_label, screens


def main() -> None:
    print("| action id | default keys | what it does |")
    print("| --- | --- | --- |")
    for title, bindings in screens():
        for binding in bindings:
            if isinstance(binding, Binding) and binding.id:
                keys = " ".join(f"`{key}`" for key in key_label(binding, {}).split())
                print(f"| `{binding.id}` | {keys} | {binding.description} ({title.split(' (')[0].lower()}) |")


if __name__ == "__main__":
    main()
