"""YAML that cannot freeze or fool the reader: the safe schema, checked node by node before it is built.

The state files are plain data the reader writes itself, but they are synced and hand-edited,
so :func:`load_yaml` reads them as hostile. It composes the document's node graph (cheap: an
alias is one more reference to a node, not a copy), walks it once, and refuses
(:class:`RefusedYAML`) before anything is constructed:

- anchors and aliases: the reader never writes them, and a few hundred bytes of nested aliases
  (a "billion laughs") would construct into gigabytes;
- a mapping with the same key twice (YAML would silently keep the last one), unless asked to
  collect them; merge keys (``<<``), which hide keys; keys that are not scalars;
- nesting deeper than :data:`MAX_DEPTH`, or more than :data:`MAX_NODES` nodes.

Tags outside the safe schema are refused by the safe constructor. :func:`dump_yaml` writes
what :func:`load_yaml` reads back: no anchors or aliases, even for an object met twice.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["MAX_DEPTH", "MAX_NODES", "Duplicate", "RefusedYAML", "dump_yaml", "load_yaml"]

#: The deepest nesting read (a story's record needs about five levels).
MAX_DEPTH = 64
#: The most nodes (scalars, sequences, mappings) one document may hold.
MAX_NODES = 2_000_000

_MERGE_TAG = "tag:yaml.org,2002:merge"

#: A duplicate key left out of its mapping: (keys leading to the mapping, the key, its value).
#: Items of a sequence count as keys too, by their index (``("bookmarks", "0")``).
Duplicate = tuple[tuple[str, ...], str, Any]


class RefusedYAML(yaml.YAMLError):
    """Well-formed YAML the reader will not read; the message names the line where known.

    ``problem`` and ``problem_mark`` are set as on PyYAML's own errors, so code that reports
    ``error.problem_mark.line`` reports these too.
    """

    def __init__(self, problem: str, mark: Mark | None = None) -> None:
        self.problem = problem
        self.problem_mark = mark
        where = f" at line {mark.line + 1}" if mark is not None else ""
        super().__init__(f"{problem}{where}")


def load_yaml(text: str, *, collect_duplicates: bool = False) -> tuple[Any, list[Duplicate]]:
    """Parse ``text`` with the safe schema, after the checks in the module docstring.

    Returns ``(data, duplicates)``; an empty document gives ``(None, [])``. With
    ``collect_duplicates``, a repeated key does not refuse the document: its later value is
    left out of the mapping and returned in ``duplicates``. Raises ``yaml.YAMLError``
    (:class:`RefusedYAML` for what the checks refuse, or a value that cannot be built,
    such as the date ``2026-02-30``).
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, []
        dropped = _check(loader, root, collect_duplicates)
        duplicates = [(path, key, loader.construct_object(node, deep=True)) for path, key, node in dropped]
        return loader.construct_document(root), duplicates
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        # Python's own errors from a value it cannot build: an int of 5,000 digits, the
        # date 2026-02-30 (or, without libyaml, nesting too deep for the composer).
        raise RefusedYAML(f"a value that cannot be read ({error})") from error
    finally:
        loader.dispose()


def _check(loader: Any, root: Node, collect: bool) -> list[tuple[tuple[str, ...], str, Node]]:
    """Walk the node graph from ``root``, refusing what the module docstring lists.

    Returns the duplicate keys removed from their mappings (only when ``collect``), with
    their value nodes, still to be constructed.
    """
    seen: set[int] = set()
    dropped: list[tuple[tuple[str, ...], str, Node]] = []
    stack: list[tuple[Node, int, tuple[str, ...]]] = [(root, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        _visit(node, seen)
        if depth > MAX_DEPTH:
            raise RefusedYAML(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
        children: list[tuple[Node, tuple[str, ...]]] = []
        if isinstance(node, MappingNode):
            for key, key_node, value_node, duplicate in _mapping_keys(loader, node, seen):
                if duplicate and not collect:
                    raise RefusedYAML(f"the key {key!r} appears twice in one mapping", key_node.start_mark)
                if duplicate:
                    dropped.append((path, key, value_node))
                children.append((value_node, (*path, key)))
        elif isinstance(node, SequenceNode):
            children = [(child, (*path, str(index))) for index, child in enumerate(node.value)]
        stack.extend((child, depth + 1, child_path) for child, child_path in reversed(children))
    return dropped


def _visit(node: Node, seen: set[int]) -> None:
    """Count ``node`` as reached, refusing a node reached twice (an alias) or anchored."""
    if id(node) in seen or getattr(node, "anchor", None):
        raise RefusedYAML("an anchor or alias (&name or *name)", node.start_mark)
    seen.add(id(node))
    if len(seen) > MAX_NODES:
        raise RefusedYAML(f"more than {MAX_NODES:,} values", node.start_mark)


def _mapping_keys(loader: Any, node: MappingNode, seen: set[int]) -> list[tuple[str, Node, Node, bool]]:
    """(key as text, key node, value node, whether a duplicate) for each pair of ``node``.

    Refuses merge keys and non-scalar keys. Duplicates are compared by their constructed
    values (``1``, ``1.0`` and ``true`` are one key to Python) and removed from ``node``.
    """
    pairs: list[tuple[str, Node, Node, bool]] = []
    kept: list[tuple[Node, Node]] = []
    keys: set[Any] = set()
    for key_node, value_node in node.value:
        _visit(key_node, seen)
        if not isinstance(key_node, ScalarNode):
            raise RefusedYAML("a key that is not a plain value", key_node.start_mark)
        if key_node.tag == _MERGE_TAG:
            raise RefusedYAML("a merge key (<<)", key_node.start_mark)
        try:
            key = loader.construct_object(key_node)
            duplicate = key in keys
            keys.add(key)
        except (ValueError, TypeError, OverflowError) as error:
            raise RefusedYAML(f"a key that cannot be read ({error})", key_node.start_mark) from error
        if not duplicate:
            kept.append((key_node, value_node))
        pairs.append((str(key), key_node, value_node, duplicate))
    if len(kept) < len(node.value):
        node.value = kept
    return pairs


class _NoAliasDumper(_BaseDumper):
    """The safe dumper, writing an object met twice in full both times (no ``&``/``*``)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """``data`` as YAML that :func:`load_yaml` reads back: safe tags only, no anchors or aliases.

    ``data`` must not contain itself (with no aliases, that would never end).
    """
    return yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
