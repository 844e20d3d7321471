"""The terminal driver: Textual's own, writing each frame from the event loop's thread.

Textual hands every write to a writer thread. That thread needs the interpreter's lock to
write, and gets it only once the event loop has nothing left to do: after a page turn's
frame, the frame waited 0.1–0.9 ms for the loop to finish the turn's other messages
(measured, issue 16). :class:`PromptDriver` writes in the loop's own thread instead, one
system call a frame (Textual asks for a flush after each). A terminal slow to take a frame
(an ssh link backed up) would then hold the loop: once one write takes longer than
:data:`SLOW`, the driver hands every later write to Textual's thread, as Textual does.
"""

from __future__ import annotations

import asyncio
import time

from textual.drivers.linux_driver import LinuxDriver

#: Seconds a flush may take before writes go back to Textual's writer thread, for good.
SLOW = 0.05


class PromptDriver(LinuxDriver):
    _flush_soon = False
    _slow = False

    def write(self, data: str) -> None:
        if self._slow:
            super().write(data)
            return
        file = self._file
        if file is None:
            return
        try:
            file.write(data)  # buffered: the frame goes out in one write at the flush
        except (OSError, ValueError):
            return  # the terminal is gone: as Textual's thread, which dies quietly
        if not self._flush_soon:  # Textual's thread flushed every write: so does this, soon
            self._flush_soon = True
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop running in this thread
                self.flush()

    def flush(self) -> None:
        self._flush_soon = False
        if self._slow:
            return  # the thread flushes
        file, start = self._file, time.monotonic()
        if file is None:
            return
        try:
            file.flush()
        except (OSError, ValueError):
            return
        self._slow = time.monotonic() - start > SLOW
