"""Stories from strangers, as a user meets them: escape sequences in titles and text, odd file
names, pipes and devices, links out of the library. Nothing reaches the terminal raw, nothing
hangs, one bad file hides no other."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from tests_support import make_app, open_story, run_reader, screen_lines, wait_for_library

FILLER = "Quiet words about the harbour at night. " * 40
#: What no plain output may hold: C0 controls but newline and tab, DEL, C1 controls.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ODD = os.fsdecode(b"odd-\xff-name.txt")  # a name that is not valid UTF-8


def hostile_library(folder: Path) -> Path:
    folder.mkdir()
    (folder / "evil.txt").write_text(
        "Title: Evil\x1b[2JTitle\nAuthor: Mal\x1b]52;c;UFdORUQ=\x07lory\nFandom: F\u202eoo\n\n"
        f"{FILLER}\n\nBody \x1b]52;c;UFdORUQ=\x07 and \x1b[31mred\x1b[0m, "
        f"\x1bP+qPWNED\x1b\\ end.\n\n{FILLER}",
        encoding="utf-8",
    )
    (folder / ODD).write_text(f"Title: Odd Name Story\nAuthor: A\n\n{FILLER}", encoding="utf-8")
    (folder / "ctl\x1b[2Jname.txt").write_text(f"Title: Control Name\nAuthor: A\n\n{FILLER}", "utf-8")
    (folder / "fine.txt").write_text(f"Title: Fine Story\nAuthor: A\n\n{FILLER}", encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    outside = folder.parent / "outside.txt"
    outside.write_text(f"Title: Outside Story\nAuthor: A\n\nroot secret {FILLER}", encoding="utf-8")
    os.symlink(outside, folder / "outside.txt")
    os.symlink(folder / "fine.txt", folder / "inside-link.txt")  # a link inside the library is fine
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = run_reader(*args)
    for stream in (result.stdout, result.stderr):
        assert not CONTROLS.search(stream), repr(CONTROLS.search(stream))
    return result.returncode, result.stdout, result.stderr


def test_list_search_and_dump_print_no_control_byte(tmp_path: Path) -> None:
    library = hostile_library(tmp_path / "lib")
    code, out, err = run("list", "--library", str(library))
    assert code == 0
    for title in ("EvilTitle", "Odd Name Story", "Control Name", "Fine Story"):
        assert title in out
    assert "Outside Story" not in out
    assert "fifo.txt: not a regular file (a pipe)" in err
    assert "outside.txt: a link out of the library folder, not followed" in err
    assert "zero.txt: a link out of the library folder" in err
    code, out, err = run("search", "harbour", "--library", str(library), "--limit", "50")
    assert code == 0 and "Odd Name Story" in out and "Outside" not in out
    code, out, err = run("search", "secret", "--library", str(library))
    assert code == 1 and "secret" not in out
    code, out, err = run("dump", str(library / "evil.txt"))
    assert code == 0 and "Body  and red,  end." in out and "PWNED" not in out
    code, out, err = run("dump", str(library / "fifo.txt"))
    assert code == 2 and "not a regular file" in err


def test_json_escapes_and_keeps_the_raw_bytes_of_odd_names(tmp_path: Path) -> None:
    library = hostile_library(tmp_path / "lib")
    code, out, _ = run("list", "--library", str(library), "--json")
    rows = {row["title"]: row for row in json.loads(out)}
    odd = rows["Odd Name Story"]
    assert odd["path"].endswith("odd-\ufffd-name.txt")
    assert odd["path_bytes"].endswith("odd-%FF-name.txt")
    from urllib.parse import unquote_to_bytes

    assert unquote_to_bytes(odd["path_bytes"]) == os.fsencode(library / ODD)
    assert "path_bytes" not in rows["Fine Story"]
    assert rows["EvilTitle"]["metadata"]["fandom"] == ["Foo"]
    code, out, _ = run("search", "harbour", "--library", str(library), "--json", "--limit", "50")
    hits = json.loads(out)
    assert any(hit.get("path_bytes", "").endswith("odd-%FF-name.txt") for hit in hits)


def test_links_out_of_the_library_are_followed_when_the_config_says(tmp_path: Path) -> None:
    library = hostile_library(tmp_path / "lib")
    (tmp_path / "config.yaml").write_text("follow_outside_links: true\n", encoding="utf-8")
    code, out, err = run("list", "--library", str(library))
    assert code == 0 and "Outside Story" in out and "link out of" not in err
    assert "zero.txt: not a regular file (a device)" in err  # followed: still never read


def test_a_story_folder_does_not_follow_its_chapter_links_or_sidecar_out(tmp_path: Path) -> None:
    """A story folder whose chapter file, or whose story.yaml, is a link out of it: the story
    is refused with the link named, and nothing of the target is listed, indexed or shown."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Title: Secret\n\nthe private words of another file\n", encoding="utf-8")
    library = tmp_path / "lib"
    for name, link in (("chapters", "02.txt"), ("sidecar", "story.yaml")):
        folder = library / name
        folder.mkdir(parents=True)
        (folder / "01.txt").write_text(f"Chapter one\n\n{FILLER}", encoding="utf-8")
        (folder / "03.txt").write_text(f"Chapter three\n\n{FILLER}", encoding="utf-8")
        os.symlink(secret, folder / link)
    code, out, err = run("list", "--library", str(library))
    assert "02.txt: a link out of the story's folder, not followed" in err
    assert "story.yaml: a link out of the story's folder, not followed" in err
    assert "Secret" not in out
    code, out, err = run("search", "private", "--library", str(library))
    assert code == 1 and "private" not in out
    code, out, err = run("dump", str(library / "chapters"))
    assert code != 0 and "private" not in out and "02.txt: a link out" in err
    (tmp_path / "config.yaml").write_text("follow_outside_links: true\n", encoding="utf-8")
    code, out, err = run("dump", str(library / "chapters"))
    assert code == 0 and "private words" in out  # followed when the config says so


def test_a_library_of_odd_files_opens_in_the_reader(tmp_path: Path, state_path: Path) -> None:
    """The TUI lists every story, odd names too, and opens the one whose name is not UTF-8."""
    import asyncio

    library = hostile_library(tmp_path / "lib")

    async def go() -> None:
        app = make_app(state_path, library)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_for_library(pilot, app)
            titles = {entry.title for entry in screen.entries}
            assert {"EvilTitle", "Odd Name Story", "Control Name", "Fine Story"} <= titles
            await open_story(pilot, app, "odd name")
            assert any("harbour" in line for line in screen_lines(app))
            assert app.screen.story.path == str(library / ODD)

    asyncio.run(go())


@pytest.mark.parametrize("name", ["config.yaml", "settings.yaml"])
def test_a_config_of_the_wrong_shape_is_a_notice(tmp_path: Path, name: str) -> None:
    from reader.config import Config

    path = tmp_path / "config.yaml"
    (tmp_path / name).write_text("- a list\n- not a mapping\n", encoding="utf-8")
    config = Config.load(path)
    assert config.text_width == 70
    assert (config.problem or " ".join(config.notes)).endswith("it is not a mapping")
    path.write_text("text_width: wide\nshow_notes: 3\ntheme: [x]\nmax_story_mb: -1\n", encoding="utf-8")
    config = Config.load(path)
    assert (config.text_width, config.show_notes, config.theme, config.max_story_mb) == (70, True, None, 400)
    notes = [note for note in config.notes if note.startswith("config.yaml: ")]
    assert len(notes) == 4
    assert notes[0] == "config.yaml: text_width: ignored, it should be a number from 20 to 400"


async def test_a_config_turned_into_a_list_meanwhile_is_never_written(
    tmp_path: Path, state_path: Path
) -> None:
    from reader.config import Config

    config = tmp_path / "config.yaml"
    config.write_text("# mine, with a comment\ntext_width: 60\n", encoding="utf-8")
    app = make_app(state_path, config=Config.load(config))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(pilot, app, "static")
        config.write_text("- now a list\n", encoding="utf-8")
        await pilot.press("plus", "plus")
        await pilot.pause()
        assert app.screen.book is not None  # still reading
    assert config.read_text(encoding="utf-8") == "- now a list\n"  # only ever read
    assert Config.load(config).text_width > 60  # from settings.yaml, written beside it


def slow_story(path: Path) -> Path:
    """A Markdown story that takes seconds to read (emphasis nested 120,000 deep: linear, but
    every level is a pass)."""
    path.write_text("*_" * 120_000 + "a" + "_*" * 120_000, encoding="utf-8")
    return path


async def test_a_story_that_takes_too_long_is_abandoned_with_a_message(
    tmp_path: Path, state_path: Path
) -> None:
    import time

    from reader.config import Config

    library = tmp_path / "lib"
    library.mkdir()
    slow_story(library / "slow.md")
    app = make_app(state_path, library, config=Config(parse_seconds=1))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_library(pilot, app)
        started = time.monotonic()
        await pilot.press("enter")
        while not any("abandoned" in n.message for n in app._notifications):
            if time.monotonic() - started > 5:
                break
            await pilot.pause(0.05)
        notices = [n.message for n in app._notifications]
        assert any("slow.md: took longer than 1 s to read, abandoned" in n for n in notices), notices
        assert time.monotonic() - started < 2.5
        await pilot.press("q")  # back to the library at once
        await wait_for_library(pilot, app)
