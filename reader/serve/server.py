"""textual-serve's server with the guard in front of it (see :mod:`.guard`)."""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys

from aiohttp import web
from textual_serve.server import Server

from reader.serve.command import reader_command
from reader.serve.guard import Guard, middleware, new_token
from reader.serve.options import ServeOptions


class GuardedServer(Server):
    """textual-serve's :class:`Server`, its aiohttp app wrapped in the guard's middleware, quiet
    in the terminal (its access log would print the token), saying where to browse to."""

    def __init__(self, options: ServeOptions, token: str | None = None) -> None:
        super().__init__(
            reader_command(options.target, options.state),
            host=options.host,
            port=options.port,
            title="reader",
            public_url=options.url,
        )
        self.options = options
        self.guard = Guard(
            token or new_token(), options.origin, options.port, secure=options.url.startswith("https:")
        )

    @property
    def entry_url(self) -> str:
        """The address to open, with the token (the one place it is shown)."""
        return f"{self.options.url}/?token={self.guard.token}"

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="reader serve: %(message)s")

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.insert(0, middleware(self.guard))
        return app

    async def on_startup(self, app: web.Application) -> None:
        what = self.options.target or "the reader's default library"
        print(
            f"reader: serving {what} on {self.options.host}:{self.options.port}\n"
            f"Open in your browser (the token is the key; anyone with it can read as you):\n"
            f"    {self.entry_url}\n"
            "Each tab is a reader of its own on the same library and state. Ctrl+C stops.",
            flush=True,
        )
        if not _loopback(self.options.host):
            print(
                f"reader: {self.options.host} is reachable from other machines: keep the token secret, "
                "and put the reader behind HTTPS (--public-url) on a network you do not trust",
                flush=True,
            )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _try_listening(host: str, port: int) -> None:
    """Bind every address ``host`` stands for, as the server will (OSError if one cannot be)."""
    for family, kind, proto, _, address in socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)


def run(options: ServeOptions) -> int:
    """Serve until Ctrl+C or SIGTERM; 2 when the address cannot be listened on."""
    server = GuardedServer(options)
    try:
        _try_listening(options.host, options.port)  # so that no address is printed for nothing
        server.serve()
    except OSError as error:
        reason = error.strerror or error
        print(f"reader: cannot serve on {options.host}:{options.port}: {reason}", file=sys.stderr)
        return 2
    return 0
