"""Text from strangers made safe to draw or print: the one cleaning function.

Stories, their file names and the errors that quote them come from anyone. A terminal obeys
control bytes: an ESC sequence in a title can clear the screen, an OSC 52 sequence in a
paragraph can write the clipboard, a bidi override can make a name read backwards. So every
such string goes through :func:`clean` where it enters the model (``reader.formats``) and
where a file name or an error is printed (the CLI, the UI's notices): C0 controls but tab and
newline, DEL, C1 controls, whole ESC sequences (CSI, OSC, DCS and the rest) and the bidi
overrides U+202A–202E and U+2066–2069 go; ZWJ, ZWNJ, LRM and RLM stay (emoji, Persian and
Hebrew need them). Lone surrogates (a file name that is not valid UTF-8, as Python decodes
it) become U+FFFD.

Every pattern here is linear: a run is scanned once and stops at the next ESC.
"""

from __future__ import annotations

import os

from reader.lazy import pattern

#: What a removed control becomes in a file name: visible, so that two names differing only
#: by a control byte still look different.
PLACEHOLDER = "\ufffd"

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: Anything that needs cleaning: a cheap first look.
_ANY = pattern(f"[{_CONTROLS}]")
_BAD = pattern(
    # CSI (7- and 8-bit): parameters, intermediates, a final byte
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    # OSC, DCS, SOS, PM, APC: a string up to BEL or ST (or the line's end)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # any other ESC sequence: a charset's designation or one final byte (ESC ( B, ESC 7 …)
    r"|\x1b(?:[()*+#%][0-~]|[0-~])?"
    # one control character
    f"|[{_CONTROLS}]"
)
_SPACES = frozenset("\x0b\x0c\r\x1c\x1d\x1e\x1f\x85")


_SAFE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


def needs_cleaning(text: str) -> bool:
    if text.isascii():  # a book is mostly ASCII: bytes are looked at 3-4 times faster than re
        return bool(text.encode("ascii").translate(None, _SAFE_ASCII))
    return _ANY.search(text) is not None


def clean(text: str, placeholder: str = "") -> str:
    """``text`` without control bytes, ESC sequences or bidi overrides.

    A vertical tab, form feed, carriage return (and the other white-space controls) become a
    space; a lone surrogate becomes U+FFFD; any other control, and a whole ESC sequence,
    becomes ``placeholder`` (nothing, by default).
    """
    if _ANY.search(text) is None:
        return text
    return _BAD.sub(lambda match: _replacement(match.group(), placeholder), text)


def clean_with_map(text: str, placeholder: str = "") -> tuple[str, list[tuple[int, int, int]]]:
    """:func:`clean`, and what it replaced: (start, end, length of the replacement) in
    ``text``, in order — what :func:`moved` needs to move offsets into the result."""
    out: list[str] = []
    changes: list[tuple[int, int, int]] = []
    at = 0
    for match in _BAD.finditer(text):
        out.append(text[at : match.start()])
        new = _replacement(match.group(), placeholder)
        out.append(new)
        changes.append((match.start(), match.end(), len(new)))
        at = match.end()
    out.append(text[at:])
    return "".join(out), changes


def moved(offset: int, changes: list[tuple[int, int, int]]) -> int:
    """Where ``offset`` of the text :func:`clean_with_map` was given lands in its result
    (an offset inside a replaced sequence goes to the replacement's start)."""
    shift = 0
    for start, end, length in changes:
        if end > offset:
            return offset + shift if start >= offset else start + shift
        shift += length - (end - start)
    return offset + shift


def _replacement(found: str, placeholder: str) -> str:
    if len(found) == 1:
        if found in _SPACES:
            return " "
        if "\ud800" <= found <= "\udfff":
            return PLACEHOLDER
    return placeholder


def display_name(path: str | os.PathLike[str]) -> str:
    """A file name or path fit to print: bytes that are not UTF-8 as U+FFFD, controls as
    a visible placeholder (the path itself is kept, for opening)."""
    return clean(os.fspath(path), PLACEHOLDER)


def raw_bytes(path: str | os.PathLike[str]) -> str | None:
    """A path that is not valid UTF-8, as its bytes percent-encoded (``%FF``); None for a
    path that is (``urllib.parse.unquote_to_bytes`` gives the bytes back)."""
    name = os.fspath(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        from urllib.parse import quote

        return quote(os.fsencode(name), safe="/")
    return None


#: Starts a name that is not valid UTF-8, stored as text (:func:`text_key`).
_KEY_MARK = "\uffff"


def text_key(name: str) -> str:
    """A file name (or path) as valid text, for SQLite or YAML: itself when it is UTF-8, else
    a mark and its bytes percent-encoded; :func:`from_text_key` gives the name back."""
    if raw_bytes(name) is None and not name.startswith(_KEY_MARK):
        return name
    from urllib.parse import quote

    return _KEY_MARK + quote(os.fsencode(name), safe="/")


def from_text_key(key: str) -> str:
    """The name :func:`text_key` made ``key`` from."""
    if not key.startswith(_KEY_MARK):
        return key
    from urllib.parse import unquote_to_bytes

    return os.fsdecode(unquote_to_bytes(key[1:]))
