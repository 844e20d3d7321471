"""Who may use a served reader: the holder of the secret token, from the page's own origin.

textual-serve has no login, and its websocket does not look at where a connection comes
from: any web page open in the user's browser could start and drive a reader on
``ws://127.0.0.1:PORT/ws``. The guard sits in front of every request:

- ``/``, ``/ws`` and ``/static/…`` (GET or HEAD) are served only with the token, given once in
  the URL ``reader serve`` prints (``/?token=…``: answered with a cookie and a redirect to the
  page without it) and then as that cookie (``HttpOnly``, ``SameSite=Strict``);
- a request that says where it comes from (``Origin``) must come from the page's own origin,
  and a websocket must say so;
- everything else (other paths, other methods, textual-serve's downloads) is refused: 403.

:meth:`Guard.judge` decides on plain values; :func:`middleware` applies it to aiohttp.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from reader.serve.options import origin_of

REFUSED = "403: refused. Open the address `reader serve` printed, with its ?token=…, in this browser.\n"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    """A fresh secret for one run of ``reader serve`` (192 bits)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Verdict:
    allow: bool
    #: the token came in the URL of the page: set the cookie and send the browser to the page
    #: without it, so that it leaves the address bar
    set_cookie: bool = False
    why: str = ""


@dataclass(frozen=True)
class Guard:
    token: str
    origin: str  # the page's own, as :func:`origin_of` gives it
    port: int
    secure: bool = False  # the page is served over https (behind a proxy): a Secure cookie

    @property
    def cookie(self) -> str:
        """The cookie's name, one per port: cookies do not tell ports apart, and two servers
        on one machine must not overwrite each other's."""
        return f"reader_token_{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        """Every answer's: not cached, never framed by another page, no address passed on as a
        referrer, and a page that loads nothing from elsewhere (textual-serve's page asks
        Google for a web font: refused, so opening the reader tells no third party) and
        talks to no server but this one."""
        websocket = self.origin.replace("http", "ws", 1)
        policy = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; font-src 'self' data:; connect-src 'self' {websocket}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        return {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": policy,
        }

    def _is_token(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(str(given).encode(), self.token.encode())

    def judge(
        self, method: str, path: str, query_token: str | None, cookie_token: str | None, origin: str | None
    ) -> Verdict:
        """Whether a request may go on (see the module's docstring)."""
        if method not in ("GET", "HEAD"):
            return Verdict(False, why="method")
        if not (path in ("/", "/ws") or path.startswith("/static/")):
            return Verdict(False, why="path")
        if origin is not None and origin_of(origin) != self.origin:
            return Verdict(False, why="origin")
        if path == "/ws" and origin is None:
            return Verdict(False, why="websocket without an origin")
        if self._is_token(query_token):  # on the page: into the cookie, out of the address
            return Verdict(True, set_cookie=path == "/")
        if self._is_token(cookie_token):
            return Verdict(True)
        return Verdict(False, why="token")


def middleware(guard: Guard) -> Middleware:
    """The aiohttp middleware that applies ``guard`` to every request."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        verdict = guard.judge(
            request.method,
            request.path,
            request.query.get("token"),
            request.cookies.get(guard.cookie),
            request.headers.get("Origin"),
        )
        if not verdict.allow:
            return web.Response(status=403, text=REFUSED, headers=guard.headers)
        if verdict.set_cookie:
            return _enter(request, guard)
        response = await handler(request)
        if not response.prepared:  # a page or a file (the websocket's answer has gone)
            response.headers.update(guard.headers)
        return response

    return check


def _enter(request: web.Request, guard: Guard) -> web.Response:
    """The first visit, ``/?token=…``: the cookie, and the same page without the token.

    The redirect is relative (``./``), so it stays right behind a proxy that serves the
    reader under a path of its own."""
    rest = [(key, value) for key, value in request.query.items() if key != "token"]
    query = "&".join(f"{key}={value}" for key, value in rest if key.isalnum() and value.isalnum())
    location = "./" + (f"?{query}" if query else "")
    response = web.Response(status=303, headers={**guard.headers, "Location": location})
    response.set_cookie(
        guard.cookie, guard.token, path="/", httponly=True, samesite="Strict", secure=guard.secure
    )
    return response
