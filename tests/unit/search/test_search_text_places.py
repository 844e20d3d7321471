"""Where the index finds a passage's text again (reader.search.extract, texts), regex mode
narrowed by the index (literals, regex_mode), and what the build leaves behind."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from test_search_index import library, matched, write_story  # noqa: F401 - a fixture

from reader.formats import load_story
from reader.library.cache import MetadataCache
from reader.library.scanning import scan_batches
from reader.search import building
from reader.search.extract import extract, from_file, from_packed
from reader.search.index import SearchIndex, scans_everything
from reader.search.literals import required
from reader.search.query import passages


def places_of(path: Path) -> list[tuple[str, str]]:
    """("file" or "packed", the text found again) of each passage of the story at ``path``."""
    data = path.read_bytes()
    found = []
    for _, _, _, at, length, packed in extract(path, path.parent).places:
        if at is None:
            assert packed is not None
            found.append(("packed", from_packed(packed)))
        else:
            found.append(("file", from_file(data[at : at + length])))
    return found


def test_passages_are_found_in_the_file_or_packed(tmp_path: Path) -> None:
    story = tmp_path / "s.txt"
    story.write_text(
        "Title: T\n\nCafé déjà vu — 東京 at dawn.\n\nHard\nwrapped\nlines here.\n\n"
        "Some _emphasis_ here.\n\n  Indented\n  lines.\n",
        encoding="utf-8",
    )
    texts = [text for _, _, text in passages(load_story(story, tmp_path))]
    found = places_of(story)
    assert [text for _, text in found] == texts  # every passage, exactly as indexed
    kinds = dict(zip(texts, (kind for kind, _ in found), strict=True))
    assert kinds["Café déjà vu — 東京 at dawn."] == "file"  # byte offsets past multi-byte text
    assert kinds["Hard wrapped lines here."] == "file"
    assert kinds["Some emphasis here."] == "packed"  # not in the file as it is
    assert kinds["Indented lines."] == "packed"


def test_a_file_not_in_utf8_is_packed(tmp_path: Path) -> None:
    story = tmp_path / "s.txt"
    story.write_bytes("Title: T\n\nCaf\xe9 au lait.\r\n\r\nSecond one.\r\n".encode("cp1252"))
    assert {kind for kind, _ in places_of(story)} == {"packed"}
    assert [text for _, text in places_of(story)][-2:] == ["Café au lait.", "Second one."]


def test_snippets_come_from_the_file_and_survive_a_change_before_the_update(
    library: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    index = SearchIndex(library, tmp_path / "i.sqlite3")
    index.update()
    [hit] = index.search("quay")
    assert "Alpha walked along the quay" in hit.snippet
    size = (tmp_path / "i.sqlite3").stat().st_size
    assert size < 200_000
    # the file changes and the index has not been updated yet: the hit shows the story now
    path = library / "harbour.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Alpha walked", "Gamma strolled"), encoding="utf-8"
    )
    [hit] = index.search("quay")
    assert "Gamma strolled along the quay" in hit.snippet and matched(hit) == "quay"
    path.unlink()  # and gone: no text, no error
    assert [h.snippet for h in index.search("quay")] == [""]
    index.close()


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        ("harbour", [("harbour",)]),
        (r"\bQuiet\s+harb\w+", [("quiet",), ("harb",)]),
        ("lantern|quay", [("lantern", "quay")]),
        ("(?:lan)tern(s)?", [("lantern",)]),
        ("(lan)tern", [("lan",), ("tern",)]),
        ("(?:harbour)?fo", []),  # "fo" is too short, "harbour" optional
        ("x|harbour", []),  # one alternative has no run to look up
        ("(?:quiet){2,}", [("quiet",)]),
        ("[a-z]+ing", [("ing",)]),
        ("ca.", []),
        ("CAFÉ", [("cafe",)]),
        ("ab_cd", []),  # the underscore splits words, as the index does
    ],
)
def test_required_runs_of_a_pattern(pattern: str, needs: list[tuple[str, ...]]) -> None:
    assert required(re.compile(pattern, re.IGNORECASE)) == needs
    assert scans_everything(pattern) == (not needs)


def brute_force(root: Path, pattern: str) -> list[tuple[str, int]]:
    """(file name, offset) of each passage with a non-empty match, by reading every story."""
    compiled = re.compile(pattern, re.IGNORECASE)
    found = []
    for path in sorted(root.glob("*.txt")):
        for _, start, text in passages(load_story(path, root)):
            if any(m.end() > m.start() for m in compiled.finditer(text)):
                found.append((path.name, start))
    return sorted(found)


@pytest.mark.parametrize(
    "pattern",
    ["harbour", r"lant\w+", "quay|fog", r"\bquiet\s+harb", "arbo", "(?:zzz)?[aeiou]{2}", "zzzqqq", "ёлк"],
)
def test_regex_mode_narrowed_finds_what_reading_everything_finds(
    library: Path,  # noqa: F811
    tmp_path: Path,
    pattern: str,
) -> None:
    index = SearchIndex(library, tmp_path / "i.sqlite3")
    index.update()
    hits = index.search(pattern, regex=True, limit=500)
    assert sorted(Path(hit.path).name for hit in hits) == [name for name, _ in brute_force(library, pattern)]
    index.close()


def test_changed_stories_leave_dead_passages_until_a_rebuild(
    library: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "i.sqlite3"
    index = SearchIndex(library, db)
    index.update()
    for round_ in range(3):
        write_story(library, "lanterns.txt", [[f"Round {round_}: a heron by the harbour."]], title="L")
        index.update()
    assert [matched(hit) for hit in index.search("heron")] == ["heron"]  # the old rows are skipped
    assert len(index.search("harbour")) == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM dead").fetchone()[0] == 3
    monkeypatch.setattr(building, "MIN_DEAD", 1)
    report = index.update()  # a quarter of the passages are dead: everything is indexed again
    assert report.added == 3
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM dead").fetchone()[0] == 0
    assert [matched(hit) for hit in index.search("heron")] == ["heron"]
    index.close()


def test_a_big_build_fills_the_library_cache(
    library: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(building, "VOCABULARY_PASS_FROM", 0)
    db = tmp_path / "i.sqlite3"
    SearchIndex(library, db).update()
    cache = MetadataCache(db)
    assert cache.open()
    assert sorted(cache.rows()) == ["cafe.txt", "harbour.txt", "lanterns.txt"]
    cache.close()
    [first, *rest] = list(scan_batches(library, db))
    assert len(first.entries) == 3 and first.final  # all from the cache: nothing parsed again


def index_of(root: Path, db: Path, **options: object) -> SearchIndex:
    index = SearchIndex(root, db)
    index.update(**options)  # type: ignore[arg-type]
    return index


def test_a_common_prefix_in_library_order_is_the_same_with_or_without_the_vocabulary(
    library: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reader.search import index as index_module

    monkeypatch.setattr(index_module, "RANK_BUDGET", 2)  # every query is "common": library order
    index = index_of(library, tmp_path / "i.sqlite3")
    queries = ["th*", "qu*", "ha*", '"the qu"*', "al* be*"]
    expanded = {query: [(h.path, h.offset) for h in index.search(query)] for query in queries}
    assert all(expanded.values())
    with sqlite3.connect(tmp_path / "i.sqlite3") as conn:
        conn.execute("DELETE FROM info WHERE key = 'vocabulary'")  # no vocabulary: FTS5's prefix
    conn.close()
    assert {query: [(h.path, h.offset) for h in index.search(query)] for query in queries} == expanded
    index.close()


def test_a_big_build_reads_the_vocabulary_from_the_index(
    library: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def words(db: Path) -> set[str]:
        with sqlite3.connect(db) as conn:
            found = {row[0] for row in conn.execute("SELECT term FROM words")}
        conn.close()
        return found

    index_of(library, tmp_path / "small.sqlite3").close()  # story by story
    monkeypatch.setattr(building, "VOCABULARY_PASS_FROM", 0)
    big = index_of(library, tmp_path / "big.sqlite3")  # read from the index at the end
    assert words(tmp_path / "big.sqlite3") == words(tmp_path / "small.sqlite3")
    assert {"harbour", "cafe", "ёлка", "lanterns"} <= words(tmp_path / "big.sqlite3")
    assert [matched(hit) for hit in big.search("arbou", regex=True)] == ["arbou", "arbou"]
    big.close()


def test_a_stopped_big_build_narrows_nothing_until_it_completes(
    library: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(building, "VOCABULARY_PASS_FROM", 0)
    calls: list[int] = []
    index = index_of(
        library,
        tmp_path / "i.sqlite3",
        progress=lambda d, t: calls.append(d),
        should_stop=lambda: len(calls) > 2,
    )
    with sqlite3.connect(tmp_path / "i.sqlite3") as conn:
        assert not conn.execute("SELECT 1 FROM info WHERE key = 'vocabulary'").fetchone()
    conn.close()
    hits = index.search("(?:harbour|lantern)", regex=True)  # read in full: still right
    assert hits and all(matched(hit).lower() in ("harbour", "lantern") for hit in hits)
    index.update()
    assert len(index.search("harbour|lantern", regex=True)) == 3
    index.close()


def test_after_many_passages_not_in_the_file_the_rest_are_packed(tmp_path: Path) -> None:
    from reader.search import extract as extract_module

    story = tmp_path / "s.txt"
    marked = [f"Paragraph _{n}_ marked." for n in range(extract_module.MISSES + 1)]
    story.write_text("Title: T\n\n" + "\n\n".join([*marked, "Plain at the end."]) + "\n", encoding="utf-8")
    found = places_of(story)
    assert found[-1] == ("packed", "Plain at the end.")  # no longer looked for
    story.write_text(
        "Title: T\n\n" + "\n\n".join([*marked[:3], "Plain at the end."]) + "\n", encoding="utf-8"
    )
    assert places_of(story)[-1] == ("file", "Plain at the end.")
