"""Reading speed, the per-day reading log, time left in the footer, the statistics screen."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from tests_support import make_app, open_story, saved_stories, write_v1_state

from reader.session import footer_text
from reader.state import stats
from reader.state.stats import (
    DEFAULT_WPM,
    MAX_WPM,
    MIN_WPM,
    add_reading,
    bar_columns,
    day_key,
    duration,
    finished_stories,
    speed,
    top_stories,
    turn_time,
    words_read,
)
from reader.ui.screens import reading
from reader.ui.screens.reading import ReadingScreen
from reader.ui.screens.stats import StatsScreen, chart_days

STORY = "what-the-static-keeps.txt"
TODAY = day_key()


def log(*days: tuple[str, float, int]) -> dict[str, dict]:
    """A state's stories holding one story read on ``days`` (day, seconds, words)."""
    return {"s": {"title": "S", "days": {day: [seconds, words] for day, seconds, words in days}}}


# Speed -----------------------------------------------------------------------------------


def test_the_default_speed_until_there_is_enough_reading() -> None:
    assert speed({}) == stats.Speed(DEFAULT_WPM)
    # Four minutes and plenty of words: not enough time yet.
    assert speed(log((TODAY, 240, 5000))).measured is False
    # Ten minutes but few words: not enough words yet.
    assert speed(log((TODAY, 600, 900))).wpm == DEFAULT_WPM


def test_a_measured_speed_is_words_over_minutes_across_stories_and_days() -> None:
    stories = log((TODAY, 600, 2000), ("2026-01-02", 1200, 4000))
    stories["t"] = {"days": {TODAY: [600, 4000]}}
    measured = speed(stories)
    assert measured.measured and measured.wpm == round(10000 / 40)
    assert measured.seconds == 2400 and measured.words == 10000


def test_the_speed_is_measured_over_the_latest_days_only() -> None:
    old = [(f"2020-01-{day:02d}", 600, 600) for day in range(1, 31)]  # 60 wpm, long ago
    recent = [(f"2026-03-{day:02d}", 600, 3000) for day in range(1, 31)]  # 300 wpm
    assert speed(log(*old, *recent)).wpm == 300


def test_daily_totals_of_the_latest_days_are_those_days_of_all_of_them() -> None:
    stories = {
        "a": {"days": {"2026-03-01": [60, 100], "2026-03-03": [30, 50], "2025-12-31": [10, 10], "x": [1, 1]}},
        "b": {"days": {"2026-03-03": [30, 50], "2026-02-28": [5, 5], "2026-03-02": "hand-edited"}},
        "c": {"title": "never read"},
    }
    everything = stats.daily_totals(stories)
    assert everything[date(2026, 3, 3)] == (60.0, 100) and everything[date(2026, 3, 2)] == (0.0, 0)
    assert len(everything) == 5  # "x" is not a day
    latest = sorted(everything, reverse=True)[:3]
    assert stats.daily_totals(stories, latest=3) == {day: everything[day] for day in latest}


@pytest.mark.parametrize(("seconds", "words", "wpm"), [(600, 100_000, MAX_WPM), (3600, 1200, MIN_WPM)])
def test_silly_speeds_are_clamped(seconds: int, words: int, wpm: int) -> None:
    assert speed(log((TODAY, seconds, words))).wpm == wpm


def test_idle_pauses_and_skimmed_pages_do_not_count() -> None:
    assert turn_time(30.0) == 30.0
    assert turn_time(stats.IDLE_SECONDS) == 0.0 and turn_time(600) == 0.0
    assert words_read(250, 60.0) == 250
    assert words_read(250, 2.0) == 0  # 7,500 words a minute: skimmed
    assert words_read(250, 0.0) == 0  # after a pause: not timed, not counted


def test_the_log_adds_up_to_the_tenth_of_a_second() -> None:
    entry: dict = {}
    for _ in range(10):
        add_reading(entry, "2026-11-21", 20.6, 100)
    add_reading(entry, "2026-11-22", 0, 0)  # nothing read: no day
    assert entry["days"] == {"2026-11-21": [206.0, 1000]}  # truncated: 200


def test_durations_read_as_people_say_them() -> None:
    assert [duration(s) for s in (0, 45, 60, 12 * 60 + 20, 3600, 4 * 3600 + 5 * 60)] == [
        "0 min",
        "45 s",
        "1 min",
        "12 min",
        "1 h 00 min",
        "4 h 05 min",
    ]


def test_bars_have_eight_steps_a_row_and_a_short_read_still_shows() -> None:
    columns = bar_columns([0.0, 1.0, 50.0, 100.0], 2)
    assert columns == ["  ", " ▁", " █", "██"]


def test_finished_stories_latest_first_and_top_stories_by_time() -> None:
    stories = {
        "a": {"title": "A", "finished": "2026-03-01T10:00:00+01:00", "reading_time": 50},
        "b": {"title": "B", "finished": "2026-04-01T10:00:00+01:00", "reading_time": 500},
        "c": {"title": "C", "reading_time": 90},
        "d": {"title": "D"},
    }
    assert [item.title for item in finished_stories(stories)] == ["B", "A"]
    assert top_stories(stories, 2) == [("B", 500), ("C", 90)]


def test_a_story_finished_in_another_time_zone_is_dated_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:  # finished late on 31 January, twelve hours behind UTC: 1 February here
        (item,) = finished_stories({"a": {"title": "A", "finished": "2026-01-31T23:30:00-12:00"}})
        assert (item.when.month, item.when.day, item.when.hour) == (2, 1, 11)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_chart_days_fit_the_width() -> None:
    assert chart_days(78) == (28, 2)
    days, step = chart_days(36)
    assert days * step <= 36 and days >= 14
    days, step = chart_days(20)
    assert days * step <= 20 and days >= 7


# Through the pilot ---------------------------------------------------------------------------


class Clock:
    """Stands in for the reading screen's clock: time moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(reading, "clock", fake)
    return fake


def page_words(app) -> int:  # type: ignore[no-untyped-def]
    screen = app.screen
    page = screen.book.page(screen.ref)
    return screen.story.chapters[screen.ref.chapter].words_between(page.start, page.end)


async def test_page_turns_fill_the_day_log_leaving_out_pauses_and_pages_back(
    state_path: Path, clock: Clock
) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        first = page_words(app)
        clock.now += 40
        await pilot.press("space")  # read the first page in 40 s
        second = page_words(app)
        clock.now += 600
        await pilot.press("space")  # away for ten minutes: neither time nor words
        clock.now += 1
        await pilot.press("space")  # skimmed in a second: its time, not its words
        clock.now += 20
        await pilot.press("left")  # back a page after 20 s: time, no words
        await pilot.press("q")
    entry = saved_stories(state_path)[STORY]
    assert second > 100 and first > 0
    assert entry["days"] == {TODAY: [61, first]}
    assert entry["reading_time"] == 61


def book_minutes(status: str) -> int:
    found = re.search(r"(?:(\d+) h )?(\d+) min in book", status)
    assert found, status
    return int(found.group(1) or 0) * 60 + int(found.group(2))


async def footer(state_path: Path) -> str:
    app = make_app(state_path)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_story(pilot, app, "static")
        return str(app.screen.query_one("#status-bar").render())


async def test_the_footer_shows_time_left_in_the_book_at_the_measured_speed(state_path: Path) -> None:
    default = await footer(state_path)
    assert "left in chapter" in default
    at_default = book_minutes(default)
    write_v1_state(state_path, {"version": 1, "stories": log((TODAY, 3600, 3600 * 125 // 60))})
    slow = await footer(state_path)  # 125 words a minute: twice as long as the default 250
    assert abs(book_minutes(slow) - 2 * at_default) <= 2


async def test_the_footer_keeps_the_chapter_title_and_drops_parts_when_narrow(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(40, 12)) as pilot:
        await open_story(pilot, app, "static")
        status = str(app.screen.query_one("#status-bar").render())
        assert "in book" not in status and "min left" in status and status.startswith(" Chapter 1")
        assert len(status) <= 40


@pytest.mark.parametrize(
    ("width", "shown", "dropped"),
    [
        (120, ["A Quiet Harbour", "p. 3/9", "40%", "4 min left in chapter", "20 min in book", "? help"], []),
        (80, ["A Quiet Harbour ", "4 min left in chapter", "20 min in book", "? help"], []),
        (50, ["A Quiet Harbour ", "4 min left "], ["in chapter", "in book", "? help"]),
        (40, ["A Quiet Har… ", "4 min left "], ["in book"]),
        (24, ["A Quiet … ", "p. 3/9 · 40% "], ["left"]),
    ],
)
def test_the_footer_text_keeps_what_fits_the_width(width: int, shown: list[str], dropped: list[str]) -> None:
    text = footer_text("A Quiet Harbour", width, "p. 3/9", 40, 1000, 4000, 250)
    assert len(text) == width
    assert all(part in text for part in shown), text
    assert not any(part in text for part in dropped), text


def prepared_state(state_path: Path) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    finished = datetime.now().astimezone().isoformat(timespec="seconds")
    stories = {
        "one": {
            "title": "The Long Way Round",
            "reading_time": 3 * 3600 + 600,
            "status": "finished",
            "status_changed": finished,
            "finished": finished,
            "days": {TODAY: [45 * 60, 11000], yesterday: [90 * 60, 20000]},
        },
        "two": {"title": "Salt and Iron", "reading_time": 600, "days": {TODAY: [600, 2000]}},
    }
    write_v1_state(state_path, {"version": 1, "stories": stories})


def stats_text(app) -> str:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, StatsScreen)
    return "\n".join(
        str(screen.query_one(f"#stats-{part}").render()) for part in ("heading", "chart", "text")
    )


@pytest.mark.parametrize("size", [(80, 24), (40, 12)])
async def test_the_statistics_screen_shows_minutes_words_and_finished_stories(
    state_path: Path, size: tuple[int, int]
) -> None:
    prepared_state(state_path)
    app = make_app(state_path)
    async with app.run_test(size=size) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("number_sign")
        await pilot.pause()
        text = stats_text(app)
        today = next(line for line in text.splitlines() if line.startswith("Today"))
        assert "55 min" in today and "13,000" in today
        assert re.search(r"All time\s+2 h 25 min\s+33,000", text)
        assert "Stories finished: 1 this month · 1 in all" in text
        assert "The Long Way Round" in text and "3 h 10 min" in text
        assert "Your speed: 228 words a minute, measured over 2 h 25 min." in text
        assert "This story: What the Static Keeps\n  0 min read in all · Reading" in text
        bars = screen_chart(app)
        assert bars[-1].strip().endswith("█")  # yesterday's 90 minutes is the tallest bar
        assert "most: 1 h 30 min" in text or size[0] < 80
        await pilot.press("escape")
        assert isinstance(app.screen, ReadingScreen)


def screen_chart(app) -> list[str]:  # type: ignore[no-untyped-def]
    lines = str(app.screen.query_one("#stats-chart").render()).splitlines()
    return lines[:-2]  # the bars, without the weekday and date lines


async def test_the_statistics_say_the_default_speed_until_measured(state_path: Path) -> None:
    app = make_app(state_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        await pilot.press("number_sign")
        await pilot.pause()
        text = stats_text(app)
        assert "250 words a minute (the default until you have read 5 minutes" in text
        assert "Stories finished: 0 this month · 0 in all" in text
