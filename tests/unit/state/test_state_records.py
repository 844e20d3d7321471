"""Stamps that never crash, YAML that cannot freeze or fool the reader, and cleaning one story's record."""

from __future__ import annotations

import math
import pickle
import re
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.state import records, safe_yaml
from reader.state.records import clean_entry, plain
from reader.state.safe_yaml import RefusedYAML, dump_yaml, load_yaml
from reader.state.stamps import later, now_iso, now_stamp, parse_stamp, stamp_order, valid_stamp
from reader.state.status import STATUSES

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GOOD = "2026-11-21T10:00:00+01:00"
LATER = "2026-11-21T10:00:00.001+01:00"

# Stamps ------------------------------------------------------------------------------------


def test_a_stamp_with_a_zone_is_the_moment_it_names() -> None:
    assert parse_stamp(GOOD) == datetime(2026, 11, 21, 9, tzinfo=timezone.utc)
    assert parse_stamp("2000-01-01T00:00:00+14:00") is not None
    assert stamp_order(GOOD) == datetime(2026, 11, 21, 9, tzinfo=timezone.utc).timestamp()
    assert valid_stamp(GOOD) and valid_stamp("2200-12-31T23:59:59.999-12:00")


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-21T10:00:00",  # naive: the zone it was written in is unknown
        "2026-11-21",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+14:00",  # overflows in astimezone
        "9999-12-31T23:59:59-14:00",
        "1999-12-31T23:59:59+00:00",
        "2201-01-01T00:00:00+00:00",
        "2026-02-30T00:00:00+00:00",
        "yesterday",
        "",
        "2026-11-21T10:00:00+01:00" + " " * 100,
        None,
        1763715600,
        datetime(2026, 11, 21, tzinfo=timezone.utc),
        ["2026-11-21T10:00:00+01:00"],
    ],
)
def test_anything_else_is_no_stamp_and_sorts_first(stamp: object) -> None:
    assert parse_stamp(stamp) is None
    assert not valid_stamp(stamp)
    assert stamp_order(stamp) == -math.inf
    assert later(GOOD, stamp) and not later(stamp, GOOD)


@FAST
@given(
    st.one_of(
        st.text(max_size=40),
        st.datetimes(timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=14))])).map(
            datetime.isoformat
        ),
        st.from_regex(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d)?", fullmatch=True),
    )
)
def test_no_text_makes_a_stamp_raise(text: str) -> None:
    moment = parse_stamp(text)
    order = stamp_order(text)
    if moment is None:
        assert order == -math.inf and not valid_stamp(text)
    else:
        assert moment.utcoffset() is not None and 2000 <= moment.year <= 2200
        assert order == moment.timestamp()


def test_later_is_strict_and_ties_go_to_mine() -> None:
    assert later(LATER, GOOD) and not later(GOOD, LATER)
    assert not later(GOOD, "2026-11-21T09:00:00+00:00")  # the same moment in another zone
    assert not later("nonsense", "nonsense")


def test_now_is_a_valid_stamp_to_the_second_or_millisecond() -> None:
    assert valid_stamp(now_stamp()) and re.search(r"T\d\d:\d\d:\d\d[+-]", now_stamp())
    assert valid_stamp(now_iso()) and re.search(r"T\d\d:\d\d:\d\d\.\d{3}[+-]", now_iso())
    assert abs(stamp_order(now_iso()) - time.time()) < 5


# Safe YAML ---------------------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """A "billion laughs": nine strings, each level nine aliases of the one before."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    names = "abcdefghijklmnop"
    for before, name in zip(names, names[1 : levels + 1], strict=False):
        lines.append(f"{name}: &{name} [{','.join(['*' + before] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_once() -> None:
    bomb = alias_bomb()
    assert len(bomb) < 700
    start = time.perf_counter()
    with pytest.raises(RefusedYAML, match="alias"):
        load_yaml(bomb)
    assert time.perf_counter() - start < 0.1
    tracemalloc.start()
    try:
        with pytest.raises(RefusedYAML):
            load_yaml(bomb)
        assert tracemalloc.get_traced_memory()[1] < 2**20
    finally:
        tracemalloc.stop()


def test_without_libyaml_the_same_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_yaml, "_Loader", yaml.SafeLoader)
    for text, problem in [
        (alias_bomb(), "alias"),
        ("a: 1\na: 2\n", "twice"),
        ("<<: {a: 1}\n", "merge key"),
        ("[" * 65 + "]" * 65, "deeper than 64"),
        ("[" * 100_000 + "]" * 100_000, "cannot be read"),  # the composer's recursion
    ]:
        with pytest.raises(RefusedYAML, match=problem):
            load_yaml(text)
    assert load_yaml(dump_yaml(TYPICAL)) == (TYPICAL, [])


@pytest.mark.parametrize(
    "text",
    ["a: &x 1\nb: *x\n", "a: &x [1, 2]\nb: *x\n", "a: &x [*x]\n", "? &k a\n: 1\nb: {*k : 2}\n"],
)
def test_anchors_and_aliases_are_refused(text: str) -> None:
    with pytest.raises(RefusedYAML, match=r"anchor or alias .* at line \d"):
        load_yaml(text)


def test_a_duplicate_key_is_refused_with_its_line() -> None:
    with pytest.raises(RefusedYAML, match="'title' appears twice.* at line 3") as caught:
        load_yaml("title: A\nauthor: B\ntitle: C\n")
    assert isinstance(caught.value, yaml.YAMLError) and caught.value.problem_mark.line == 2
    with pytest.raises(RefusedYAML, match="twice"):
        load_yaml("1: a\n1.0: b\n")  # one key to Python


def test_duplicate_keys_can_be_collected_instead() -> None:
    text = "stories:\n  a: {t: 1}\n  b: {t: 2}\n  a: {t: 3, t: 4}\nlist:\n- {x: 1, x: 2}\n"
    data, duplicates = load_yaml(text, collect_duplicates=True)
    assert data == {"stories": {"a": {"t": 1}, "b": {"t": 2}}, "list": [{"x": 1}]}
    assert duplicates == [(("stories",), "a", {"t": 3}), (("stories", "a"), "t", 4), (("list", "0"), "x", 2)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("base: {a: 1}\nother:\n  <<: {a: 2}\n", "merge key"),
        ("? [1, 2]\n: x\n", "not a plain value"),
        ("? {a: 1}\n: x\n", "not a plain value"),
        ("[" * 65 + "]" * 65, "deeper than 64"),
        ("a: 2026-02-30\n", "cannot be read"),
        ("a: 1" + "0" * 5000 + "\n", "cannot be read"),
    ],
)
def test_what_else_is_refused(text: str, problem: str) -> None:
    with pytest.raises(RefusedYAML, match=problem):
        load_yaml(text)


def test_tags_outside_the_safe_schema_are_refused() -> None:
    for text in (
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!python/name:os.system\n",
        "a: !x 1\n",
    ):
        with pytest.raises(yaml.YAMLError):
            load_yaml(text)


def test_nesting_to_the_limit_is_read() -> None:
    assert load_yaml("[" * 64 + "]" * 64)[0] is not None


def test_too_many_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_yaml, "MAX_NODES", 50)
    assert load_yaml(str(list(range(40))))[0] == list(range(40))
    with pytest.raises(RefusedYAML, match="more than 50 values"):
        load_yaml(str(list(range(60))))


def test_an_empty_document_is_none() -> None:
    assert load_yaml("") == (None, [])
    assert load_yaml("# nothing here\n") == (None, [])


def test_more_than_one_document_is_an_error() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: 1\n---\nb: 2\n")


@FAST
@given(st.text(alphabet="ab1.-:,[]{}&*!<>?'\"\n #|%@`~0\t", max_size=60) | st.text(max_size=30))
def test_any_text_parses_or_raises_a_yaml_error(text: str) -> None:
    try:
        load_yaml(text, collect_duplicates=len(text) % 2 == 0)
    except yaml.YAMLError:
        pass


TYPICAL = {
    "title": "Ünïcode — “quoted” 日本語 🙂",
    "author": "O'Brien: the second",
    "path": "/home/me/stories/a: b.epub",
    "position": {"chapter": 3, "offset": 1200, "snippet": "She said: 'no' — #not a comment"},
    "progress": 0.25,
    "last_read": GOOD,
    "status": "reading",
    "bookmarks": [{"name": "Ch. 3", "position": {"chapter": 3, "offset": 0}, "created": GOOD}],
    "days": {"2026-11-21": [1260.4, 5230]},
    "also": ["yes", "null", "1.0", "2026-11-21"],
}


def test_a_typical_record_round_trips() -> None:
    text = dump_yaml(TYPICAL)
    assert "日本語" in text and "\\u" not in text
    assert load_yaml(text) == (TYPICAL, [])


def test_an_object_met_twice_is_dumped_twice_without_aliases() -> None:
    shared = {"chapter": 1, "offset": 2}
    data = {"position": shared, "bookmarks": [{"position": shared}, {"position": shared}]}
    text = dump_yaml(data)
    assert "&" not in text and "*" not in text
    assert load_yaml(text)[0] == data


# Records: one rule at a time ----------------------------------------------------------------


def cleaned(raw: object) -> tuple[dict[str, Any], list[str]]:
    return clean_entry(raw, "s.yaml")


def test_a_record_that_is_not_a_mapping_is_empty() -> None:
    assert cleaned(["a"]) == ({}, ["s.yaml: dropped the record (['a']): not a mapping"])
    assert cleaned(None)[0] == {}


def test_a_good_record_is_kept_as_it_is() -> None:
    raw = {**TYPICAL, "fingerprint": "md5:0123abcd", "id": "x", "chapters": 12, "reading_time": 30}
    raw |= {"status_changed": GOOD, "finished": LATER, "deleted_bookmarks": ["k"], "version": 2}
    entry, notices = cleaned(raw)
    assert notices == [] and entry == {**raw, "reading_time": 30.0}


def test_an_impossible_stamp_is_dropped_with_a_notice() -> None:
    entry, notices = cleaned({"title": "T", "last_read": "0001-01-01T00:00:00"})
    assert entry == {"title": "T"}
    assert notices == ["s.yaml: dropped last_read ('0001-01-01T00:00:00'): not a real time"]
    assert cleaned({"finished": datetime(2026, 1, 1, tzinfo=timezone.utc)})[0] == {}
    assert cleaned({"status_changed": "2026-01-01T10:00:00"})[0] == {}  # naive


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("title", 5),
        ("author", None),
        ("path", ["a"]),
        ("id", "x" * 10_001),
        ("fingerprint", "MD5:ABC"),
        ("fingerprint", "a" * 81),
        ("chapters", True),
        ("chapters", -1),
        ("chapters", 1_000_001),
        ("chapters", 2.5),
        ("chapters", math.inf),
        ("progress", 1.5),
        ("progress", math.nan),
        ("progress", "0.5"),
        ("reading_time", -1),
        ("reading_time", math.inf),
        ("reading_time", 2e9),
        ("status", "someday"),
        ("status", 1),
        ("version", "1"),
        ("version", True),
        ("also", "a"),
        ("bookmarks", {"a": 1}),
        ("deleted_bookmarks", None),
        ("days", [1, 2]),
        ("position", "3:100"),
        ("position", {"chapter": -1, "offset": 0}),
        ("position", {"chapter": 1, "offset": 2e9 + 1}),
        ("position", {"chapter": True, "offset": 0}),
        ("position", {"offset": 5}),
    ],
)
def test_a_value_of_the_wrong_type_or_range_is_dropped(key: str, bad: object) -> None:
    entry, notices = cleaned({key: bad, "note": "kept"})
    assert entry == {"note": "kept"}
    assert len(notices) == 1 and notices[0].startswith(f"s.yaml: dropped {key} (")


def test_whole_floats_count_as_ints_and_statuses_are_normalised() -> None:
    entry, notices = cleaned(
        {"chapters": 3.0, "position": {"chapter": 2.0, "offset": 10}, "status": "On hold"}
    )
    assert entry == {"chapters": 3, "position": {"chapter": 2, "offset": 10}, "status": "on-hold"}
    assert type(entry["chapters"]) is int and notices == []
    assert cleaned({"progress": 1})[0] == {"progress": 1.0}


def test_a_long_snippet_is_cut_and_unknown_inner_keys_kept_if_plain() -> None:
    position = {"chapter": 1, "offset": 2, "snippet": "x" * 300, "page": 7, "odd": {1.5}}
    entry, notices = cleaned({"position": position})
    assert entry["position"] == {"chapter": 1, "offset": 2, "snippet": "x" * 200, "page": 7}
    assert notices[0].startswith("s.yaml: shortened position.snippet (") and "200 characters" in notices[0]
    assert notices[1] == "s.yaml: dropped position.odd ({1.5}): not plain data (set)"


def test_a_bad_snippet_is_dropped_alone() -> None:
    entry, notices = cleaned({"position": {"chapter": 1, "offset": 2, "snippet": 5}})
    assert entry == {"position": {"chapter": 1, "offset": 2}}
    assert notices == ["s.yaml: dropped position.snippet (5): not text"]


def test_lists_of_text_keep_the_good_items() -> None:
    entry, notices = cleaned({"also": ["a", 1, "b", None], "deleted_bookmarks": ["k", "x" * 10_001]})
    assert entry == {"also": ["a", "b"], "deleted_bookmarks": ["k"]}
    assert notices[:2] == [
        "s.yaml: dropped also[1] (1): not text",
        "s.yaml: dropped also[3] (None): not text",
    ]
    assert notices[2].startswith("s.yaml: dropped deleted_bookmarks[1] ('xxx") and "10,000" in notices[2]


def test_bookmarks_need_a_real_creation_and_position() -> None:
    place = {"chapter": 1, "offset": 2}
    raw = [
        {"name": "ok", "position": place, "created": GOOD, "renamed": LATER, "colour": "red"},
        {"name": "no date", "position": place, "created": "2026-11-21"},
        {"name": "no place", "position": {"chapter": "one", "offset": 2}, "created": GOOD},
        {"name": 7, "position": place, "created": GOOD, "renamed": "later"},
        {"position": place, "created": GOOD},
        "a string",
    ]
    entry, notices = cleaned({"bookmarks": raw})
    assert entry["bookmarks"] == [
        raw[0],
        {"name": "", "position": place, "created": GOOD},
        {"name": "", "position": place, "created": GOOD},
    ]
    assert notices[0].startswith("s.yaml: dropped bookmarks[1] (") and notices[0].endswith(
        "created not a real time"
    )
    assert notices[1].startswith("s.yaml: dropped bookmarks[2] (")
    assert notices[1].endswith("position chapter or offset not a whole number")
    assert notices[2:] == [
        "s.yaml: dropped bookmarks[3].name (7): not text (the name is now empty)",
        "s.yaml: dropped bookmarks[3].renamed ('later'): not a real time",
        "s.yaml: dropped bookmarks[5] ('a string'): not a mapping",
    ]


def test_days_keep_real_dates_with_seconds_and_words() -> None:
    days = {
        "2026-11-21": [1260.4, 5230],
        date(2026, 11, 22): (60, 100.0),  # an unquoted date in the file
        "2026-02-30": [1, 1],
        "20261123": [1, 1],
        "2026-11-24": [86_401, 1],
        "2026-11-25": [1, -1],
        "2026-11-26": [1, 2, 3],
        "2026-11-27": [math.nan, 1],
        datetime(2026, 11, 28, 10): [1, 1],
    }
    entry, notices = cleaned({"days": days})
    assert entry == {"days": {"2026-11-21": [1260.4, 5230], "2026-11-22": [60.0, 100]}}
    assert len(notices) == 1 and notices[0].startswith("s.yaml: dropped 7 unreadable days from days (")
    assert type(entry["days"]["2026-11-22"][1]) is int


def test_unknown_keys_are_kept_only_when_plain() -> None:
    raw = {
        "newer": {"a": [1, 2.5, None, True], 3: "x"},
        "when": date(2026, 1, 1),
        "nan": [1, math.nan],
        "deep": [[[[[[[[[1]]]]]]]]],
        "big": list(range(10_001)),
        "huge": 10**30,
        5: "not a text key",
    }
    entry, notices = cleaned(raw)
    assert entry == {"newer": raw["newer"]}
    assert entry["newer"] is not raw["newer"] and entry["newer"]["a"] is not raw["newer"]["a"]
    assert [notice.split(" (")[0] for notice in notices] == [
        f"s.yaml: dropped {key}" for key in ("when", "nan", "deep", "big", "huge", "key 5")
    ]


def test_plain() -> None:
    assert plain(None) and plain({"a": [1, 2.0, "x", False, {"b": None}]}) and plain([[[[[[[[1]]]]]]]])
    assert not plain([[[[[[[[[1]]]]]]]]]) and not plain(math.inf) and not plain((1, 2))
    assert not plain({1.5: "x"}) and not plain("x" * 10_001) and not plain(list(range(10_001)))
    loop: list[Any] = []
    loop.append(loop)
    assert not plain(loop)


def test_a_huge_number_is_named_shortly_in_a_notice() -> None:
    entry, notices = cleaned({"chapters": 10**5000, "title": "T" * 10_001})
    assert entry == {} and all(len(notice) < 200 for notice in notices)


def test_a_hand_edited_file_is_read_and_cleaned() -> None:
    text = (
        "title: T\nlast_read: 2026-11-21 10:00:00+01:00\nprogress: .nan\n"
        "days:\n  2026-11-21: [60, 100]\n  '2026-11-22': [30, 50]\n"
    )
    entry, notices = cleaned(load_yaml(text)[0])
    assert entry == {"title": "T", "days": {"2026-11-21": [60.0, 100], "2026-11-22": [30.0, 50]}}
    assert [notice.split(" (")[0] for notice in notices] == [
        "s.yaml: dropped last_read",  # an unquoted time is a datetime to YAML, not the text of a stamp
        "s.yaml: dropped progress",
    ]


# Records: any input ------------------------------------------------------------------------

AWARE = st.sampled_from([timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])
ZONES = st.none() | AWARE
REAL_STAMPS = st.datetimes(datetime(2000, 1, 2), datetime(2200, 12, 30), timezones=AWARE).map(
    datetime.isoformat
)
STAMPS = st.one_of(
    REAL_STAMPS,
    st.sampled_from([GOOD, LATER, "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00", "2026-11-21", "later"]),
    st.datetimes(timezones=ZONES).map(datetime.isoformat),
    st.datetimes(timezones=ZONES),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, -(2**63), 2**63, 10**400]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 3.0, 0.5, 1e300]),
    st.text(max_size=12),
    st.just("x" * 10_001),
    STAMPS,
    st.dates(),
)
ANY = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(
            st.one_of(st.text(max_size=6), st.integers(), st.none(), st.dates()), inner, max_size=4
        ),
    ),
    max_leaves=12,
)
WHOLE = st.integers(min_value=0, max_value=1_000_000)
NUMBERS = st.one_of(
    WHOLE.map(float), st.integers(min_value=-2, max_value=2_000_000_002), st.floats(), st.booleans(), ANY
)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` three times in four, so that nested records are often valid deep down."""
    return st.sampled_from((good, good, good, bad)).flatmap(lambda strategy: strategy)


POSITIONS = mostly(
    st.fixed_dictionaries(
        {"chapter": mostly(WHOLE, NUMBERS), "offset": mostly(WHOLE, NUMBERS)},
        optional={"snippet": st.text(max_size=250) | ANY, "x": ANY},
    ),
    ANY,
)
BOOKMARKS = mostly(
    st.fixed_dictionaries(
        {
            "name": mostly(st.text(max_size=8), ANY),
            "position": POSITIONS,
            "created": mostly(REAL_STAMPS, STAMPS),
        },
        optional={"renamed": STAMPS, "note": ANY, 3: ANY},
    ),
    ANY,
)
DAYS = mostly(
    st.dictionaries(
        mostly(
            st.dates(date(2000, 1, 1)).map(date.isoformat) | st.dates(),
            st.one_of(st.dates().map(date.isoformat), st.datetimes(), st.text(max_size=10), SCALARS),
        ),
        mostly(
            st.tuples(st.floats(min_value=0, max_value=86_400), WHOLE)
            | st.lists(WHOLE, min_size=2, max_size=2),
            st.one_of(st.tuples(NUMBERS, NUMBERS), st.lists(NUMBERS, max_size=3), ANY),
        ),
        max_size=6,
    ),
    ANY,
)
TEXTS = mostly(st.lists(mostly(st.text(max_size=8), ANY), max_size=4), ANY)
FIELDS = {
    "title": mostly(st.text(), ANY),
    "author": mostly(st.text(), ANY),
    "path": ANY,
    "id": ANY,
    "fingerprint": st.from_regex(r"[0-9a-zA-Z:]{0,90}", fullmatch=True) | ANY,
    "also": TEXTS,
    "chapters": mostly(WHOLE, NUMBERS),
    "position": POSITIONS,
    "progress": st.floats(min_value=-0.5, max_value=1.5) | NUMBERS,
    "last_read": mostly(REAL_STAMPS, STAMPS | ANY),
    "status_changed": STAMPS,
    "finished": STAMPS,
    "reading_time": mostly(st.floats(min_value=0, max_value=1e9), NUMBERS),
    "status": st.sampled_from(["reading", "On hold", "plan_to_read", "someday"]) | ANY,
    "bookmarks": mostly(st.lists(BOOKMARKS, max_size=4), ANY),
    "deleted_bookmarks": TEXTS,
    "days": DAYS,
    "version": NUMBERS,
}
RECORDS = st.one_of(
    st.builds(
        lambda known, unknown: {**unknown, **known},
        st.fixed_dictionaries({}, optional=FIELDS),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.none()), ANY, max_size=3),
    ),
    ANY,
)


def finite_everywhere(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite_everywhere(key) and finite_everywhere(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(finite_everywhere(item) for item in value)
    return True


def whole(value: object, top: int) -> bool:
    return type(value) is int and 0 <= value <= top


def number(value: object, top: float) -> bool:
    return type(value) is float and 0 <= value <= top


def good_position(value: object) -> bool:
    assert isinstance(value, dict)
    snippet = value.get("snippet", "")
    return (
        whole(value["chapter"], 1_000_000)
        and whole(value["offset"], 2_000_000_000)
        and isinstance(snippet, str)
        and len(snippet) <= 200
        and all(isinstance(key, str) and plain(item) for key, item in value.items())
    )


def good_bookmark(value: object) -> bool:
    assert isinstance(value, dict)
    return (
        isinstance(value["name"], str)
        and good_position(value["position"])
        and valid_stamp(value["created"])
        and ("renamed" not in value or valid_stamp(value["renamed"]))
        and all(isinstance(key, str) for key in value)
    )


def good_day(day: object, value: object) -> bool:
    return (
        isinstance(day, str)
        and date.fromisoformat(day).isoformat() == day
        and isinstance(value, list)
        and len(value) == 2
        and number(value[0], 86_400)
        and whole(value[1], 10_000_000)
    )


def texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and len(item) <= 10_000 for item in value)


CHECKS = {
    "title": lambda value: isinstance(value, str) and len(value) <= 10_000,
    "fingerprint": lambda value: isinstance(value, str) and re.fullmatch(r"[0-9a-z:]{0,80}", value),
    "also": texts,
    "deleted_bookmarks": texts,
    "chapters": lambda value: whole(value, 1_000_000),
    "position": good_position,
    "progress": lambda value: number(value, 1),
    "reading_time": lambda value: number(value, 1e9),
    "last_read": lambda value: isinstance(value, str) and valid_stamp(value),
    "status": lambda value: value in STATUSES,
    "bookmarks": lambda value: isinstance(value, list) and all(good_bookmark(item) for item in value),
    "days": lambda value: isinstance(value, dict) and all(good_day(k, v) for k, v in value.items()),
    "version": lambda value: type(value) is int,
}
for _same, _as in (("author", "title"), ("path", "title"), ("id", "title")):
    CHECKS[_same] = CHECKS[_as]
for _same in ("status_changed", "finished"):
    CHECKS[_same] = CHECKS["last_read"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS)
def test_any_record_cleans_to_allowed_values_once_and_for_all(raw: object) -> None:
    before = pickle.dumps(raw)
    entry, notices = clean_entry(raw, "s.yaml")
    assert pickle.dumps(raw) == before  # raw is never changed
    assert all(notice.startswith("s.yaml: ") for notice in notices)
    assert finite_everywhere(entry)
    for key, value in entry.items():
        assert isinstance(key, str)
        assert CHECKS.get(key, plain)(value), (key, value)
    assert clean_entry(entry, "again") == (entry, [])
    assert load_yaml(dump_yaml(entry)) == (entry, [])


@FAST
@given(RECORDS)
def test_notices_are_short(raw: object) -> None:
    for notice in clean_entry(raw, "s.yaml")[1]:
        assert len(notice) < 250, notice


def test_the_rules_cover_the_documented_keys() -> None:
    assert set(records._RULES) == set(CHECKS)
