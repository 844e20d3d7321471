"""The words a regular expression cannot match without: what narrows regex mode by the index.

A run of three or more letters or digits that every match must contain lies inside one word
of the text, so only passages holding a word that contains it (folded as the index folds)
can match. ``required`` finds such runs in the pattern: in its top-level sequence, in groups
and repeats that must occur at least once, and in alternatives when each alternative has
one (then any of them will do). What cannot be proven required (a class, an optional part,
a backreference) is never relied on: narrowing may only ever drop passages that cannot match.
"""

from __future__ import annotations

import re
from typing import Any

from reader.search.query import fold

try:  # Python 3.11+
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse  # type: ignore[no-redef]

#: Literal runs shorter than this do not narrow ("th" is in too many words).
MIN_LETTERS = 3
_WORD = re.compile(r"[^\W_]+")

#: An AND of ORs: each inner tuple holds folded runs, at least one of which every match has.
Needs = list[tuple[str, ...]]


def required(pattern: re.Pattern[str]) -> Needs:
    """The runs every match of ``pattern`` must contain; ``[]`` when none could be found
    (then every passage must be scanned)."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - the compiled pattern parsed once; be safe regardless
        return []
    return [need for need in _sequence(list(parsed)) if need]


def _sequence(items: list[Any]) -> Needs:
    needs: Needs = []
    run: list[str] = []

    def flush() -> None:
        needs.extend((piece,) for piece in _pieces("".join(run)))
        run.clear()

    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(value))
            continue
        flush()
        if name == "SUBPATTERN":
            needs.extend(_sequence(list(value[-1])))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and value[0] >= 1:
            needs.extend(_sequence(list(value[2])))
        elif name == "ATOMIC_GROUP":
            needs.extend(_sequence(list(value)))
        elif name == "BRANCH":
            needs.extend(_branch(value[1]))
    flush()
    return needs


def _branch(alternatives: list[Any]) -> Needs:
    """One OR of a run from each alternative, when every alternative has one."""
    choice: list[str] = []
    for alternative in alternatives:
        needs = _sequence(list(alternative))
        if not needs:
            return []
        choice.extend(max(needs, key=lambda need: min(map(len, need))))
    return [tuple(dict.fromkeys(choice))]


def _pieces(text: str) -> list[str]:
    """The folded runs of letters and digits of ``text`` long enough to narrow by."""
    return [fold(piece) for piece in _WORD.findall(text) if len(piece) >= MIN_LETTERS]
