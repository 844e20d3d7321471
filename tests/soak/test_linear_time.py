"""Every detector is linear in its input: hostile runs at n and 10·n units (soak tier)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.soak

# ----------------------------------------------------------------- linear time on hostile input

_LINEAR_CASES = {
    # name: a document of n repeated units, each built to make a detector work hard
    "gutenberg headings": lambda n: _gutenberg("CHAPTER I.\n\n" * n),
    "gutenberg bare numerals and names": lambda n: _gutenberg("IV.\n\nTHE NAME\n\n" * n),
    "gutenberg contents": lambda n: _gutenberg("CONTENTS\n\n" + "CHAPTER I. A Name ...... 1\n" * n),
    "gutenberg near-markers": lambda n: "Project Gutenberg\n" + "*** START OF THE PROJECT\n\n" * n,
    "gutenberg long lines": lambda n: _gutenberg(("CHAPTER " * 40 + "\n\n") * n),
    "fanficfare toc": lambda n: "T\n\nby A\n\n\nTABLE OF CONTENTS\n\n" + "2\n\n" * n + "\t2\n\nx\n\n" * n,
    "fanficfare indents": lambda n: "T\n\nby A\n\n\n" + "        1\n\n" * n,
    "fanficfare emphasis": lambda n: "T\n\nby A\n\n\n\tOne\n\n" + "a_ ," * n + "\n",
    "fanficfare labels": lambda n: "T\n\nby A\n\n\nSummary: " + "Label: value\n" * n + "\n\n\tOne\n\nx\n",
}


def _gutenberg(body: str) -> str:
    return (
        "The Project Gutenberg eBook of X\n\nTitle: X\n\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n"
        f"{body}\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n"
    )


def _seconds(text: str) -> float:
    import time

    from reader.formats.text import parse

    data = text.encode("utf-8")
    start = time.perf_counter()
    try:
        parse(data, "x")
    except Exception:  # a StoryError for some hostile files: only the time matters here
        pass
    return time.perf_counter() - start


@pytest.mark.parametrize("name", sorted(_LINEAR_CASES))
def test_detectors_are_linear_in_their_input(name: str) -> None:
    """n units take at least 50 ms; ten times as many take less than 15 times as long."""
    make = _LINEAR_CASES[name]
    n = 200
    while _seconds(make(n)) < 0.05:
        n *= 2
    small = min(_seconds(make(n)) for _ in range(3))  # best of 3: a busy machine adds, never takes
    large = min(_seconds(make(10 * n)) for _ in range(3))
    assert large < 15 * small, (name, n, small, large)
