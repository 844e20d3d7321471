"""Project Gutenberg's plain texts: the header, the markers around the book, its headings.

All three generations of header are read: the 1990s "SMALL PRINT" (the book starts after
``*END*THE SMALL PRINT!``), "THIS PROJECT GUTENBERG EBOOK" and "THE PROJECT GUTENBERG EBOOK"
(the book lies between ``*** START OF …`` and ``*** END OF …``). The header's ``Title:``,
``Author:``, ``Language:`` and ``Release Date: … [EBook #NNNN]`` are metadata, and the ebook
number is the story's id (``gutenberg:NNNN``); the header and the licence are never story text.

Inside the book, a CONTENTS list is not text: it names chapters whose headings lack a name.
Headings come in many styles (:func:`heading_of`); one whose name stands on the next line
becomes one heading ("Chapter I. Down the Well"); a BOOK, PART, VOLUME or ACT heading is put
before the names of the chapters under it ("Act I, Scene 2"). What stands before the first
heading (the title again, a dedication, the producer's credit) is a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.formats.prose import inline
from reader.formats.structure import Para, Piece, build_chapters, is_scene_break, pieces
from reader.model import Chapter, Story

START_MARKER = re.compile(r"^\*{3} ?START OF (?:THE|THIS) PROJECT GUTENBERG", re.I | re.M)
_SMALL_PRINTEND_MARKER = re.compile(r"^\*END\*THE SMALL PRINT", re.I | re.M)
END_MARKER = re.compile(
    r"^(?:\*{3} ?END OF (?:THE|THIS) PROJECT GUTENBERG|End of (?:the |this )?Project Gutenberg)",
    re.I | re.M,
)
_NUMBER = re.compile(r"\b(?:e-?book|e-?text)\s?#\s?(\d{1,7})", re.I)
_NAMED_FILE = re.compile(r"should be named (\d{1,7})\b", re.I)
_HEADER_LABEL = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):[ \t]*(.*)$")
_HEADER_KEYS = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "language": "language",
    "release date": "released",
    "release date and most recently updated": "released",
    "posting date": "released",
    "first posted": "released",
}
_BRACKETED = re.compile(r"\[[^\]]{0,80}\]")
_CREDITS = re.compile(
    r"^(?:produced by|e-?text prepared by|this e-?text was|transcribed by|transcriber[’']?s note)", re.I
)

_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty"
)
_ORDINALS = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final"
_NUMERAL = rf"(?:\d{{1,4}}|[ivxlcdm]{{1,8}}|(?:{_WORDS})(?:-(?:{_WORDS}))?|the (?:{_ORDINALS})|{_ORDINALS})"
#: Heading words and their level: 1 holds chapters (a part), 2 is a chapter.
_KEYWORDS = {
    "chapter": 2,
    "chap": 2,
    "letter": 2,
    "stave": 2,
    "scene": 2,
    "canto": 2,
    "book": 1,
    "part": 1,
    "volume": 1,
    "vol": 1,
    "act": 1,
}
_KEYWORD = re.compile(rf"^({'|'.join(_KEYWORDS)})\.? ({_NUMERAL})\b", re.I)
_ORDINAL_FIRST = re.compile(rf"^({_ORDINALS}) ({'|'.join(_KEYWORDS)})\b", re.I)
_BARE = re.compile(r"^(\d{1,3}|[IVXLCDM]{1,8})\b")
_NAMED = re.compile(
    r"^(preface|introduction|prologue|epilogue|conclusion|appendix|afterword|foreword|postscript|"
    r"prelude|interlude|envoi|l[’']envoi)\b",
    re.I,
)
_SEPARATOR = ".:;,-–— \t"
_CONTENTS = frozenset({"contents", "table of contents", "contents of the book", "list of contents"})
_SMALL = frozenset("a an and as at but by for from in into of on or the to with".split())
#: Most characters a heading line (or a title line under it) may have.
_HEADING_MAX = 90


@dataclass(slots=True)
class Heading:
    level: int  # 1: a part (BOOK, PART, VOLUME, ACT); 2: a chapter
    label: str  # "Chapter I", "Letter 4", "II"
    title: str  # the name on the same line, if any
    bare: bool = False  # a numeral alone: trusted only when the book has several

    def text(self) -> str:
        return f"{self.label}. {self.title}" if self.title else self.label


def parse_text(text: str, fallback_title: str, encoding: str) -> Story | None:
    """The book in a Project Gutenberg text; None when ``text`` is not one."""
    bounds = _bounds(text)
    if bounds is None:
        return None
    start, end = bounds
    header, body, footer = text[:start], text[start:end], text[end:]
    metadata = header_metadata(header)
    number = _NUMBER.search(header) or _NUMBER.search(footer[:20000]) or _NAMED_FILE.search(footer)
    title = str(metadata.pop("title", "") or fallback_title)
    author = str(metadata.pop("author", ""))
    if number:
        metadata["source_url"] = f"https://www.gutenberg.org/ebooks/{number.group(1)}"
    chapters = book_chapters(pieces(body), title)
    if not chapters:
        return None
    story = Story(id="", title=title, author=author, chapters=chapters, metadata=metadata, encoding=encoding)
    if number:
        story.id = f"gutenberg:{number.group(1)}"
    return story


def _bounds(text: str) -> tuple[int, int] | None:
    """Where the book starts and ends: after the start marker's line, at the end marker."""
    head = text[:200_000]
    if "gutenberg" not in head.lower() and "small print" not in head.lower():
        return None
    marker = START_MARKER.search(head) or _SMALL_PRINTEND_MARKER.search(head)
    if marker is None:
        return None
    start = text.find("\n", marker.end())
    if marker.re is START_MARKER and "***" not in text[marker.end() : start]:
        # A long title may wrap the marker over a second line, which ends it with "***".
        close = text.find("***", start, start + 400)
        start = text.find("\n", close) if close >= 0 else start
    start = len(text) if start < 0 else start + 1
    ended = END_MARKER.search(text, start)
    return start, ended.start() if ended else len(text)


def header_metadata(header: str) -> dict[str, str]:
    """Title, author, language and release date from the header's ``Label: value`` lines."""
    metadata: dict[str, str] = {}
    key = None
    for piece in pieces(header[-20_000:]):
        for line in piece.lines:
            match = _HEADER_LABEL.match(line.strip()) if len(line) < 300 else None
            if match:
                key = _HEADER_KEYS.get(match.group(1).strip().lower())
                if key and match.group(2).strip() and key not in metadata:
                    metadata[key] = match.group(2).strip()
                elif key in metadata:
                    key = None  # a second Title: (a translation's) is not read on
            elif key in ("title", "author") and line[:1].isspace() and line.strip():
                metadata[key] += " " + line.strip()  # a subtitle under the title, indented
            else:
                key = None
    if "released" in metadata:
        metadata["released"] = " ".join(_BRACKETED.sub("", metadata["released"]).split())
    if "title" not in metadata:  # the oldest headers: "The Project Gutenberg Etext of T, by A"
        for piece in pieces(header[:5000])[:3]:
            line = piece.text
            lowered = line.lower()
            at = max(lowered.find("etext of "), lowered.find("ebook of "))
            if "project gutenberg" in lowered and at >= 0:
                title, _by, author = line[at + 9 : at + 300].partition(", by ")
                metadata["title"] = title.strip()
                if author.strip():
                    metadata.setdefault("author", author.strip())
                break
    return metadata


def heading_of(line: str) -> Heading | None:
    """The heading ``line`` is, in the styles Gutenberg's books use; None for prose."""
    if len(line) > 3 * _HEADING_MAX:
        return None
    text = " ".join(line.split())  # centred with spaces, or spaced out inside
    if not text or len(text) > _HEADING_MAX:
        return None
    match = _KEYWORD.match(text)
    if match:
        word = match.group(1).lower()
        label = f"{_keyword_name(word)} {_numeral(match.group(2))}"
        level = _KEYWORDS[word]
    elif match := _ORDINAL_FIRST.match(text):
        word = match.group(2).lower()
        label = f"{match.group(1).capitalize()} {_keyword_name(word)}"
        level = _KEYWORDS[word]
    elif match := _NAMED.match(text):
        label = match.group(1).capitalize()
        level = 2
    elif match := _BARE.match(text):
        label = match.group(1)
        rest = text[match.end() :]
        title = _title(rest, strict=True)
        if title is None or (title and rest[:1] != "."):
            return None
        return Heading(2, label, title, bare=True)
    else:
        return None
    title = _title(text[match.end() :], strict=False)
    return None if title is None else Heading(level, label, title)


def _title(rest: str, strict: bool) -> str | None:
    """The name after a heading's number: "" for none, None when what follows is prose."""
    if not rest.strip():
        return ""
    if rest[0] not in _SEPARATOR:
        return None  # "Chapter 1was", "Parting"
    stripped = rest.lstrip(_SEPARATOR)
    if not stripped:
        return ""
    if rest[0] == " " and rest.lstrip()[:1] not in _SEPARATOR and not stripped.isupper():
        return None  # "Chapter one of the manual", "Act one went well"
    if stripped.endswith(("?", "!", ",", ";")) or (stripped.endswith(".") and len(stripped.split()) > 8):
        return None  # a sentence, not a name
    if strict and not (stripped.isupper() or _title_case(stripped)):
        return None
    return stripped.rstrip(".")


def _title_case(text: str) -> bool:
    words = [word for word in text.split() if word.lower() not in _SMALL]
    return bool(words) and all(word[:1].isupper() or not word[:1].isalpha() for word in words)


def _keyword_name(word: str) -> str:
    return {"chap": "Chapter", "vol": "Volume"}.get(word, word.capitalize())


def _numeral(text: str) -> str:
    if text.isdigit():
        return text
    if re.fullmatch(r"[ivxlcdmIVXLCDM]{1,8}", text):
        return text.upper()
    return text.title()


def _name(text: str) -> str:
    """A name as a reader would like to see it: ALL CAPITALS become title case."""
    text = " ".join(text.split()).rstrip(".")
    if not text.isupper():
        return text
    words = []
    for index, word in enumerate(text.split()):
        lower = word.lower()
        if re.fullmatch(r"[IVXLCDM]{1,8}[.,:;]?", word):
            words.append(word)
        elif index and lower in _SMALL:
            words.append(lower)
        else:
            words.append("-".join(part[:1].upper() + part[1:] for part in lower.split("-")))
    return " ".join(words)


def _title_line(piece: Piece) -> str | None:
    """A chapter's name standing under its number: short, one line, a name not a sentence."""
    text = piece.text
    if len(piece.lines) > 2 or len(text) > 80 or heading_of(text) or is_scene_break(text):
        return None
    if text[:1] in "\"'“‘([_*" or text.endswith(("?", "!", ",", ";", ":", '"', "”")):
        return None
    if text.isupper() or _title_case(text.rstrip(".")):
        return text
    return None


def _is_prose(piece: Piece) -> bool:
    """A paragraph of the book itself: long, not a heading, not a list of page numbers."""
    if len(piece.text) < 150 or heading_of(piece.lines[0]) is not None:
        return False
    numbered = sum(1 for line in piece.lines if line.rstrip()[-1:].isdigit())
    return numbered * 2 < len(piece.lines)


def book_chapters(found: list[Piece], title: str) -> list[Chapter]:
    """The book's pieces into chapters: contents dropped, headings joined with their names."""
    headings = [heading_of(piece.lines[0]) if len(piece.lines) <= 3 else None for piece in found]
    bare = sum(1 for h in headings if h is not None and h.bare)
    if bare < 2:
        headings = [None if h is not None and h.bare else h for h in headings]
    contents, first = _contents(found, headings)
    names = _contents_names(found, contents)
    paras: list[Para] = []
    part = ""
    index = 0
    while index < len(found):
        piece, heading = found[index], headings[index]
        index += 1
        if index - 1 in contents:
            continue
        if heading is None:
            kind = "note" if index - 1 < first else None
            if is_scene_break(piece.text):
                kind = "scene_break"
            elif index - 1 < first and _CREDITS.match(piece.text):
                kind = "note"
            paras.append(Para(piece.text, 1, kind))
            continue
        name = heading.title or _rest_of(piece, heading)
        if not name and index < len(found) and headings[index] is None:
            line = _title_line(found[index])
            if line is not None and index + 1 < len(found):
                name = line
                index += 1
        if not name:
            name = names.get(_key(heading.label), "")
        text = Heading(heading.level, heading.label, _name(name)).text()
        if heading.level == 1:
            part = heading.label
        elif part:
            text = f"{part}, {text}"
        paras.append(Para(text, 1, "heading"))
    for para in paras:  # _italic_, as Gutenberg marks it
        if para.kind in (None, "note") and ("_" in para.text or "*" in para.text):
            para.text, para.spans = inline(para.text)
    chapters = build_chapters(paras, default_title=title, detect_headings=False)
    return _join_empty(chapters)


def _rest_of(piece: Piece, heading: Heading) -> str:
    """A name on the lines under the number, in the same paragraph ("CHAPTER I.\\nTHE WELL")."""
    if len(piece.lines) < 2:
        return ""
    rest = " ".join(line.strip() for line in piece.lines[1:])
    return rest if len(rest) <= 80 else ""


def _contents(found: list[Piece], headings: list[Heading | None]) -> tuple[set[int], int]:
    """The pieces of the CONTENTS list, and where the book's first heading is."""
    limit = min(len(found), 400)
    at = next((i for i in range(limit) if found[i].text.strip(" .").lower() in _CONTENTS), None)
    begin = 0 if at is None else at + 1
    first_prose = next((i for i in range(begin, len(found)) if _is_prose(found[i])), len(found))
    # The first heading is the last one just before the first prose (a name, an epigraph between).
    first = first_prose
    for index in range(first_prose - 1, max(begin, first_prose - 4) - 1, -1):
        if headings[index] is not None:
            first = index
            break
    if at is None:
        return set(), first
    # A part heading over the first chapter belongs to the book, not to the contents.
    while first - 1 > at and (above := headings[first - 1]) is not None and above.level == 1:
        first -= 1
    return set(range(at, first)), first


def _contents_names(found: list[Piece], contents: set[int]) -> dict[str, str]:
    """Chapter names the CONTENTS give, by the heading's label ("chapter i" → "The Well")."""
    names: dict[str, str] = {}
    for index in sorted(contents):
        for line in found[index].lines:
            heading = heading_of(_PAGE_NUMBER.sub("", line))
            if heading is not None and heading.title:
                names.setdefault(_key(heading.label), heading.title)
    return names


_PAGE_NUMBER = re.compile(r"[ .]{2,40}\d{1,4}\s*$")


def _key(label: str) -> str:
    return " ".join(label.lower().split())


def _join_empty(chapters: list[Chapter]) -> list[Chapter]:
    """A chapter of headings alone (BOOK I over CHAPTER I) goes on top of the next one."""
    result: list[Chapter] = []
    waiting: list = []
    for chapter in chapters:
        kinds = {block.kind for block in chapter.blocks}
        if "heading" in kinds and kinds <= {"heading", "note"}:
            waiting.extend(chapter.blocks)
            continue
        if waiting:
            chapter = Chapter(chapter.title, waiting + chapter.blocks)
            waiting = []
        result.append(chapter)
    if waiting and result:
        result[-1].blocks.extend(waiting)
    return result
