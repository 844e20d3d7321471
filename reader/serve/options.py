"""What ``reader serve`` was asked for, and the addresses worked out from it (no I/O)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ServeOptions:
    """``reader serve [--host H] [--port P] [--public-url URL] [PATH]``, resolved.

    ``target`` is the library folder or the one story file every tab opens (None: the
    reader's own default); ``state`` the state folder every tab shares.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    target: Path | None = None
    state: Path | None = None

    @property
    def url(self) -> str:
        """The address a browser opens (no trailing slash): ``--public-url``, else host and port."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def origin(self) -> str:
        """The page's own origin: the only one whose websocket is let in."""
        return origin_of(self.url)


def _url_host(host: str) -> str:
    """The host as written in a URL: a wildcard address is no place to browse to, so it is
    this machine's name; an IPv6 address goes in brackets."""
    if host in ("", "0.0.0.0", "::"):
        return socket.gethostname()
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` in the form browsers send as ``Origin`` (lower case, no
    default port, no path), or ``""`` for something that is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
