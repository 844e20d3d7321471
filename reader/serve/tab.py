"""``python -m reader.serve.tab ARGS``: the reader one browser tab runs (an entry point, like
``reader/__main__.py``, so it sits at the top of the layers).

It is the reader's own command line, with one addition: it ends when ``reader serve`` does.
textual-serve stops its readers politely when it is stopped politely (Ctrl+C, SIGTERM), but a
server killed outright (SIGKILL, the OOM killer) leaves them running, with nobody to talk
to. So a thread watches the parent process; when it is gone (the reader is adopted by
another), the reader is sent SIGTERM, which saves its state and ends it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from reader.cli import main

#: How often the parent is looked for (seconds).
WATCH_EVERY = 0.5


def end_with_parent(parent: int, every: float = WATCH_EVERY) -> threading.Thread:
    """Watch ``parent`` in a daemon thread; SIGTERM this process once it is no longer the parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="reader-serve-parent", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    end_with_parent(os.getppid())
    sys.exit(main(sys.argv[1:]))
