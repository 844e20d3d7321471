"""The library full-text index (reader.search.index): queries, ranking, updates, damage, threads."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import paths
from reader.formats import load_story
from reader.search.index import Hit, IndexUnavailable, QueryError, SearchIndex


def write_story(
    root: Path,
    name: str,
    chapters: list[list[str]],
    title: str = "Untitled",
    author: str = "Anon",
    fandom: str = "Tidewater",
    tags: str = "fluff",
) -> Path:
    """A plain-text story with a header and "Chapter N: …" headings."""
    parts = [f"Title: {title}\nAuthor: {author}\nFandom: {fandom}\nTags: {tags}"]
    for number, paragraphs in enumerate(chapters, 1):
        parts.append(f"Chapter {number}: Part {number}")
        parts.extend(paragraphs)
    path = root / name
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write_story(
        root,
        "harbour.txt",
        [
            ["The boat came in at dusk.", "Alpha walked along the quay, and nobody saw."],
            ["The quiet harbour slept under fog.", "Beta said nothing for a long while; alpha waited."],
        ],
        title="Harbour Lights",
        author="Mira Quell",
        tags="slow burn, angst",
    )
    write_story(
        root,
        "lanterns.txt",
        [["Lanterns swung from every mast.", "A lantern fell into the harbour, quiet as a stone."]],
        title="The Lantern Fair",
        author="Tobias Wren",
        fandom="Hollow Stars",
    )
    write_story(
        root,
        "cafe.txt",
        [["They met at the café on the corner.", "Ёлка стояла у окна, и письмо лежало рядом."]],
    )
    return root


@pytest.fixture
def index(library: Path, tmp_path: Path) -> SearchIndex:
    built = SearchIndex(library, tmp_path / "index.sqlite3")
    report = built.update()
    assert report.failed == 0
    yield built
    built.close()


def matched(hit: Hit) -> str:
    """The text a hit points at, read from the story as the reader loads it."""
    story = load_story(hit.path)
    return story.chapters[hit.chapter].text[hit.offset : hit.offset + hit.length]


def marked(hit: Hit) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.marks]


# Queries -------------------------------------------------------------------------------


def test_hit_knows_chapter_offset_snippet_and_marks(index: SearchIndex) -> None:
    [hit] = index.search("quay")
    assert (hit.title, hit.chapter, hit.chapter_title) == ("Harbour Lights", 0, "Chapter 1: Part 1")
    assert Path(hit.path).name == "harbour.txt" and hit.id.startswith("md5:")
    assert matched(hit) == "quay"
    assert "\n" not in hit.snippet and "Alpha walked along the quay" in hit.snippet
    assert marked(hit) == ["quay"]


def test_offset_is_case_insensitive_and_in_later_chapters(index: SearchIndex) -> None:
    hits = index.search("BETA")
    assert [(hit.chapter, matched(hit)) for hit in hits] == [(1, "Beta")]


def test_all_words_must_be_in_one_passage_in_any_order(index: SearchIndex) -> None:
    hits = index.search("alpha beta")
    assert [matched(hit).lower() for hit in hits] == ["beta"]  # the passage holding both
    assert sorted(marked(hits[0])) == ["Beta", "alpha"]
    assert index.search("boat quiet") == []  # in two passages of one story: no hit


def test_phrase_keeps_word_order(index: SearchIndex) -> None:
    hits = index.search('"quiet harbour"')
    assert [matched(hit) for hit in hits] == ["quiet harbour"]
    assert index.search('"harbour quiet"')  # punctuation between is no matter
    assert index.search('"slept harbour"') == []
    assert len(index.search("harbour quiet")) == 2  # as words, both passages


def test_prefix(index: SearchIndex) -> None:
    hits = index.search("lantern*")
    assert sorted(matched(hit).lower() for hit in hits) == ["lantern", "lanterns"]
    assert index.search("lantern") and len(index.search("lantern")) == 1


def test_field_filters_alone_give_one_hit_per_story(index: SearchIndex) -> None:
    [hit] = index.search("author:Quell")
    assert hit.title == "Harbour Lights" and hit.chapter == 0 and hit.offset == 0
    assert [h.title for h in index.search("fandom:hollow")] == ["The Lantern Fair"]
    assert [h.title for h in index.search('tag:"slow burn"')] == ["Harbour Lights"]
    assert [h.title for h in index.search("title:lantern")] == ["The Lantern Fair"]
    assert len(index.search("fandom:tidewater")) == 2
    assert index.search("author:nobody") == []


def test_field_filters_narrow_words(index: SearchIndex) -> None:
    assert len(index.search("harbour")) == 2
    hits = index.search("harbour author:wren")
    assert [(hit.title, matched(hit)) for hit in hits] == [("The Lantern Fair", "harbour")]
    assert index.search('author:"Mira Quell" lantern') == []
    assert [h.title for h in index.search("AUTHOR:quell fandom:tidewater quiet")] == ["Harbour Lights"]


def test_unknown_field_is_just_text(index: SearchIndex) -> None:
    assert index.search("colour:harbour") == []  # "colour harbour" as a phrase
    assert len(index.search("colour:harbour harbour")) == 0


def test_more_occurrences_rank_higher_and_title_alone_does_not_match(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    filler = "The tide went out and came back in again over the grey stones of the shore"
    write_story(root, "once.txt", [[f"Marlow came. {filler} {filler}."]], title="Once")
    write_story(root, "often.txt", [[f"Marlow, Marlow, Marlow, Marlow and Marlow. {filler}."]], title="Often")
    write_story(root, "named.txt", [[filler + "."]], title="Marlow")
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update()
    assert [hit.title for hit in index.search("marlow")] == ["Often", "Once"]
    assert [hit.title for hit in index.search("title:marlow")] == ["Marlow"]


def test_one_story_gives_at_most_five_hits(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    write_story(
        root, "long.txt", [[f"Paragraph {n} of the long tale of the heron." for n in range(30)]], title="Long"
    )
    write_story(root, "short.txt", [["One heron, and then only reeds."]], title="Short")
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update()
    titles = [hit.title for hit in index.search("heron")]
    assert titles.count("Long") == 5 and titles.count("Short") == 1
    assert len(index.search("heron", limit=3)) == 3


def test_diacritics_are_folded_both_ways(index: SearchIndex, library: Path) -> None:
    [hit] = index.search("cafe")
    assert matched(hit) == "café" and marked(hit) == ["café"]
    write_story(library, "plain.txt", [["Then home to the cafe by the river."]], title="Plain")
    index.update()
    assert sorted(matched(hit) for hit in index.search("CAFÉ")) == ["cafe", "café"]


def test_cyrillic(index: SearchIndex) -> None:
    [hit] = index.search("ПИСЬМО")
    assert matched(hit) == "письмо" and hit.chapter == 0
    [hit] = index.search("ёлка")
    assert matched(hit) == "Ёлка"
    assert index.search("елка") == []  # FTS5 folds Latin accents only, as documented


def test_cjk_runs_are_one_token_found_by_prefix(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    write_story(root, "tokyo.txt", [["私は東京に行った。それから京都へ。"]])
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update()
    assert index.search("東京") == []  # inside the run 私は東京に行った: documented
    [hit] = index.search("私は東京*")
    assert matched(hit) == "私は東京に行った"
    assert [matched(hit) for hit in index.search("私*")] == ["私は東京に行った"]


def test_one_letter_prefix_is_a_query_error(index: SearchIndex) -> None:
    with pytest.raises(QueryError, match="two letters"):
        index.search("a*")
    assert index.search("al*")


def test_very_common_words_come_in_library_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    for n in range(4):
        write_story(root, f"s{n}.txt", [[f"The crane stood still, crane {n}."] * 7], title=f"S{n}")
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update()
    ranked = index.search("crane")
    monkeypatch.setattr("reader.search.index.RANK_BUDGET", 3)
    plain = index.search("crane")
    assert sorted(hit.title for hit in plain) == sorted(hit.title for hit in ranked)
    assert [hit.title for hit in plain] == ["S0"] * 5 + ["S1"] * 5 + ["S2"] * 5 + ["S3"] * 5
    assert all(matched(hit) == "crane" for hit in plain)
    assert [hit.title for hit in index.search('"crane stood"', limit=7)] == ["S0"] * 5 + ["S1"] * 2


def test_long_paragraph_is_cut_into_passages_with_true_offsets(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    long = " ".join(f"word{n}" for n in range(2000)) + " needle at the end"
    write_story(root, "big.txt", [["Short start.", long]])
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update()
    [hit] = index.search("needle")
    assert matched(hit) == "needle" and marked(hit) == ["needle"]
    assert len(hit.snippet) <= 125
    [hit] = index.search("word1999")
    assert matched(hit) == "word1999"


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "AND",
        "OR",
        "NOT",
        "*",
        "**",
        "NEAR(",
        "NEAR(a b)",
        "-x",
        "a:b",
        ":",
        "author:",
        "(",
        ")",
        "{body}: x",
        "^harbour",
        "harbour -quiet",
        "harbour AND",
        '"quiet harbour',
        "",
        "   ",
        "\t\n",
        "a" * 5000,
        "x'y",
        "\\",
        "%",
        "_",
        "quiet*harbour",
        "tag:",
        'title:"',
        "\x00",
    ],
)
def test_hostile_queries_never_raise_anything_but_query_error(index: SearchIndex, text: str) -> None:
    try:
        hits = index.search(text)
    except QueryError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert isinstance(hits, list)


def test_any_text_gives_hits_or_a_query_error(index: SearchIndex) -> None:
    pieces = st.sampled_from(
        ['"', "*", ":", "(", ")", "-", "AND", "OR", "NOT", "NEAR", "^", "{", "author:", "tag:"]
    )
    words = st.sampled_from(["harbour", "quiet", "lantern", "café", "письмо", "alpha"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces | words | st.text(max_size=4), max_size=8), st.booleans())
    def check(parts: list[str], regex: bool) -> None:
        try:
            hits = index.search("".join(parts) if regex else " ".join(parts), regex=regex)
        except QueryError as error:
            assert str(error) and "\n" not in str(error)
        else:
            assert all(matched(hit).strip() or hit.length == 0 for hit in hits)

    check()


def test_hostile_queries_that_should_just_work(index: SearchIndex) -> None:
    assert len(index.search("harbour AND")) == 0  # "and" is a word: no passage has both
    assert len(index.search("AND")) == 1
    assert index.search('"quiet harbour') and index.search("-harbour")
    assert index.search("(quiet)") and index.search("^harbour")
    assert index.search("") == [] and index.search("   ") == [] and index.search('"') == []


def test_too_many_words_is_a_query_error(index: SearchIndex) -> None:
    with pytest.raises(QueryError):
        index.search(" ".join(["word"] * 100))


def test_regex_mode(index: SearchIndex) -> None:
    hits = index.search(r"lant[e]rns?\b", regex=True)
    assert sorted(matched(hit) for hit in hits) == ["Lanterns", "lantern"]
    assert [marked(hit) for hit in hits if matched(hit) == "lantern"] == [["lantern"]]
    assert [h.title for h in index.search(r"harbou?r author:quell", regex=True)] == ["Harbour Lights"]
    assert index.search("x*", regex=True) == []  # only empty matches: no hit
    assert index.search("(", regex=False) == []


def test_bad_regex_is_a_query_error(index: SearchIndex) -> None:
    with pytest.raises(QueryError, match="missing \\)"):
        index.search("(unclosed", regex=True)


# Building and updating -----------------------------------------------------------------


def test_nothing_is_created_until_used_and_default_path(library: Path) -> None:
    index = SearchIndex(library)
    digest = hashlib.sha1(str(library.resolve()).encode()).hexdigest()
    assert index.db_path == paths.cache_dir() / "index" / f"{digest}.sqlite3"
    assert index.is_empty() and index.search("harbour") == []
    assert not index.db_path.parent.exists()
    progress: list[tuple[int, int]] = []
    report = index.update(progress=lambda done, total: progress.append((done, total)))
    assert (report.added, report.changed, report.removed, report.failed) == (3, 0, 0, 0)
    size = sum(path.stat().st_size for path in library.iterdir())  # progress counts bytes
    assert progress[0] == (0, size) and progress[-1] == (size, size)
    assert index.db_path.exists() and not index.is_empty()
    assert index.search("harbour")
    index.close()


def test_update_is_incremental(index: SearchIndex, library: Path) -> None:
    report = index.update()
    assert (report.added, report.changed, report.removed, report.failed) == (0, 0, 0, 0)

    write_story(library, "lanterns.txt", [["A kestrel hovered over the fair."]], title="The Lantern Fair")
    report = index.update()
    assert (report.added, report.changed, report.removed) == (0, 1, 0)
    assert index.search("lanterns") == [] and [matched(h) for h in index.search("kestrel")] == ["kestrel"]

    write_story(library, "new.txt", [["The osprey dived."]], title="New")
    assert index.update().added == 1 and index.search("osprey")
    osprey_id = index.search("osprey")[0].id

    (library / "new.txt").rename(library / "renamed.txt")
    report = index.update()
    assert (report.added, report.removed) == (1, 1)
    [hit] = index.search("osprey")
    assert Path(hit.path).name == "renamed.txt" and hit.id == osprey_id  # known by its content

    (library / "renamed.txt").unlink()
    assert index.update().removed == 1 and index.search("osprey") == []


def test_sidecar_and_story_folder_changes_are_seen(index: SearchIndex, library: Path) -> None:
    (library / "cafe.yaml").write_text("author: Sidecar Person\n", encoding="utf-8")
    assert index.update().changed == 1
    assert [Path(hit.path).name for hit in index.search("author:sidecar")] == ["cafe.txt"]

    folder = library / "serial"
    folder.mkdir()
    (folder / "story.yaml").write_text("title: The Serial\n", encoding="utf-8")
    (folder / "01.txt").write_text("The first part.\n", encoding="utf-8")
    (folder / "02.txt").write_text("The second part, with a pelican.\n", encoding="utf-8")
    assert index.update().added == 1
    [hit] = index.search("pelican")
    assert hit.title == "The Serial" and hit.chapter == 1 and matched(hit) == "pelican"
    (folder / "02.txt").write_text("The second part, with a cormorant!\n", encoding="utf-8")
    assert index.update().changed == 1
    assert index.search("pelican") == [] and index.search("cormorant")


def test_unreadable_files_fail_and_are_skipped(index: SearchIndex, library: Path) -> None:
    (library / "empty.txt").write_text("", encoding="utf-8")
    report = index.update()
    assert (report.added, report.failed) == (0, 1)
    assert index.update().failed == 0  # not retried until the file changes
    assert index.search("harbour")
    write_story(library, "empty.txt", [["Now with a wren in it."]])
    assert index.update().changed == 1 and index.search("wren")


def test_should_stop_stops_early_and_a_later_update_completes(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    for n in range(6):
        write_story(root, f"s{n}.txt", [[f"Story {n} tells of the owl."]], title=f"S{n}")
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    calls: list[int] = []
    report = index.update(progress=lambda done, total: calls.append(done), should_stop=lambda: len(calls) > 2)
    assert report.added == 2 and index.is_empty()  # not complete yet: the UI keeps its progress bar
    assert len(index.search("owl")) == 2
    report = index.update()
    assert report.added == 4 and not index.is_empty()
    assert len(index.search("owl")) == 6


@pytest.mark.parametrize("damage", ["garbage", "truncated", "old-version", "foreign"])
def test_damaged_index_is_rebuilt(index: SearchIndex, library: Path, tmp_path: Path, damage: str) -> None:
    path = index.db_path
    index.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all \x00\xff" * 200)
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[:4096] + b"\xde\xad" * 3000)
    elif damage == "old-version":
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA user_version = 999")
        conn.close()
    else:
        path.unlink()
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE other(x)")
        conn.close()
    fresh = SearchIndex(library, path)
    report = fresh.update()
    assert report.added == 3 and report.failed == 0
    assert [matched(hit) for hit in fresh.search("quay")] == ["quay"]
    fresh.close()


def test_garbage_index_reads_as_empty_before_the_rebuild(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    path.write_bytes(b"\x00garbage" * 1000)
    index = SearchIndex(library, path)
    assert index.search("harbour") == [] and index.is_empty()
    assert index.update().added == 3 and index.search("harbour")


def test_unwritable_cache_folder_is_a_clear_os_error(library: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    index = SearchIndex(library, blocker / "index.sqlite3")
    with pytest.raises(IndexUnavailable, match="cannot be used") as raised:
        index.update()
    assert isinstance(raised.value, OSError)
    assert index.search("harbour") == [] and index.is_empty()


def test_missing_library_folder_is_reported_and_the_index_kept(index: SearchIndex, tmp_path: Path) -> None:
    gone = SearchIndex(tmp_path / "nowhere", index.db_path)
    with pytest.raises(FileNotFoundError):
        gone.update()
    assert index.search("quay")


def test_search_from_threads_while_updating(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    for n in range(40):
        paragraphs = [f"Line {k} of story {n}: the badger dug and the badger slept." for k in range(40)]
        write_story(root, f"s{n:02d}.txt", [paragraphs], title=f"S{n}")
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update(should_stop=lambda: True)  # the file exists, so searches start at once
    errors: list[BaseException] = []
    done = threading.Event()

    def searcher() -> None:
        while not done.is_set():
            try:
                for hit in index.search("badger slept"):
                    assert matched(hit) in ("badger", "slept")
            except BaseException as error:  # noqa: BLE001 - collected for the assert below
                errors.append(error)
                return

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        report = index.update()
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert report.added == 40
    assert len(index.search("badger", limit=500)) == 40 * 5
    index.close()


# The sample library ----------------------------------------------------------------------


def test_sample_library_indexes_and_finds_real_words(tmp_path: Path) -> None:
    index = SearchIndex(SAMPLE, tmp_path / "i.sqlite3")
    report = index.update()
    assert (report.added, report.failed) == (9, 0)
    for query, title in [
        ("lighthouse", "What the Static Keeps"),
        ("kettle whistle", "The Midwinter Menu"),
        ('"the lock meadow"', "The Lock-Keeper's Lodger"),
        ("ветлугина", "Письмо без адреса"),
        ("lock*", None),
        ("письмо", "Письмо без адреса"),
        ("author:Северцева", "Письмо без адреса"),
    ]:
        hits = index.search(query)
        assert hits, query
        if title:
            assert title in {hit.title for hit in hits}, query
        for hit in hits:
            story = load_story(hit.path, SAMPLE)
            assert hit.id == story.id
            assert story.chapters[hit.chapter].title == hit.chapter_title
            if hit.length:
                word = story.chapters[hit.chapter].text[hit.offset : hit.offset + hit.length]
                assert word.casefold() in query.casefold() or query.endswith("*"), (query, word)
    index.close()


@pytest.mark.parametrize("table", ["stories", "places"])
def test_damage_inside_the_file_is_found_and_rebuilt(index: SearchIndex, library: Path, table: str) -> None:
    """Damage in a small table is found by the first update's quick_check; in the big tables
    of passages and their places, by the search that reads it, and the next update then rebuilds."""
    path = index.db_path
    index.close()
    with sqlite3.connect(path) as conn:
        try:
            pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
        except sqlite3.OperationalError:
            pytest.skip("SQLite built without the dbstat table")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    for page in pages:
        data[(page - 1) * page_size : page * page_size] = b"\x07" * page_size
    path.write_bytes(bytes(data))
    damaged = SearchIndex(library, path)
    if table == "places":
        assert damaged.update().added == 0  # not read by the update
        with pytest.raises(IndexUnavailable, match="malformed"):
            damaged.search("quay")
    report = damaged.update()
    assert report.added == 3
    assert [matched(hit) for hit in damaged.search("quay")] == ["quay"]
    damaged.close()


def test_search_sees_one_state_while_stories_change_and_go(tmp_path: Path) -> None:
    """Hits are built from one snapshot: a story re-indexed or deleted meanwhile never breaks one."""
    root = tmp_path / "lib"
    root.mkdir()

    def write_all(round_: int) -> None:
        for n in range(12):
            paragraphs = [f"Round {round_}, line {k}: the otter swam on." for k in range(30 + round_ % 3)]
            write_story(root, f"s{n:02d}.txt", [paragraphs], title=f"S{n}")

    write_all(0)
    index = SearchIndex(root, tmp_path / "i.sqlite3")
    index.update()
    errors: list[BaseException] = []
    done = threading.Event()

    def searcher() -> None:
        while not done.is_set():
            try:
                index.search("otter swam", limit=200)
                index.search("title:s1 otter")
            except BaseException as error:  # noqa: BLE001 - collected for the assert below
                errors.append(error)
                return

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(1, 8):
            write_all(round_)
            (root / f"s{round_:02d}.txt").unlink()
            index.update()
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    index.close()
