"""The reading session without a screen: navigation, jumps and back, find, the end-of-story
offer, page-turn timing on a fake clock, time left and the footer (milliseconds, no Textual)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.layout import PageRef
from reader.model import Block, Chapter, Position, Story
from reader.session import HISTORY, OFFER_FINISHED, SPEED_EVERY, ReadingSession
from reader.state import State
from reader.state.stats import DEFAULT_WPM, IDLE_SECONDS, day_key, minutes_for

WIDTH, HEIGHT = 40, 8


class Clock:
    """Time that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_story(path: Path, chapters: int = 3, paragraphs: int = 12, words: int = 20) -> Story:
    """Chapters of numbered paragraphs: "Para 1.4 alpha beta …" (chapter 1, paragraph 4)."""
    filler = " ".join(["alpha", "beta", "gamma", "delta"] * (words // 4))
    return Story(
        id="https://example.org/works/1",
        title="The Long Road",
        author="A. Writer",
        chapters=[
            Chapter(
                f"Chapter {c + 1}", [Block("paragraph", f"Para {c}.{p} {filler}") for p in range(paragraphs)]
            )
            for c in range(chapters)
        ],
        path=str(path / "road.txt"),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State.load(tmp_path / "state")


def open_session(tmp_path: Path, state: State, clock: Clock, **story: int) -> ReadingSession:
    session = ReadingSession(make_story(tmp_path, **story), state, clock=clock)
    session.start_at()
    session.lay_out(WIDTH, HEIGHT)
    return session


@pytest.fixture
def session(tmp_path: Path, state: State, clock: Clock) -> ReadingSession:
    return open_session(tmp_path, state, clock)


def page_number(session: ReadingSession) -> int:
    assert session.book is not None
    return session.book.chapter(session.ref.chapter).page_number(session.ref.part, session.ref.page)[0]


# Navigation --------------------------------------------------------------------------------


def test_pages_forward_and_back_record_the_place(session: ReadingSession, state: State) -> None:
    assert session.ref == PageRef(0, 0, 0) and session.previous_page() == "The start of the story."
    assert session.next_page() is None and session.ref == PageRef(0, 0, 1)
    assert session.book is not None
    start = session.book.page(session.ref).start
    assert session.place.offset == start > 0 and session.place.snippet.startswith(
        session.story.chapters[0].text[start : start + 5]
    )
    assert state.position(session.story.id) == session.place
    assert session.previous_page() is None and session.ref == PageRef(0, 0, 0)


def test_turning_pages_reads_through_every_chapter_to_the_end(session: ReadingSession) -> None:
    chapters_seen = {0}
    for _ in range(1000):
        said = session.next_page()
        if said is not None:
            break
        chapters_seen.add(session.ref.chapter)
    assert said == OFFER_FINISHED and chapters_seen == {0, 1, 2}
    assert session.progress() > 0.9 and session.minutes_left() == (0, 0)
    assert session.next_page() == "The end of the story."  # offered once a session


def test_the_end_is_not_offered_for_a_finished_story(session: ReadingSession) -> None:
    session.set_status("finished")
    assert session.book is not None
    session.go(session.book.last_of(2))
    assert session.next_page() == "The end of the story." and not session.end_offered


def test_the_end_offer_counts_the_last_page_as_read(
    session: ReadingSession, state: State, clock: Clock
) -> None:
    assert session.book is not None
    session.go(session.book.last_of(2))
    clock.now += 30
    assert session.next_page() == OFFER_FINISHED
    seconds, words = state.record(session.story.id)["days"][day_key()]
    assert seconds == 30 and words > 0


def test_chapters(session: ReadingSession) -> None:
    assert session.next_chapter() is None and session.ref == PageRef(1, 0, 0)
    session.next_page()
    assert session.previous_chapter() is None and session.ref == PageRef(1, 0, 0)  # this one's start
    assert session.previous_chapter() is None and session.ref == PageRef(0, 0, 0)  # the one before
    assert session.previous_chapter() == "This is the first chapter."
    assert session.chapter_end() is None and session.book is not None
    assert session.ref == session.book.last_of(0) and session.book.next(session.ref) == PageRef(1, 0, 0)
    assert session.chapter_start() is None and session.ref == PageRef(0, 0, 0)
    session.next_chapter()
    session.next_chapter()
    assert session.next_chapter() == "This is the last chapter." and session.ref.chapter == 2


def test_go_to_chapter_per_cent_page_and_bookmark_are_jumps_back_undoes(session: ReadingSession) -> None:
    assert session.back() == "No jump to go back from."
    session.next_page()
    reading = session.place
    assert session.go_to_chapter(2) is None and session.ref == PageRef(2, 0, 0)
    assert session.go_to_fraction(0.5) is None and 0.45 < session.progress() <= 0.5
    assert session.go_to_page(3) is None and page_number(session) == 3
    assert session.go_to_position(reading) is None and session.place == reading
    assert len(session.history) == 4
    for _ in range(4):
        assert session.back() is None
    assert session.place == reading and session.back() == "No jump to go back from."


def test_page_turns_are_not_jumps_and_history_is_bounded(session: ReadingSession) -> None:
    session.next_page()
    session.next_chapter()
    assert session.history == []
    assert session.go_to_chapter(1) is None and session.history == []  # to the page on screen: no jump
    for index in range(HISTORY + 20):
        session.go_to_chapter(index % 3)
    assert len(session.history) == HISTORY


def test_a_new_size_keeps_the_place(session: ReadingSession) -> None:
    for _ in range(5):
        session.next_page()
    place = session.place
    assert not session.lay_out(WIDTH, HEIGHT)  # nothing changed
    assert session.lay_out(WIDTH + 20, HEIGHT + 4)
    assert session.book is not None
    page = session.book.page(session.ref)
    assert session.ref.chapter == place.chapter and page.start <= place.offset < page.end
    assert session.place == place  # the place is text, not a page


# Opening -------------------------------------------------------------------------------------


def test_a_search_hit_opens_on_the_hit_and_back_returns_to_the_reading(
    tmp_path: Path, state: State, clock: Clock
) -> None:
    first = open_session(tmp_path, state, clock)
    first.go_to_chapter(1)
    reading = first.place
    session = ReadingSession(make_story(tmp_path), state, clock=clock)
    chapter = session.story.chapters[2]
    hit = Position(2, chapter.text.index("Para 2.5"), "")
    assert session.start_at(start=hit, find="para 2.5") == ""
    session.lay_out(WIDTH, HEIGHT)
    assert session.place.chapter == 2 and session.match_index is not None
    assert session.matches is not None and len(session.matches) == 1
    assert session.back() is None and session.place == reading


def test_opening_at_a_chapter_and_news_of_new_chapters(tmp_path: Path, state: State, clock: Clock) -> None:
    first = open_session(tmp_path, state, clock, chapters=2)
    first.next_page()  # read with two chapters
    grown = ReadingSession(make_story(tmp_path, chapters=3), state, clock=clock)
    assert grown.start_at() == "1 new chapter since you last read, from “Chapter 3”."
    again = ReadingSession(make_story(tmp_path, chapters=3), state, clock=clock)
    assert again.start_at(chapter=2) == ""
    assert again.place == Position(2, 0, again.story.chapters[2].snippet(0))


# Finding ---------------------------------------------------------------------------------------


def test_find_counts_and_says_why_not(session: ReadingSession) -> None:
    assert session.find("  ") == "type to find" and session.matches is None
    assert session.find("(", regex=True).startswith("not a valid regular expression")
    assert session.find("para 1.1") == "3 matches"  # Para 1.1, 1.10, 1.11
    assert session.find(r"para \d\.1\b", regex=True) == "3 matches"
    assert session.find("no such words") == "0 matches"
    assert session.first_match() == "Not found in this story."
    session.clear_find()
    assert session.step_match(1) == "Nothing to find yet: press / and type."


def test_matches_step_across_pages_and_chapters(session: ReadingSession) -> None:
    session.next_page()
    reading = session.place
    session.find(r"para \d\.4 ", regex=True)  # one a chapter
    assert session.first_match() is None and session.match_index == 0 and session.ref.chapter == 0
    assert session.history == [reading]  # leaving the reading for the found text: a jump
    assert session.step_match(1) is None and session.ref.chapter == 1
    assert session.step_match(1) is None and session.ref.chapter == 2
    assert session.step_match(1) is None and session.ref.chapter == 0 and session.match_index == 0  # round
    assert session.step_match(-1) is None and session.ref.chapter == 2
    assert session.history == [reading]  # stepping between matches is not a jump
    marks, current = session.marks()
    assert len(marks) == 1 and current == marks[0]
    assert session.book is not None
    page = session.book.page(session.ref)
    assert page.start <= marks[0][0] < page.end
    assert "match 3 of 3 · p. " in session.footer(80)


def test_n_before_enter_starts_from_the_place(session: ReadingSession) -> None:
    session.go_to_chapter(1)
    session.find(r"para \d\.4 ", regex=True)
    assert session.step_match(1) is None and session.ref.chapter == 1 and session.match_index == 1
    session.find(r"para \d\.4 ", regex=True)
    assert session.step_match(-1) is None and session.match_index == 0


# Status and bookmarks --------------------------------------------------------------------------


def test_status_and_bookmarks_go_to_the_state(session: ReadingSession, state: State) -> None:
    assert session.status() == "reading"
    session.set_status("on-hold")
    entry = state.record(session.story.id)
    assert session.status() == "on-hold" and entry["title"] == "The Long Road"
    assert entry["path"].endswith("road.txt")
    session.go_to_fraction(0.5)
    name = session.add_bookmark()
    assert re.fullmatch(r"Chapter 2 · 4\d%", name)
    marks = state.bookmarks(session.story.id)
    assert [(mark.name, mark.position) for mark in marks] == [(name, session.place)]


# Timing, speed, time left, footer ---------------------------------------------------------------


def page_words(session: ReadingSession) -> int:
    assert session.book is not None
    page = session.book.page(session.ref)
    return session.story.chapters[session.ref.chapter].words_between(page.start, page.end)


def test_page_turns_are_timed_leaving_out_pauses_skims_and_pages_back(
    session: ReadingSession, state: State, clock: Clock
) -> None:
    recorded: list[int] = []
    session.recorded = lambda: recorded.append(1)
    first = page_words(session)
    clock.now += 40
    session.next_page()  # read in 40 s
    clock.now += IDLE_SECONDS
    session.next_page()  # away: neither time nor words
    clock.now += 0.5
    session.next_page()  # skimmed: its time, not its words
    clock.now += 20
    session.previous_page()  # back: time, no words
    entry = state.record(session.story.id)
    assert entry["days"] == {day_key(): [60.5, first]} and entry["reading_time"] == 60.5
    assert len(recorded) == 4


def test_the_speed_is_measured_again_every_so_many_turns(tmp_path: Path, state: State, clock: Clock) -> None:
    session = open_session(tmp_path, state, clock, chapters=3, paragraphs=40, words=40)
    session.lay_out(60, 20)  # pages of ~150 words: enough read in 20 turns to measure
    assert session.speed.wpm == DEFAULT_WPM and not session.speed.measured
    read = 0
    for turn in range(1, SPEED_EVERY + 1):
        read += page_words(session)
        clock.now += 30
        session.next_page()
        assert session.speed.measured == (turn == SPEED_EVERY)
    assert session.speed.wpm == round(read / (30 * SPEED_EVERY / 60))


def test_time_left_and_the_footer(session: ReadingSession) -> None:
    in_chapter, after = session.words_left()
    chapters = session.story.chapters
    assert after == chapters[1].estimate_words(0) + chapters[2].estimate_words(0)
    assert 0 < in_chapter < chapters[0].estimate_words(0)
    wpm = DEFAULT_WPM
    assert session.minutes_left() == (minutes_for(in_chapter, wpm), minutes_for(in_chapter + after, wpm))
    footer = session.footer(100)
    assert len(footer) == 100 and footer.startswith(" Chapter 1 ")
    assert re.search(r"p\. 1/\d+ · 0% · \d+ min left in chapter · \d+ min in book · \? help $", footer)
    assert session.footer(30).startswith(" Chapter 1") and "p. 1/" in session.footer(30)
    session.go_to_chapter(2)
    assert session.words_left()[1] == 0


# The place on disk -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "moves"),
    [("opened", True), ("sent to a chapter", False), ("turned a page", False)],
)
def test_freshen_goes_to_the_place_on_disk_unless_the_reader_went_elsewhere(
    tmp_path: Path, clock: Clock, how: str, moves: bool
) -> None:
    state = State.load(tmp_path / "state")
    state.save_position("https://example.org/works/1", Position(0, 0), progress=0.0, title="Road", path="r")
    state.save()
    session = ReadingSession(make_story(tmp_path), state, clock=clock)
    session.start_at(chapter=1 if how == "sent to a chapter" else None)
    session.lay_out(WIDTH, HEIGHT)
    if how == "turned a page":
        session.next_page()
    before = session.place
    other = State.load(tmp_path / "state")  # another reader moves the story on, on disk
    other.save_position("https://example.org/works/1", Position(2, 0), progress=0.7, title="Road", path="r")
    other.save()
    state.unlooked = True  # as a start that took the cache on trust
    assert session.freshen() is moves
    assert (session.place.chapter == 2) is moves
    if not moves:
        assert session.place == before
