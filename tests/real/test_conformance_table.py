"""The README's conformance table is the one the format tests give today.

``scripts/conformance_table.py`` runs the format tests' own cases (FanFicFare output generated
as ``test_format_fanficfare`` generates it, in parallel) and writes the table; here it is built
again, each row must hold, and README.md's copy must be the same.
"""

from __future__ import annotations

import difflib
import sys

import pytest
from conftest import ROOT

pytest.importorskip("fanficfare")
sys.path.insert(0, str(ROOT / "scripts"))
import conformance_table  # noqa: E402

REFRESH = "python scripts/conformance_table.py --write"


@pytest.fixture(scope="module")
def rows() -> list[conformance_table.Row]:
    return conformance_table.build_rows()


def test_every_row_holds(rows: list[conformance_table.Row]) -> None:
    failing = [f"{row.source} · {row.layout}: {row.result}" for row in rows if row.result != "✓"]
    assert not failing, "\n".join(failing)


def test_readme_table_is_current(rows: list[conformance_table.Row]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    current = conformance_table.readme_table(readme)
    assert current is not None, f"README.md has lost its {conformance_table.START} … {conformance_table.END}"
    fresh = conformance_table.table(rows)
    if current != fresh:
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                fresh.splitlines(keepends=True),
                "README.md",
                "from the tests",
            )
        )
        pytest.fail(
            f"README.md's conformance table is out of date; refresh it with\n\n    {REFRESH}\n\n{diff}",
            pytrace=False,
        )
