"""`reader serve` is safe by default: the real server, asked as a browser and as a stranger."""

from __future__ import annotations

import asyncio
import http.client
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLE
from serving import Served, need_module, reader_serve

STORY = "what-the-static-keeps.txt"
HOSTILE = 'Tom\'s "stories"; $(touch pwned) `touch pwned` & x'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:  # type: ignore[misc]
    need_module("textual_serve", "textual-serve")
    need_module("aiohttp", "aiohttp")
    # a library whose path a shell would run if it were not quoted
    library = tmp_path_factory.mktemp("library") / HOSTILE
    library.mkdir()
    shutil.copy(SAMPLE / STORY, library / STORY)
    with reader_serve(str(library), cwd=library.parent) as server:
        yield server
    assert not (library.parent / "pwned").exists()


def get(served: Served, path: str, headers: dict[str, str] | None = None, method: str = "GET"):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def cookie(served: Served) -> dict[str, str]:
    return {"Cookie": f"reader_token_{served.port}={served.token}"}


def test_it_listens_on_this_machine_only_and_prints_a_token(served: Served) -> None:
    assert served.url.startswith(f"http://127.0.0.1:{served.port}/?token=")
    assert len(served.token) >= 32


@pytest.mark.parametrize("path", ["/", "/static/js/textual.js", "/ws", "/download/x", "/anything"])
def test_without_the_token_everything_is_refused(served: Served, path: str) -> None:
    response, body = get(served, path)
    assert response.status == 403
    assert b"token" in body and served.token.encode() not in body


def test_a_wrong_token_is_refused(served: Served) -> None:
    assert get(served, "/?token=" + "x" * len(served.token))[0].status == 403
    assert get(served, "/", {"Cookie": f"reader_token_{served.port}=guess"})[0].status == 403


def test_the_token_becomes_a_cookie_and_leaves_the_address(served: Served) -> None:
    response, _ = get(served, f"/?token={served.token}")
    assert response.status == 303 and response.getheader("Location") == "./"
    set_cookie = response.getheader("Set-Cookie")
    assert f"reader_token_{served.port}={served.token}" in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    page, body = get(served, "/", cookie(served))
    assert page.status == 200 and f"ws://127.0.0.1:{served.port}/ws".encode() in body
    assert page.getheader("X-Frame-Options") == "DENY"
    assert get(served, "/static/js/textual.js", cookie(served))[0].status == 200


def test_with_the_cookie_other_paths_and_methods_are_still_refused(served: Served) -> None:
    assert get(served, "/download/abc", cookie(served))[0].status == 403
    assert get(served, "/favicon.ico", cookie(served))[0].status == 403
    assert get(served, "/", cookie(served), method="POST")[0].status == 403
    assert get(served, "/", {**cookie(served), "Origin": "http://evil.example"})[0].status == 403


def websocket(
    served: Served, headers: dict[str, str], until: str = r"\d stor(?:y|ies) ·|p\. 1/\d+"
) -> tuple[int | None, str]:
    """Open the reader's websocket as a browser would: (refusal status or None, what came)."""
    import aiohttp

    async def talk() -> tuple[int | None, str]:
        async with aiohttp.ClientSession() as session:
            try:
                socket = await session.ws_connect(f"{served.base}/ws?width=80&height=24", headers=headers)
            except aiohttp.WSServerHandshakeError as error:
                return error.status, ""
            received = ""
            async with socket:
                while not re.search(until, received):  # the library's status line, or a page
                    message = await asyncio.wait_for(socket.receive(), 20)
                    if message.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                        break
                    data = message.data
                    received += data if isinstance(data, str) else data.decode("utf-8", "replace")
            return None, received

    return asyncio.run(talk())


def test_a_websocket_from_a_foreign_origin_is_refused(served: Served) -> None:
    """What a web page on another site would do: the cookie rides along, the Origin is its own."""
    for origin in ("http://evil.example", f"http://localhost:{served.port}", "null"):
        status, received = websocket(served, {**cookie(served), "Origin": origin})
        assert status == 403 and received == ""


def test_a_websocket_without_the_token_or_origin_is_refused(served: Served) -> None:
    own = f"http://127.0.0.1:{served.port}"
    assert websocket(served, {"Origin": own})[0] == 403
    assert websocket(served, cookie(served))[0] == 403


def test_the_page_s_own_websocket_with_the_token_runs_the_reader(served: Served) -> None:
    status, received = websocket(served, {**cookie(served), "Origin": f"http://127.0.0.1:{served.port}"})
    assert status is None
    assert re.search(r"\b1 stor(?:y|ies) ·", received)  # the reader started, on that library


def test_without_textual_serve_it_says_what_to_install(tmp_path: Path) -> None:
    """The extra missing, as in a plain install: textual_serve blocked (None in sys.modules is
    how Python marks a module that cannot be imported)."""
    code = (
        "import sys\n"
        "sys.modules['textual_serve'] = None\n"
        "from reader.cli import main\nsys.exit(main(['serve', '--port', '1']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "pip install 'reader[serve]'" in result.stderr and "textual-serve" in result.stderr
    assert "Traceback" not in result.stderr


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie nobody has reaped yet does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_tab_s_reader_ends_when_the_server_is_killed_outright(tmp_path: Path) -> None:
    """SIGKILL gives textual-serve no chance to stop its readers: each ends by itself."""
    need_module("textual_serve", "textual-serve")
    if not Path("/proc/self/stat").exists() or shutil.which("ps") is None:
        pytest.skip("needs /proc and ps to find the reader's process")
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(SAMPLE / STORY, library / STORY)
    with reader_serve(str(library)) as server:
        own = {**cookie(server), "Origin": f"http://127.0.0.1:{server.port}"}
        import threading

        talking = threading.Thread(target=websocket, args=(server, own), daemon=True)
        talking.start()
        children: list[int] = []
        for _ in range(200):
            listed = subprocess.run(
                ["ps", "-o", "pid=", "--ppid", str(server.process.pid)], capture_output=True, text=True
            )
            children = [int(pid) for pid in listed.stdout.split()]
            if children:
                break
            time.sleep(0.05)
        assert children, "no reader was started for the websocket"
        server.process.kill()
        server.process.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in children)


def test_behind_a_name_the_public_url_is_the_only_origin_let_in(tmp_path: Path) -> None:
    """``--public-url``: the page's websocket address and the one Origin let in are the public
    name's; the same machine's own address is now a foreign origin. And PATH may be one story."""
    need_module("textual_serve", "textual-serve")
    story = tmp_path / 'it\'s a "story"; $(touch pwned).txt'
    shutil.copy(SAMPLE / STORY, story)
    public = "https://books.example:8443/reader/"
    with reader_serve(str(story), "--public-url", public, cwd=tmp_path) as server:
        assert server.url.startswith("https://books.example:8443/reader/?token=")
        page, body = get(server, "/", cookie(server))
        assert page.status == 200 and b"wss://books.example:8443/reader/ws" in body
        assert "Secure" in get(server, f"/?token={server.token}")[0].getheader("Set-Cookie")
        status, _ = websocket(server, {**cookie(server), "Origin": f"http://127.0.0.1:{server.port}"})
        assert status == 403
        status, received = websocket(server, {**cookie(server), "Origin": "https://books.example:8443"})
        assert status is None and re.search(r"p\. 1/\d+", received)  # the story itself, opened
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--port", "0"], "--port wants a number from 1 to 65535"),
        (["--public-url", "ftp://books.example"], "--public-url wants an http:// or https:// address"),
        (["/no/such/library"], "no such file or folder"),
        (["--host", "no.such.host.invalid"], "cannot serve on no.such.host.invalid"),
        (["--state", "/dev/null"], "not a folder"),
    ],
)
def test_what_cannot_be_served_is_said_before_anything_listens(args: list[str], said: str) -> None:
    need_module("textual_serve", "textual-serve")
    result = subprocess.run(
        [sys.executable, "-m", "reader", "serve", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr
    assert "token=" not in result.stdout


def test_a_port_another_program_holds_is_said_and_no_address_is_printed() -> None:
    need_module("textual_serve", "textual-serve")
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "reader", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2 and f"cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "token=" not in result.stdout and "Traceback" not in result.stderr
