"""Starting the real ``reader serve`` for the device tests: a free port, the printed address."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def need_module(module: str, package: str) -> None:
    """Skip, naming the package to install, when ``module`` cannot be imported."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"needs the Python package {package} (pip install '.[test]')")


def need_program(path: str, package: str) -> str:
    """The program's path; else skip, naming the Debian package that brings it."""
    found = shutil.which(path)
    if found is None:
        pytest.skip(f"needs Debian's {package} package (apt-get install -y {package}); .ci/run installs it")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str  # the address printed, with ?token=
    port: int
    output: list[str] = field(default_factory=list)  # what it printed after the address

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]


@contextmanager
def reader_serve(*args: str, cwd: Path | None = None) -> Iterator[Served]:
    """``reader serve --port P ARGS`` as a user starts it, until the address is printed; stopped
    (SIGTERM, as Ctrl+C would) at the end."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=dict(os.environ),
    )
    try:
        served = Served(process, _printed_url(process), port)
        # keep reading what it prints (the readers' stderr, when they end): a full pipe would stall it
        threading.Thread(target=lambda: served.output.extend(process.stdout or ()), daemon=True).start()
        _wait_for_port(port)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def _printed_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if "?token=" in line:
            return line.strip()
    error = process.stderr.read() if process.stderr else ""
    raise AssertionError(f"reader serve printed no address: {error}")


def _wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"nothing listens on port {port}")
