"""Small pure pieces of issue "The first hour": per cents, chapter numbers, the library's
columns and the remembered sort order in config.yaml."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from reader.config import Config
from reader.model import numbered_title, percent


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.0, 0), (0.29, 29), (0.975, 97), (0.999, 99), (1.0, 100), (1.2, 100), (-0.1, 0)],
)
def test_a_per_cent_is_rounded_down_so_100_is_the_end_alone(fraction: float, shown: int) -> None:
    assert percent(fraction) == shown


@pytest.mark.parametrize(
    ("number", "title", "shown"),
    [
        (1, "Chapter 1: Dead Air", "Chapter 1: Dead Air"),
        (1, "1. The Callout", "1. The Callout"),
        (3, "Part 3", "Part 3"),
        (7, "CHAPTER 07", "CHAPTER 07"),
        (12, "Chapter 1", "12. Chapter 1"),
        (1, "10 Things", "1. 10 Things"),
        (2, "Home", "2. Home"),
    ],
)
def test_a_chapter_is_numbered_once(number: int, title: str, shown: str) -> None:
    assert numbered_title(number, title) == shown


def test_the_sort_order_is_read_back_and_nonsense_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    config = Config(sort="author", sort_reversed=True)
    config.save(path)
    again = Config.load(path)
    assert (again.sort, again.sort_reversed) == ("author", True)
    path.write_text("sort: banana\nsort_reversed: sometimes\n", encoding="utf-8")
    odd = Config.load(path)
    assert (odd.sort, odd.sort_reversed) == ("recent", False)


def test_the_title_column_takes_the_longest_title_and_others_give_way() -> None:
    pytest.importorskip("textual")
    from reader.ui.widgets.story_rows import column_widths, title_width

    titles = [SimpleNamespace(title="Postage Due Beyond the Weather Wall", missing=False)]
    needs = title_width(titles)  # type: ignore[arg-type]
    assert needs == 35
    for width in (80, 100, 140):
        columns = dict(column_widths(width, needs))
        assert columns["Title"] >= needs
        assert sum(columns.values()) + 2 * len(columns) + 2 <= width
    assert column_widths(40, needs) == [("Title", 30), ("Read", 4)]  # all the room there is
    assert "Fandom" not in dict(column_widths(100, needs))  # the first to give way
    assert list(dict(column_widths(200, needs)))[:3] == ["Title", "Author", "Fandom"]  # room for all
