"""Keys remapped in config.yaml: they work, help and the palette show them, mistakes are said."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from tests_support import first_line, make_app, open_story

from reader.config import Config
from reader.ui.app import ReaderApp
from reader.ui.keymap import binding_ids, check_keymap, key_is_valid, normalise_keys
from reader.ui.screens.help import HelpScreen

README = ROOT / "README.md"


def app_with_keys(state_path: Path, tmp_path: Path, keys_yaml: str) -> ReaderApp:
    path = tmp_path / "keys-config.yaml"
    path.write_text("keys:\n" + keys_yaml, encoding="utf-8")
    return make_app(state_path, config=Config.load(path))


async def test_a_remapped_key_turns_the_page_and_the_old_one_no_longer_does(
    state_path: Path, tmp_path: Path
) -> None:
    app = app_with_keys(state_path, tmp_path, "  reading.next_page: [o, ctrl+f]\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_story(pilot, app, "static")
        start = first_line(app)
        await pilot.press("space")
        assert first_line(app) == start  # space was the default; the mapping replaces it
        await pilot.press("o")
        second = first_line(app)
        assert second != start
        await pilot.press("ctrl+f")
        assert first_line(app) != second
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "o ^F" in text and "Next page" in text
        await pilot.press("escape")
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Next page"] == "key: o ^F"


async def test_mistakes_in_the_keymap_are_reported_once_and_the_rest_is_used(
    state_path: Path, tmp_path: Path
) -> None:
    app = app_with_keys(
        state_path,
        tmp_path,
        "  reading.turn_page: o\n  reading.contents: ctrl+nothing\n  reading.bookmarks: n\n"
        "  reading.previous_page: u\n",
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(pilot, app, "static")
        notices = " ".join(str(n.message) for n in app._notifications)
        assert "no action is called 'reading.turn_page'" in notices
        assert "ctrl+nothing is not a key name" in notices
        assert "n is given to both" in notices
        start = first_line(app)
        await pilot.press("space", "space", "u")
        assert first_line(app) != start  # the good entry is used
        await pilot.press("t")  # contents keeps its default key
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TocScreen"


def test_every_binding_has_an_id_and_the_readme_lists_them_all() -> None:
    ids = binding_ids()
    assert len(ids) > 30 and "reading.next_page" in ids and "library.sort" in ids
    readme = README.read_text(encoding="utf-8")
    missing = [binding_id for binding_id in ids if f"`{binding_id}`" not in readme]
    assert not missing, f"README does not list: {missing}"


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("a", True),
        ("ctrl+n", True),
        ("f5", True),
        ("question_mark", True),
        ("pagedown", True),
        ("ctrl+nothing", False),
        ("hyperspace", False),
        ("cmd+a", False),
    ],
)
def test_key_names(key: str, valid: bool) -> None:
    assert key_is_valid(key) is valid


def test_keys_are_spelt_as_textual_spells_them() -> None:
    assert normalise_keys("?, n ,:") == "question_mark,n,colon"
    keymap, problems = check_keymap({"reading.help": "h", "reading.previous_page": "k,up"})
    assert keymap == {"reading.help": "h", "reading.previous_page": "k,up"} and not problems


def test_config_keeps_the_keys_as_written(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("keys:\n  reading.next_page: [space, n]\n  odd: {}\n", encoding="utf-8")
    config = Config.load(path)
    assert config.keys == {"reading.next_page": "space,n"}
    assert config.notes == ["keys: odd: give a key, or a list of keys"]
    config.text_width = 60
    before = path.read_text(encoding="utf-8")
    config.save(path)
    assert path.read_text(encoding="utf-8") == before  # the user's file is only ever read
    assert Config.load(path).text_width == 60
