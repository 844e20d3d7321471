"""`reader serve` in a real browser: headless Chromium (Debian's) driven by Playwright opens
the page, opens a story, turns three pages; the story's state file records the new place."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from serving import Served, need_module, need_program, reader_serve

from reader.formats import load_story

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Where the screenshot for the test report goes (READER_TEST_REPORT overrides).
REPORT = Path(os.environ.get("READER_TEST_REPORT", ROOT / "test-report"))


def write_story(library: Path) -> Path:
    """One long story of our own: many pages, so three turns stay in the first chapter."""
    paragraphs = [
        f"Lamp {n}. The keeper of the harbour light climbed the stair again, counting the steps "
        f"aloud, and on landing {n} she wrote {n * 7} in the log before lamp {n} was lit."
        for n in range(1, 400)
    ]
    story = library / "the-harbour-light.txt"
    story.write_text(
        "Title: The Harbour Light\nAuthor: test_keeper\n\nChapter 1\n\n" + "\n\n".join(paragraphs) + "\n",
        encoding="utf-8",
    )
    return story


#: What the pages tried to fetch from another server (the reader's page lets nothing go out).
ESCAPED: list[str] = []


def elsewhere(route) -> None:  # type: ignore[no-untyped-def]
    ESCAPED.append(route.request.url)
    route.abort()


class Terminal:
    """What the reader sent to the page over its websocket, as text (escape codes and all)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._take))

    def _take(self, frame: str | bytes) -> None:
        self.frames.append(frame if isinstance(frame, str) else frame.decode("utf-8", "replace"))

    def mark(self) -> int:
        return len(self.frames)

    def wait_for(self, pattern: str, since: int = 0, seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = "".join(self.frames[since:])
            if re.search(pattern, text):
                return text
            self.page.wait_for_timeout(50)
        raise AssertionError(f"the page never showed {pattern!r}")


def wait_for_state(folder: Path, condition, seconds: float = 15):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in folder.glob("*.yaml"):
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
            if record and condition(record):
                return record
        time.sleep(0.1)
    raise AssertionError("the state file never held it")


@pytest.fixture
def chromium():  # type: ignore[no-untyped-def]
    need_module("textual_serve", "textual-serve")
    need_module("playwright", "playwright")
    executable = need_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_reader(browser, served: Served):  # type: ignore[no-untyped-def]
    """A tab on the reader (``browser``: a browser, or one context for tabs sharing cookies)."""
    page = browser.new_page()
    page.set_viewport_size({"width": 1000, "height": 640})
    # no network: anything but the reader's own address (the page asks for a web font) is cut
    page.route(re.compile(rf"^(?!{re.escape(served.base)}/).*"), lambda route: elsewhere(route))
    terminal = Terminal(page)
    page.goto(served.url)
    assert page.url == served.base + "/"  # the token went into a cookie, out of the address
    page.wait_for_selector("body.-first-byte", timeout=20_000)
    page.locator(".xterm-helper-textarea").focus()
    return page, terminal


def test_a_browser_reads_and_the_state_file_records_it(chromium, tmp_path: Path, state_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = tmp_path / "library"
    library.mkdir()
    story = write_story(library)
    with reader_serve(str(library), "--state", str(state_path)) as served:
        page, terminal = open_reader(chromium, served)
        terminal.wait_for(r"1 stor")  # the library, in the browser
        page.keyboard.press("Enter")
        terminal.wait_for(r"p\. 1/\d+")
        for number in (2, 3, 4):
            since = terminal.mark()
            page.keyboard.press("Space")
            shown = terminal.wait_for(rf"p\. {number}/\d+", since)
        REPORT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(REPORT / "serve-browser-page-4.png"))
        top = first_text_row(shown)  # the first line of page 4, as the browser got it
        assert re.search(r"\d", top), top  # each line of this story names its lamp
        record = wait_for_state(state_path, lambda r: starts(r, top))
        page.close()
    place = record["position"]
    assert record["title"] == "The Harbour Light" and place["chapter"] == 0
    chapter = load_story(story, library).chapters[0]
    assert place["offset"] > 0 and chapter.snippet(place["offset"]) == place["snippet"]
    assert 0 < record["progress"] < 0.5
    assert not ESCAPED  # the web font textual-serve's page asks Google for: refused by the page's policy


def first_text_row(output: str) -> str:
    """The text of the page's first line (screen row 2, under the title) in the terminal output."""
    row = re.search(r"\x1b\[2;1H(.*?)(?:\x1b\[\d+;1H|$)", output, re.DOTALL)
    assert row, "the page's first line was not sent"
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", row[1]).strip()


def starts(record: dict, line: str) -> bool:  # type: ignore[type-arg]
    """Whether a record's place is at the start of ``line`` (the snippet is the 40 characters there)."""
    snippet = " ".join(str((record.get("position") or {}).get("snippet", "")).split())
    line = " ".join(line.split())
    n = min(len(snippet), len(line), 30)
    return n >= 10 and snippet[:n] == line[:n]


def test_two_tabs_at_once_lose_nothing(chromium, tmp_path: Path, state_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two tabs (two reader processes) bookmark the same story: both bookmarks are kept."""
    library = tmp_path / "library"
    library.mkdir()
    write_story(library)
    with reader_serve(str(library), "--state", str(state_path)) as served:
        context = chromium.new_context()
        tabs = [open_reader(context, served) for _ in range(2)]
        for page, terminal in tabs:
            terminal.wait_for(r"1 stor")
            page.keyboard.press("Enter")
            terminal.wait_for(r"p\. 1/\d+")
        for (page, terminal), turns in zip(tabs, (1, 3), strict=True):
            since = terminal.mark()
            for _ in range(turns):
                page.keyboard.press("Space")
            terminal.wait_for(rf"p\. {turns + 1}/\d+", since)
            page.keyboard.press("m")
        record = wait_for_state(state_path, lambda r: len(r.get("bookmarks") or []) == 2)
        context.close()
    offsets = sorted(mark["position"]["offset"] for mark in record["bookmarks"])
    assert 0 < offsets[0] < offsets[1]
