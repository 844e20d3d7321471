"""Two machines keep the reading state in step through Syncthing, for real (scripts/syncthing_pair.py):
two instances on loopback, two readers with their own folders and the library at two paths."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT
from serving import need_program

sys.path.insert(0, str(ROOT / "scripts"))
import syncthing_pair  # noqa: E402


def test_place_bookmarks_conflicts_and_deletions_cross_between_machines(tmp_path: Path) -> None:
    program = need_program("syncthing", "syncthing")
    said: list[str] = []
    syncthing_pair.run_checks(tmp_path, program, said.append)
    held = "\n".join(line for line in said if line.strip().startswith("ok"))
    for point in (
        "the same id at ~/Stories and /data/fic",
        "the reader running on B is at A's place",
        "a reader started on B later is at A's later place",
        "on A: the later place (B's) wins",
        "on B: both machines' bookmarks are kept",
        "a reader started on B later has it deleted",
        "both bookmarks are in the file on B, nothing lost",  # conflict copies off: overwritten, put back
        "both bookmarks are back on A and B",  # the same with the readers closed
    ):
        assert point in held, "\n".join(said)
    assert any("sync-conflict" in line for line in said)  # a real conflict copy was made and merged
