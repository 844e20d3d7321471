"""Print the README's table of remappable actions: binding id, default keys, what it does.

The bindings are read from reader/ui/bindings.py (no screen is imported). Run after
adding or changing a binding, and paste the output under "Changing keys";
tests/test_keymap.py checks that every binding id is listed there.
"""

from __future__ import annotations

from reader.ui.bindings import remappable_bindings
from reader.ui.keymap import key_label


def main() -> None:
    print("| action id | default keys | what it does |")
    print("| --- | --- | --- |")
    for group, bindings in remappable_bindings():
        where = group.title.split(" (")[0].lower()
        for binding in bindings:
            keys = " ".join(f"`{key}`" for key in key_label(binding, {}).split())
            print(f"| `{binding.id}` | {keys} | {binding.description} ({where}) |")


if __name__ == "__main__":
    main()
