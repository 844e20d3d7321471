"""The terminal driver: Textual's own, reading keys and writing frames in the event loop's
thread.

Textual hands every write to a writer thread. That thread needs the interpreter's lock to
write, and gets it only once the event loop has nothing left to do: after a page turn's
frame, the frame waited 0.1–0.9 ms for the loop to finish the turn's other messages
(measured, issue 16). :class:`PromptDriver` writes in the loop's own thread instead, one
system call a frame (Textual asks for a flush after each). A terminal slow to take a frame
(an ssh link backed up) would then hold the loop: once one write takes longer than
:data:`SLOW`, the driver hands every later write to Textual's thread, as Textual does.

Keys, likewise: Textual reads the terminal in a thread of its own, which hands each key to
the loop (its lock again, a wake-up, a queue: 0.25 ms of a page turn, measured). The loop
reads the terminal itself here (``add_reader``, on Linux: see :data:`LOOP_READS`), with
Textual's parser; its thread starts and ends at once. A lone Escape is told from the start
of a sequence by the parser's timeout, as in Textual's thread.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from codecs import getincrementaldecoder
from functools import partial
from threading import Thread

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

#: Seconds a flush may take before writes go back to Textual's writer thread, for good.
SLOW = 0.05


#: Seconds between looks at the parser when it cannot say when its timeout is due.
TICK = 0.05
#: Where the loop reads the terminal: Linux's epoll watches a terminal; elsewhere (macOS's
#: kqueue, on older systems, did not) Textual's thread reads, with select() as it does.
LOOP_READS = sys.platform.startswith("linux")


class PromptDriver(LinuxDriver):
    _flush_soon = False
    _slow = False
    _reading: asyncio.AbstractEventLoop | None = None  # the loop that reads the terminal

    def start_application_mode(self) -> None:
        super().start_application_mode()  # its input thread returns at once: see below
        if not LOOP_READS:
            return
        if self._key_thread is not None:
            self._key_thread.join()
            self._key_thread = None
        try:
            self._read_in_loop()
        except (OSError, ValueError, NotImplementedError):  # input the loop cannot watch
            self._reading = None
            self._key_thread = Thread(target=partial(LinuxDriver._run_input_thread, self))
            self._key_thread.start()

    def _run_input_thread(self) -> None:
        """Textual's input thread: nothing to do where the loop reads (see the module)."""
        if not LOOP_READS:
            super()._run_input_thread()

    def send_message(self, message: Message) -> None:
        """To the app: straight into its queue from the loop's own thread (Textual's way, for
        its thread, is a task made through the loop's wake-up pipe: 0.5 ms, measured)."""
        if self._reading is not None and asyncio._get_running_loop() is self._reading:
            self._app.post_message(message)
        else:
            super().send_message(message)

    def disable_input(self) -> None:
        loop, self._reading = self._reading, None
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self.fileno)
        super().disable_input()

    def _read_in_loop(self) -> None:
        """Read the terminal when the loop sees it readable; parse as Textual's thread does."""
        loop = self._reading = asyncio.get_running_loop()
        parser, fileno = XTermParser(self._debug), self.fileno
        decode = getincrementaldecoder("utf-8")().decode
        later: asyncio.TimerHandle | None = None

        def tick() -> None:
            nonlocal later
            later = None
            for event in parser.tick():
                self.process_message(event)
            due = getattr(parser, "_timeout_time", get_time() + TICK)  # a sequence begun
            if due is not None and self._reading is loop:
                later = loop.call_later(max(0.0, due - get_time()) + 0.001, tick)

        def readable() -> None:
            try:
                data = os.read(fileno, 4096)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:  # the terminal is gone
                loop.remove_reader(fileno)
                return
            try:
                for event in parser.feed(decode(data)):
                    self.process_message(event)
            except Exception:  # as Textual's thread does: the app ends and says why
                import rich.traceback

                loop.remove_reader(fileno)
                self._app.call_later(self._app.panic, rich.traceback.Traceback())
                return
            if later is not None:
                later.cancel()
            tick()

        loop.add_reader(fileno, readable)

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
