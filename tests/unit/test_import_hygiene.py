"""Nothing outside reader/ui imports Textual: the core is a library, and the CLI starts fast."""

from __future__ import annotations

import subprocess
import sys

from tests_support import CORE


def test_core_modules_are_found() -> None:
    assert {
        "reader.cli",
        "reader.layout",
        "reader.state",
        "reader.formats.text",
        "reader.library.listing",
    } <= set(CORE)


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_list_runs_without_textual(tmp_path) -> None:
    code = (
        "import sys\nfrom reader.cli import main\n"
        f"code = main(['list', '--library', {str(tmp_path)!r}])\n"
        "assert 'textual' not in sys.modules\nsys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
