"""No module of ``reader/`` over ~400 lines, no function over ~60 (issue 12): a room that
grows past these is doing two things, and is split where the things part."""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "reader"
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 65


def test_no_module_is_too_long() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not found, f"modules over {MAX_MODULE_LINES} lines:\n  " + "\n  ".join(found)


def test_no_function_is_too_long() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines:\n  " + "\n  ".join(found)
