"""The reader never imports FanFicFare or html2text (GPL): they only generate test files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from tests_support import CORE

GENERATORS = ("fanficfare", "html2text")


def test_reader_imports_no_generator() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "from pathlib import Path\nfrom reader.formats import load_story\n"
        "for path in sorted(Path('sample_library').iterdir()): load_story(path)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{GENERATORS!r})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    root = ROOT
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_generator_named_in_reader_sources() -> None:
    import reader

    root = Path(reader.__file__).parent
    statement = re.compile(rf"^\s*(?:import|from)\s+(?:{'|'.join(GENERATORS)})\b", re.M)
    for path in root.rglob("*.py"):
        assert not statement.search(path.read_text(encoding="utf-8")), path
