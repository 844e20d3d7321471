"""`reader serve`'s rules on plain values: origins, addresses, the command, the guard's verdicts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reader.serve import reader_command
from reader.serve.options import ServeOptions, origin_of

pytest.importorskip("aiohttp", reason="needs the Python package aiohttp (pip install '.[test]')")
from reader.serve.guard import Guard  # noqa: E402

TOKEN = "s3cret-token-of-thirty-two-chars"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("HTTP://Reader.Example:80/path/", "http://reader.example"),
        ("https://reader.example:443", "https://reader.example"),
        ("https://reader.example:8443/r", "https://reader.example:8443"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("null", ""),
        ("ftp://x", ""),
        ("http://host:notaport", ""),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_the_address_to_open() -> None:
    assert ServeOptions().url == "http://127.0.0.1:8765"
    assert ServeOptions(host="::1", port=9000).url == "http://[::1]:9000"
    assert ServeOptions(host="0.0.0.0").url != "http://0.0.0.0:8765"  # the machine's name instead
    given = ServeOptions(public_url="https://books.example/reader/")
    assert given.url == "https://books.example/reader" and given.origin == "https://books.example"


HOSTILE = [
    'Tom\'s "notes"; rm -rf ~.txt',
    "$(touch pwned) `id` & | > <.md",
    "-flag like.txt",
    "a\nnew line.txt",
    "spaces  and\ttabs.txt",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_command_keeps_every_path_one_argument_in_the_shell(tmp_path: Path, name: str) -> None:
    """The shell textual-serve starts sees each path as one word, and runs nothing in it."""
    echo = tmp_path / "echo args"  # stands in for python: prints its arguments, NUL-separated
    echo.write_text('#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done\n')
    echo.chmod(0o755)
    story = tmp_path / name
    state = tmp_path / f"state {name}"
    command = reader_command(story, state, python=str(echo))
    echoed = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=tmp_path, check=True)
    assert echoed.stdout.split("\0")[:-1] == ["-m", "reader.serve.tab", "--state", str(state), str(story)]
    assert not (tmp_path / "pwned").exists()


def guard() -> Guard:
    return Guard(TOKEN, "http://127.0.0.1:8765", 8765)


OWN = "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("method", "path", "query", "cookie", "origin", "allow"),
    [
        ("GET", "/", None, None, None, False),  # no token
        ("GET", "/", None, TOKEN, None, True),
        ("HEAD", "/", None, TOKEN, None, True),
        ("GET", "/", TOKEN, None, None, True),
        ("GET", "/", TOKEN[:-1], None, None, False),
        ("GET", "/", None, TOKEN + "x", None, False),
        ("GET", "/static/js/textual.js", None, TOKEN, None, True),
        ("GET", "/static/js/textual.js", None, None, None, False),
        ("GET", "/ws", None, TOKEN, OWN, True),
        ("GET", "/ws", None, TOKEN, None, False),  # a websocket must say where it comes from
        ("GET", "/ws", None, TOKEN, "http://evil.example", False),
        ("GET", "/ws", None, TOKEN, "http://localhost:8765", False),  # same machine, other origin
        ("GET", "/ws", None, TOKEN, "http://127.0.0.1:8766", False),
        ("GET", "/ws", None, TOKEN, "null", False),
        ("GET", "/ws", None, None, OWN, False),
        ("GET", "/", None, TOKEN, "http://evil.example", False),
        ("POST", "/", None, TOKEN, OWN, False),
        ("GET", "/download/abc", None, TOKEN, None, False),
        ("GET", "/favicon.ico", None, TOKEN, None, False),
        ("GET", "/static", None, TOKEN, None, False),
        ("GET", "//ws", None, TOKEN, OWN, False),
    ],
)
def test_the_guard(
    method: str, path: str, query: str | None, cookie: str | None, origin: str | None, allow: bool
) -> None:
    assert guard().judge(method, path, query, cookie, origin).allow is allow


def test_the_token_in_the_address_becomes_a_cookie_only_on_the_page() -> None:
    assert guard().judge("GET", "/", TOKEN, None, None).set_cookie
    assert guard().judge("GET", "/", TOKEN, TOKEN, None).set_cookie  # a second tab: the same
    assert not guard().judge("GET", "/", None, TOKEN, None).set_cookie
    assert not guard().judge("GET", "/static/css/xterm.css", TOKEN, None, None).set_cookie
    assert guard().cookie == "reader_token_8765"
