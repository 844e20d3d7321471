"""Keys typed ahead of the screen go where the reader meant them.

A paste, a macro or a fast typist sends ``g 5 Enter`` or ``/ferry`` in one burst. Textual
hands every key of a burst to the widget focused when the key *arrived*: before ``g`` has
opened Go to, or ``/`` has moved the focus to the filter, so the keys after it went to the
old screen (lost, or run as its commands). :class:`TypeAhead` lets one key through at a
time: the next goes once the last has been handled all the way up (by its widget, its
screen and the app's bindings), and, when that key opened a dialog, once the dialog has
taken the focus. Keys typed one by one are never held: nothing is in flight then.
"""

from __future__ import annotations

from collections import deque
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from textual import events
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.app import App

#: What the terminal types: keys, and pastes (which go the same way, in the same order).
Typed = events.Key | events.Paste
#: How many times the next key waits for a message to pass from the widget to the app.
ROUNDS = 2
#: How long a key waits, at most, for the key before it (seconds): a safety net only.
STUCK = 0.5
#: Methods through which a class has its own say about keys (Widget's own pass them to ``key_…``).
KEY_HANDLERS = {"on_key", "_on_key", "handle_key"}
#: How long a key waits for a dialog that is opening to be ready, and how often it looks.
WAIT, STEP = 0.5, 0.01


class TypeAhead:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._queue: deque[Typed] = deque()
        self._in_flight = 0  # the number of the key on its way (0: none)
        self._count = 0
        self._letting: Typed | None = None  # the queued key being let through now
        self._waited = 0.0

    def arriving(self, event: Typed) -> bool:
        """A key from the terminal: True when it must wait for the key before it (it is then
        queued); else it goes on now, and :meth:`sent` follows it."""
        if event is self._letting:
            self._letting = None
            return False
        if self._in_flight or self._queue:
            self._queue.append(event)
            return True
        return False

    def sent(self, event: Typed, target: MessagePump | None) -> None:
        """The key just let through went to ``target`` (None: the app's own bindings took it):
        the next key may go once it has been handled there and in every node above. A letter
        typed into a text box needs no wait: it is text, it moves no focus, and the keys
        after it reach the box in order."""
        if isinstance(target, Input) and (isinstance(event, events.Paste) or event.is_printable):
            self._in_flight = 0
            self._next()  # the next queued key may follow it at once
            return
        self._count += 1
        number = self._in_flight = self._count
        self.app.set_timer(STUCK, lambda: self._done(number))
        if target is None:
            self.app.call_later(self._done, number)
        else:
            self._hop(target, target, number, ROUNDS)

    def _hop(self, node: MessagePump, start: MessagePump, number: int, rounds: int) -> None:
        """After ``node`` has handled the key (it is in its queue ahead of this), follow it
        to the node above, where it went if it bubbled; then again from ``start``, behind
        what the key's handling posted on the way (a bar closing, the focus it gives back)."""
        parent = node._parent
        if parent is not None:
            step = partial(self._hop, parent, start, number, rounds)
        elif rounds > 1:
            step = partial(self._hop, start, start, number, rounds - 1)
        else:
            step = partial(self._done, number)
        if not node.call_later(step):  # the node is gone (a dialog closed): nothing to wait for
            self.app.call_later(step)

    def _done(self, number: int) -> None:
        if number != self._in_flight:
            return  # an older key (its safety timer): long done
        self._in_flight = 0
        self._waited = 0.0
        self._next()

    def _next(self) -> None:
        if not self._queue or self._in_flight:
            return
        if not self.app.screen.is_mounted and self._waited < WAIT:  # a dialog still opening
            self._waited += STEP
            self.app.set_timer(STEP, self._next)
            return
        self._letting = self._queue.popleft()
        self._in_flight = -1  # taken: a key arriving meanwhile queues behind this one
        self.app.post_message(self._letting)


def straight_to_bindings(event: Typed, target: MessagePump) -> bool:
    """True when no node on a key's way from ``target`` up to the app has a say of its own
    about it (no ``on_key``, ``key_…`` method or ``@on(Key)`` handler): Textual would then
    pass it from the widget to the screen to the app, three rounds of messages (a millisecond
    of a page turn, measured), only for the app to look up its bindings; the app may as well
    look them up at once (issue 16)."""
    if not isinstance(event, events.Key) or not isinstance(target, DOMNode):
        return False
    names = [f"{prefix}key_{name}" for name in event.name_aliases for prefix in ("", "_")]
    node: MessagePump | None = target
    while isinstance(node, Widget):  # the widget, its containers, the screen (a widget too)
        if _takes_keys(type(node)) or any(hasattr(node, name) for name in names):
            return False
        node = node._parent
    return True


@cache
def _takes_keys(cls: type[Widget]) -> bool:
    """Whether ``cls`` handles key events itself, beyond Widget's passing them to ``key_…``."""
    for klass in cls.__mro__:
        if klass is Widget:
            break
        own = klass.__dict__
        if KEY_HANDLERS & own.keys() or events.Key in own.get("_decorated_handlers", {}):
            return True
    return False
