"""The parsing processes are fed a few chunks at a time: what the caller has not taken is not
parsed ahead and held in memory (the search index's build consumes slower than it parses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reader.library import scanning, workers


def test_only_a_few_chunks_a_worker_are_in_flight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(200):
        (tmp_path / f"s{n:03d}.txt").write_text(f"Title: S{n}\n\nThe owl {n} flew.\n", encoding="utf-8")
    given: list[int] = []
    give = workers._Worker.give

    def counting(self: Any, chunk: list[Path], root: Path) -> None:
        given.append(len(chunk))
        give(self, chunk, root)

    monkeypatch.setattr(workers._Worker, "give", counting)
    monkeypatch.setenv("READER_SCAN_WORKERS", "2")
    paths = sorted(tmp_path.glob("*.txt"))
    batches = scanning.parsed(tmp_path, paths, lambda: False)
    first = next(batches)
    assert first and len(given) <= 2 * workers.IN_FLIGHT + 2 < 50  # not all 52 chunks
    rest = [entry for batch in batches for entry in batch]
    assert sorted(entry.path for entry in first + rest) == paths and sum(given) == 200
