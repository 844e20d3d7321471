"""Random and mutated bytes into every story reader and the state loader, and through the
whole path: bytes → format → model → layout → the lines drawn.

Only the project's own clear error may come out, and nothing may hang. The budget is small
in CI (80 examples a test); ``READER_FUZZ_EXAMPLES=5000 pytest tests/unit/formats/test_fuzz.py``
runs it longer on demand (``-k whole_path`` for the whole path alone).
"""

from __future__ import annotations

import importlib
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.formats import StoryError
from reader.model import Story
from reader.state import State

EXAMPLES = int(os.environ.get("READER_FUZZ_EXAMPLES", "80"))
SECONDS = 10  # far more than any file here needs: only a hang would reach it
KINDS = {".txt": "text", ".md": "markdown", ".html": "html", ".epub": "epub"}
SAMPLES = {path.suffix: path.read_bytes() for path in sorted(SAMPLE.iterdir()) if path.suffix in KINDS}
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read(kind: str, data: bytes) -> None:
    module = importlib.import_module(f"reader.formats.{kind}")
    with time_limit(SECONDS):
        try:
            story = module.parse(data, "Fallback")
        except StoryError as error:
            assert str(error) and "\n" not in str(error)
            return
    assert isinstance(story, Story) and story.chapters


@FUZZ
@given(data=st.binary(max_size=4096), ending=st.sampled_from(sorted(KINDS)))
def test_random_bytes(data: bytes, ending: str) -> None:
    read(KINDS[ending], data)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    ending = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[ending])
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 512))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[at:]
    return ending, bytes(data)


@FUZZ
@given(case=mutated())
def test_mutated_sample_files(case: tuple[str, bytes]) -> None:
    ending, data = case
    read(KINDS[ending], data)


@FUZZ
@given(data=st.one_of(st.binary(max_size=2048), st.text(max_size=2048).map(str.encode)), old=st.booleans())
def test_state_loader_never_raises_and_never_loses_the_file(tmp_path_factory, data: bytes, old: bool) -> None:
    folder: Path = tmp_path_factory.mktemp("state")
    path = folder / ("state.yaml" if old else "a-story-0123456789ab.yaml")
    path.write_bytes(data)
    with time_limit(SECONDS):
        state = State.load(folder)
    kept = [p.read_bytes() for p in folder.rglob("*") if p.is_file()]
    assert data in kept  # loaded, migrated, set aside, or left untouched: never gone
    state.save()  # and whatever was loaded can be written back


#: What a terminal obeys: never in a line drawn (tab and newline are not drawn raw either).
_DRAWN_NEVER = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SEQUENCES = [b"\x1b[2J", b"\x1b]52;c;QQ==\x07", b"\x9b1m", b"\x07", b"\x00", b"\xe2\x80\xae", b"\t", b"\r"]


@st.composite
def whole_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A sample file, mutated, with terminal sequences put in at random places."""
    ending, data = draw(mutated())
    raw = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(raw)))
        raw[at:at] = draw(st.sampled_from(_SEQUENCES))
    return ending, bytes(raw)


@FUZZ
@given(
    case=st.one_of(whole_files(), st.tuples(st.sampled_from(sorted(KINDS)), st.binary(max_size=2048))),
    width=st.integers(2, 120),
    height=st.integers(1, 40),
    indent=st.sampled_from([0, 3]),
)
def test_whole_path(tmp_path_factory, case: tuple[str, bytes], width: int, height: int, indent: int) -> None:
    """Bytes → ``load_story`` → ``StoryLayout`` → every page's lines, as the page view takes
    them: each line fits the width, holds nothing a terminal obeys, and the pages go forward."""
    from rich.cells import cell_len

    from reader.formats import load_story
    from reader.layout import StoryLayout

    ending, data = case
    path = tmp_path_factory.mktemp("whole") / f"story{ending}"
    path.write_bytes(data)
    with time_limit(SECONDS):
        try:
            story = load_story(path, path.parent)
        except StoryError as error:
            assert str(error) and not _DRAWN_NEVER.search(str(error))
            return
        book = StoryLayout(story, width, height, indent=indent)
        ref, pages, last = book.first_of(0), 0, (-1, -1)
        while ref is not None and pages < 3000:
            page = book.page(ref)
            text = story.chapters[ref.chapter].text
            assert (ref.chapter, page.start) >= last or page.start == 0
            last = (ref.chapter, page.start)
            for line in page.lines:
                drawn = text[line.start : line.end]
                assert not _DRAWN_NEVER.search(drawn), repr(drawn)
                assert cell_len(drawn) + (indent if line.kind == "paragraph" else 0) <= max(width, 2) + indent
            ref, pages = book.next(ref), pages + 1
