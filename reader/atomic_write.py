"""Writing a file so that a crash leaves either the old or the new file, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str, *, sync: bool = True) -> None:
    """Replace ``path`` with ``text``: see :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"), sync=sync)


def write_bytes_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new file.

    A link is written *through*: the file it points at is replaced and the link stays (a
    state file linked into a synced folder keeps syncing). The file keeps its permissions;
    a new one gets the usual ``0666 & ~umask``. ``sync=False`` skips the fsyncs, for many
    files written at once and synced together by the caller.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync:
        sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename in it survives a crash (best effort)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux), so that
    a file another thread creates meanwhile never gets 0666."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
