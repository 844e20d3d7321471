"""The TUI's plain arguments are read without argparse (a start-up cost): whatever they read,
argparse would read the same, and anything else is left to argparse."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reader.cli import _plain_args, _tui_parser

WORDS = st.sampled_from(["--library", "--state", "--help", "--version", "-h", "--", "-", "lib", "a b", "-x"])


@given(st.lists(WORDS | st.text(min_size=1, max_size=5), max_size=5))
def test_what_is_read_by_hand_is_what_argparse_reads(argv: list[str]) -> None:
    plain = _plain_args(argv)
    if plain is None:
        return  # argparse answers: help, version, or its error
    parsed = _tui_parser().parse_args(argv)
    assert (plain.path, plain.library, plain.state) == (parsed.path, parsed.library, parsed.state)


def test_the_usual_starts_are_read_by_hand() -> None:
    assert _plain_args([]) is not None
    assert _plain_args(["book.txt"]).path == "book.txt"
    assert _plain_args(["--state", "s", "lib"]).state == "s"
    assert _plain_args(["--help"]) is None and _plain_args(["a", "b"]) is None
