"""The layer picture of ARCHITECTURE.md, enforced: imports point down, never up, never in a
circle; within a band only search → library; nothing outside ``reader/ui/`` imports Textual.

Every import counts, at the top of a module or inside a function (a lazy import is still a
dependency: it only hides it until run time). ``if TYPE_CHECKING:`` imports count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "reader"

#: The bands, top to bottom. Each band is a list of rooms (module prefixes); a module may
#: import any room of a lower band, its own room, and no other room of its own band, except
#: the pairs in ``ACROSS``.
BANDS: list[list[str]] = [
    # the entry points: the command line, and the reader one `reader serve` tab runs
    ["reader.cli|reader.commands|reader.__main__|reader.serve.tab"],
    # the two front ends: the TUI, and `reader serve` (which runs the TUI as a command, one
    # process a browser tab, and never imports it)
    ["reader.ui", "reader.serve"],
    ["reader.session", "reader.reading_footer", "reader.opening|reader.opener"],
    ["reader.search", "reader.library"],
    ["reader.formats", "reader.state", "reader.layout", "reader.config"],
    # which files are stories, sidecars, path and content ids: what formats, the library
    # walk and the state's migration share
    ["reader.formats.files|reader.formats.fingerprint"],
    ["reader.model", "reader.paths", "reader.atomic_write", "reader.formats.errors", "reader"],
    # the one cleaning function for text from strangers: formats, library, CLI and UI use it
    ["reader.clean"],
    # regular expressions compiled at their first use
    ["reader.lazy"],
]
ACROSS = {("reader.search", "reader.library")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import in module ``name``, at any depth."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # `from reader.formats import text` imports a module
                sub = f"{module}.{alias.name}"
                yield (sub if sub in MODULES else module), node.lineno


def edges() -> dict[str, dict[str, int]]:
    """Module → {reader module it imports: line}."""
    graph: dict[str, dict[str, int]] = {}
    for name in MODULES:
        out: dict[str, int] = {}
        for target, line in imports(name):
            if target in MODULES and target != name:
                out.setdefault(target, line)
        graph[name] = out
    return graph


def _within(name: str, prefix: str) -> bool:
    return name == prefix or (prefix != "reader" and name.startswith(prefix + "."))


def room_of(name: str) -> tuple[int, str]:
    """(band index, room) of a module: the room with the longest prefix that holds it."""
    best: tuple[int, int, str] | None = None
    for band, rooms in enumerate(BANDS):
        for room in rooms:
            for prefix in room.split("|"):
                if _within(name, prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), band, room)
    assert best is not None, f"{name} is in no band of the layer picture: add it to BANDS"
    return best[1], best[2]


def _short(room: str) -> str:
    return room.split("|")[0]


def layer_violations(graph: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for source, targets in graph.items():
        band, room = room_of(source)
        for target, line in targets.items():
            other_band, other_room = room_of(target)
            if other_band > band or other_room == room:
                continue
            if other_band == band and (_short(room), _short(other_room)) in ACROSS:
                continue
            how = "up" if other_band < band else "across its band"
            found.append(
                f"{source} (line {line}) imports {target}: {how} ({_short(room)} → {_short(other_room)})"
            )
    return sorted(found)


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The import circles: each strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(group: list[str], graph: dict[str, dict[str, int]]) -> str:
    links = [f"{a} → {b} (line {graph[a][b]})" for a in group for b in group if b in graph[a]]
    return " ⇄ ".join(group) + ":\n      " + "\n      ".join(links)


def test_every_module_is_in_the_picture() -> None:
    for name in MODULES:
        room_of(name)
    assert "reader.library.shelf" in MODULES and "reader.formats.prose" in MODULES


def test_no_import_points_up_or_across() -> None:
    found = layer_violations(edges())
    assert not found, "imports against the layer picture (ARCHITECTURE.md):\n  " + "\n  ".join(found)


def test_no_import_circles() -> None:
    graph = edges()
    found = cycles(graph)
    assert not found, "import circles:\n  " + "\n  ".join(describe(group, graph) for group in found)


def test_nothing_outside_the_ui_imports_textual() -> None:
    found = [
        f"{name} (line {line}) imports {target}"
        for name in MODULES
        if not _within(name, "reader.ui")
        for target, line in imports(name)
        if target == "textual" or target.startswith("textual.")
    ]
    assert not found, "Textual outside reader/ui/:\n  " + "\n  ".join(found)


def test_the_checks_see_what_they_should() -> None:
    """The scanner finds lazy imports, circles and upward imports in a made-up graph."""
    graph = {"reader.model": {"reader.layout": 3}, "reader.layout": {"reader.model": 1}}
    assert cycles(graph) == [["reader.layout", "reader.model"]]
    assert layer_violations(graph) == [
        "reader.model (line 3) imports reader.layout: up (reader.model → reader.layout)"
    ]
    lazy = dict(imports("reader.formats.text"))
    assert "reader.formats.gutenberg" in lazy
