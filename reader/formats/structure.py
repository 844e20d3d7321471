"""Fan-fiction structure in plain paragraphs: chapter headings, scene breaks, author's notes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from reader.model import Block, Chapter, Span

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    "last|final"
)
_NUMBER = rf"(?:\d{{1,4}}|[ivxlcdm]{{1,8}}|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?)"
_TITLE_SEP = r"(?:\s*[:.\-–—|]\s*(?P<title>\S.*))?"
_HEADING_PATTERNS = (
    rf"^(?:chapter|ch\.?|chap\.?|глава|часть)\s*{_NUMBER}\.?{_TITLE_SEP}$",
    rf"^(?:part|book|volume|act)\s+{_NUMBER}\.?{_TITLE_SEP}$",
    rf"^(?:prologue|epilogue|interlude|afterword|foreword|coda|пролог|эпилог)\.?{_TITLE_SEP}$",
)


@lru_cache(maxsize=1)
def _heading_res() -> tuple[re.Pattern[str], ...]:
    """Compiled when first needed: a book with no heading-like lines never pays for them."""
    return tuple(re.compile(pattern, re.I) for pattern in _HEADING_PATTERNS)


_HEADING_MAX = 90
# A cheap first look, so that long books are not run through every heading pattern.
_HEADING_START = re.compile(
    r"(?:chapter|ch\b|ch\.|chap|part|book|volume|act|prologue|epilogue|interlude|afterword|foreword|coda|"
    r"глава|часть|пролог|эпилог)",
    re.I,
)

_BREAK_SYMBOLS = re.compile(r"^[\s*~\-_=+#•·.°^<>oOxX0§⁂※◊♦❖✦✧☆★|/\\]{3,40}$")
_BREAK_WORDS = re.compile(r"^[\s\W_]*(?:line|scene|page|time|pov)[ -]?(?:break|change|skip)[\s\W_]*$", re.I)
_NOTE_RE = re.compile(
    r"^[\s(\[*_]*(?:"
    r"a/n|a\.n\.|an(?=\s*[:\-–—])|t/n|end\s+a/n|end\s+note|"
    r"author[’']?s?[’']?\s+notes?|translator[’']?s?\s+notes?|"
    r"disclaimer(?=\s*[:\-–—.!]|\s*$)|notes?(?=\s*:)"
    r")",
)
_NOTE_CASE_SENSITIVE = re.compile(r"^[\s(\[*_]*AN\b")
#: How many blocks from a chapter's start or end a note may stand.
NOTE_WINDOW = 3
#: A longer paragraph (a file with no line breaks) is cut into pieces of about this size,
#: at spaces, so that one page never needs a whole book laid out.
MAX_BLOCK_CHARS = 20_000


@dataclass(slots=True)
class Para:
    """A paragraph as a format module found it, before structure is worked out."""

    text: str
    gap: int = 1  # blank lines before it in the source
    kind: str | None = None  # set when the markup already says (a Markdown heading …)
    spans: tuple[Span, ...] = ()


@dataclass(slots=True)
class Piece:
    """A paragraph of the file: its lines as written and the blank lines before it."""

    lines: list[str]
    gap: int

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)

    @property
    def indented(self) -> bool:
        first = self.lines[0]
        return first[:1] == "\t" or first[:4] == "    "


def pieces(text: str) -> list[Piece]:
    """The paragraphs of ``text`` (split on blank lines), in one pass over its lines."""
    result: list[Piece] = []
    blanks = 0
    current: list[str] | None = None
    for line in text.split("\n"):
        if not line.strip():
            blanks += 1
            current = None
            continue
        if current is None:
            current = [line.rstrip()]
            result.append(Piece(current, blanks))
            blanks = 0
        else:
            current.append(line.rstrip())
    return result


def heading_title(text: str) -> str | None:
    """The heading's text if ``text`` is a chapter heading line, else None."""
    if len(text) > _HEADING_MAX or not _HEADING_START.match(text):
        return None
    line = text.strip()
    if not line or "\n" in line:
        return None
    for pattern in _heading_res():
        match = pattern.match(line)
        if match:
            title = match.group("title")
            # "Chapter 3. She ran." is prose, not a heading: a title is not a sentence.
            if title and title.rstrip().endswith((".", "?", "!", ",", ";")) and len(title) > 40:
                return None
            return line
    return None


def is_scene_break(text: str) -> bool:
    if len(text) > 40:
        return False
    line = text.strip()
    if not line:
        return False
    if _BREAK_WORDS.match(line):
        return True
    if not _BREAK_SYMBOLS.match(line):
        return False
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return True
    # Letter patterns such as xXx or oOo: only x and o, mixed case or mixed letters.
    lowered = {c.lower() for c in letters}
    mixed = len({c.isupper() for c in letters}) > 1 or lowered == {"x", "o"}
    return len(letters) >= 3 and lowered <= {"x", "o"} and mixed


def looks_like_note(text: str) -> bool:
    head = text[:40]
    return bool(_NOTE_RE.match(head.lower()) or _NOTE_CASE_SENSITIVE.match(head))


def build_chapters(paras: list[Para], default_title: str, detect_headings: bool = True) -> list[Chapter]:
    """Split paragraphs into chapters and give every block its kind."""
    usual_gap = _usual_gap(paras)
    chapters: list[tuple[str, list[Block]]] = []
    current: list[Block] = []
    title = default_title
    for para in paras:
        kind = para.kind
        if kind is None:
            kind = "paragraph"
            if len(para.text) <= _HEADING_MAX:  # most prose is longer: skip the checks
                if detect_headings and heading_title(para.text):
                    kind = "heading"
                elif is_scene_break(para.text):
                    kind = "scene_break"
        if kind == "heading":
            if current:
                chapters.append((title, current))
            title, current = para.text.strip(), []
        elif (
            kind != "scene_break"
            and para.gap > usual_gap
            and current
            and current[-1].kind not in ("heading", "scene_break")
        ):
            current.append(Block("scene_break", ""))
        if kind == "scene_break":
            current.append(Block(kind, ""))
        elif len(para.text) > MAX_BLOCK_CHARS:
            current.extend(Block(kind, text, spans) for text, spans in split_long(para.text, para.spans))
        else:
            current.append(Block(kind, para.text, para.spans))
    if current:
        chapters.append((title, current))
    chapters = _merge_front_matter(chapters)
    result = []
    for chapter_title, blocks in chapters:
        mark_notes(blocks)
        result.append(Chapter(chapter_title, blocks))
    return result


def split_long(text: str, spans: tuple[Span, ...] = ()) -> list[tuple[str, tuple[Span, ...]]]:
    """Cut ``text`` at white space into pieces of at most :data:`MAX_BLOCK_CHARS`.

    The spans are handed out in one pass (those still open carry over to the next piece):
    looking at every span for every piece was quadratic in a paragraph of many small ones.
    """
    pieces: list[tuple[str, tuple[Span, ...]]] = []
    ordered = sorted(spans, key=lambda span: span.start)
    taken = 0
    carried: list[Span] = []
    start = 0
    while start < len(text):
        end = min(start + MAX_BLOCK_CHARS, len(text))
        if end < len(text):
            space = text.rfind(" ", start + MAX_BLOCK_CHARS // 2, end)
            end = space + 1 if space > 0 else end
        piece = text[start:end].strip()
        if piece:
            shift = start + (len(text[start:end]) - len(text[start:end].lstrip()))
            current = [span for span in carried if span.end > shift]
            while taken < len(ordered) and ordered[taken].start < shift + len(piece):
                current.append(ordered[taken])
                taken += 1
            kept = tuple(
                Span(max(s.start - shift, 0), min(s.end - shift, len(piece)), s.style)
                for s in current
                if s.end - shift > 0 and s.start - shift < len(piece)
            )
            carried = [span for span in current if span.end > shift + len(piece)]
            pieces.append((piece, kept))
        start = end
    return pieces


def _usual_gap(paras: list[Para]) -> int:
    gaps = Counter(p.gap for p in paras[1:] if p.gap > 0)
    return gaps.most_common(1)[0][0] if gaps else 1


def _merge_front_matter(chapters: list[tuple[str, list[Block]]]) -> list[tuple[str, list[Block]]]:
    """A few lines before the first heading (a disclaimer) belong to chapter one."""
    if len(chapters) >= 2:
        first_title, first = chapters[0]
        if first and first[0].kind != "heading" and len(first) <= NOTE_WINDOW:
            title, blocks = chapters[1]
            chapters = [(title, first + blocks), *chapters[2:]]
    return chapters


def mark_notes(blocks: list[Block]) -> None:
    """Paragraphs near a chapter's start or end that read as author's notes become notes."""
    body = [i for i, b in enumerate(blocks) if b.kind in ("paragraph", "note")]
    near = set(body[:NOTE_WINDOW]) | set(body[-NOTE_WINDOW:])
    for i in near:
        if blocks[i].kind == "paragraph" and looks_like_note(blocks[i].text):
            blocks[i].kind = "note"
