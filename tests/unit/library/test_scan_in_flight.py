"""The parsing pool is fed a few chunks at a time: what the caller has not taken is not
parsed ahead and held in memory (the search index's build consumes slower than it parses)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reader.library import scanning


def test_only_a_few_chunks_a_worker_are_in_flight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(200):
        (tmp_path / f"s{n:03d}.txt").write_text(f"Title: S{n}\n\nThe owl {n} flew.\n", encoding="utf-8")
    submitted: list[int] = []

    class Pool(ThreadPoolExecutor):  # the process pool's interface, on threads, counting
        def __init__(self, workers: int, **_: Any) -> None:
            super().__init__(workers)

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(scanning, "ProcessPoolExecutor", Pool)
    monkeypatch.setenv("READER_SCAN_WORKERS", "2")
    paths = sorted(tmp_path.glob("*.txt"))
    batches = scanning.parsed(tmp_path, paths, lambda: False)
    first = next(batches)
    assert first and len(submitted) <= 2 * scanning.IN_FLIGHT * 2 < 50  # not all 54 chunks
    rest = [entry for batch in batches for entry in batch]
    assert sorted(entry.path for entry in first + rest) == paths and sum(submitted) == 200
