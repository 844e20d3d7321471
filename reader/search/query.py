"""The text side of library search, with no SQLite: queries, folding, passages, snippets.

What the user types (words, "phrases", prefix*, field:filters) never reaches FTS5 syntax as
typed. It is cut into terms, each term into words the
way FTS5's ``unicode61`` tokenizer cuts text (runs of letters and digits), and the MATCH
expression is built from those words with every term quoted; so ``"``, ``*``, ``:``,
brackets, ``-``, ``AND``, ``OR`` and ``NEAR`` are only ever text. An unbalanced quote closes
at the end of the text. The same terms, folded like the index folds text, find the exact
match inside a passage in Python for the hits that are shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reader.model import Story

__all__ = ["FIELDS", "Query", "QueryError", "Term", "fold", "parse_query", "passages", "snippet"]


class QueryError(ValueError):
    """A query or regular expression that cannot be run; ``str()`` is a one-line reason."""


#: ``field:`` names and the story metadata columns each looks in (AO3 counts relationships
#: and characters as tags too).
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "author": ("author",),
    "fandom": ("fandom",),
    "tag": ("tags", "relationships", "characters"),
    "tags": ("tags", "relationships", "characters"),
    "character": ("characters",),
    "characters": ("characters",),
    "ship": ("relationships",),
    "relationship": ("relationships",),
    "relationships": ("relationships",),
}

MAX_TERMS = 32
SNIPPET_CHARS = 120
PASSAGE_CHARS = 2000

_WORD = re.compile(r"[^\W_]+")  # a token as unicode61 sees one: letters and digits
_FIELD = re.compile(r"([A-Za-z]+):(?=\S)")
_BARE = re.compile(r'[^\s"]+')
_REGEX_FILTER = re.compile(r'(?:^|(?<=\s))([A-Za-z]+):("[^"]*"?\*?|[^\s"]+)')
_ONE_LINE = str.maketrans({c: " " for c in "\n\r\t\x0b\x0c\x85\u2028\u2029"})


class _Fold(dict[int, str]):
    """Code point → one lower-case character, with accents taken off Latin letters only.

    That is what ``unicode61 remove_diacritics 2`` does (й and ё keep theirs), and keeping
    one character for one means offsets in folded text are offsets in the original.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1:
            lower = char
        base = unicodedata.normalize("NFD", lower)[0]
        folded = base.lower() if ord(base) < 0x250 else lower  # İ → I → i
        self[code] = folded
        return folded


_FOLD = _Fold()


def fold(text: str) -> str:
    """``text`` in lower case without Latin accents, the same length as ``text``."""
    return text.translate(_FOLD)


#: The words of the index that begin with a (folded) prefix; None: do not expand it.
Expand = Callable[[str], "list[str] | None"]


@dataclass(frozen=True)
class Term:
    """One word, a "phrase" of words in order, or a prefix (the last word's start)."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self, expand: Expand | None = None) -> str:
        """The term as an FTS5 string: quoted, so nothing in it is syntax. With ``expand``, a
        prefix becomes the OR of the words it begins (when ``expand`` gives them): the same
        passages, found without FTS5 first gathering every passage of every such word."""
        words = expand(fold(self.words[-1])) if expand is not None and self.prefix else None
        if words:
            return "(" + " OR ".join(Term((*self.words[:-1], word)).fts() for word in words) + ")"
        quoted = " ".join(self.words).replace('"', '""')
        return f'"{quoted}"' + ("*" if self.prefix else "")

    def pattern(self) -> str:
        """A Python regex finding the term in folded text."""
        body = r"[\W_]+".join(re.escape(fold(word)) for word in self.words)
        tail = r"[^\W_]*" if self.prefix else ""
        return rf"(?<![^\W_]){body}{tail}(?![^\W_])"


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()
    filters: tuple[tuple[tuple[str, ...], Term], ...] = ()
    regex: re.Pattern[str] | None = None
    finder: re.Pattern[str] | None = None  # the terms, for folded text

    @property
    def empty(self) -> bool:
        return not self.terms and not self.filters and self.regex is None

    def match(self, expand: Expand | None = None) -> str:
        """The FTS5 MATCH expression over passages: every term, in any order."""
        return " AND ".join(term.fts(expand) for term in self.terms)

    def loose_match(self, expand: Expand | None = None) -> str:
        """Every word of every term, in any order: the passages a phrase has to be looked for in."""
        words = [
            Term((word,), term.prefix and i == len(term.words) - 1)
            for term in self.terms
            for i, word in enumerate(term.words)
        ]
        return " AND ".join(word.fts(expand) for word in words)

    def meta_match(self) -> str:
        """The FTS5 MATCH expression over story metadata: every filter in its columns."""
        return " AND ".join("{" + " ".join(columns) + "} : " + term.fts() for columns, term in self.filters)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``[start, end)`` of every match of the query in ``text``, in order."""
        if self.regex is not None:
            return [m.span() for m in self.regex.finditer(text) if m.end() > m.start()]
        if self.finder is None:
            return []
        return [m.span() for m in self.finder.finditer(fold(text))]


def parse_query(text: str, regex: bool = False) -> Query:
    """Parse what the user typed; :class:`QueryError` for a bad regex or far too many words."""
    if regex:
        return _parse_regex(text)
    terms: list[Term] = []
    filters: list[tuple[tuple[str, ...], Term]] = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        columns: tuple[str, ...] | None = None
        field = _FIELD.match(text, at)
        if field and field.group(1).lower() in FIELDS:
            columns = FIELDS[field.group(1).lower()]
            at = field.end()
        term, at = _term_at(text, at)
        if term is None:
            continue
        if columns is None:
            terms.append(term)
        else:
            filters.append((columns, term))
    if len(terms) + len(filters) > MAX_TERMS:
        raise QueryError(f"Too many words to search for (at most {MAX_TERMS}).")
    for term in terms:  # "a*" would merge a good part of the index for nothing
        if (
            term.prefix
            and len(term.words[-1]) == 1
            and unicodedata.east_asian_width(term.words[-1]) not in "WF"
        ):
            raise QueryError(f"Type at least two letters before the * in {term.words[-1]}*.")
    finder = re.compile("|".join(term.pattern() for term in terms)) if terms else None
    return Query(tuple(terms), tuple(filters), None, finder)


def _term_at(text: str, at: int) -> tuple[Term | None, int]:
    """The quoted phrase or bare word at ``at``, and where the next one may start."""
    if text[at] == '"':
        end = text.find('"', at + 1)
        end = len(text) if end < 0 else end
        body, at = text[at + 1 : end], end + 1
        prefix = text.startswith("*", at)
        at += prefix
    else:
        bare = _BARE.match(text, at)
        assert bare is not None  # text[at] is neither a space nor a quote
        body, at = bare.group(), bare.end()
        prefix = body.endswith("*")
    words = tuple(_WORD.findall(body))
    return (Term(words, prefix) if words else None), at


def _parse_regex(text: str) -> Query:
    """A regex, narrowed by any ``field:value`` filters written in it (they are taken out)."""
    filters: list[tuple[tuple[str, ...], Term]] = []

    def take(match: re.Match[str]) -> str:
        columns = FIELDS.get(match.group(1).lower())
        if columns is None:
            return match.group()
        term, _ = _term_at(match.group(2), 0)
        if term is not None:
            filters.append((columns, term))
        return ""

    pattern = _REGEX_FILTER.sub(take, text).strip()
    if not pattern:
        return Query(filters=tuple(filters))
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        raise QueryError(f"Not a valid regular expression: {error}") from None
    return Query(filters=tuple(filters), regex=compiled)


def snippet(
    text: str, start: int, end: int, spans: list[tuple[int, int]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``SNIPPET_CHARS`` of ``text`` around ``[start, end)`` on one line, and where the
    ``spans`` fall in it. A cut end is shown as "…"."""
    room = max(0, SNIPPET_CHARS - (end - start))
    a = max(0, start - room // 3)
    b = min(len(text), max(end, a + SNIPPET_CHARS))
    a = max(0, min(a, b - SNIPPET_CHARS, start))
    if a > 0:  # begin and end on word boundaries when that costs little
        space = text.find(" ", a, start)
        if 0 <= space < a + 20:
            a = space + 1
    if b < len(text):
        space = text.rfind(" ", end, b)
        if space > b - 20:
            b = space
    lead = "…" if a > 0 else ""
    line = lead + text[a:b].translate(_ONE_LINE) + ("…" if b < len(text) else "")
    shift = len(lead) - a
    marks = tuple((max(s, a) + shift, min(e, b) + shift) for s, e in spans if s < b and e > a)
    return line, marks


def passages(story: Story) -> Iterator[tuple[int, int, str]]:
    """(chapter, offset in ``Chapter.text``, text) of each paragraph, heading and note, a long
    one in pieces of at most PASSAGE_CHARS cut at spaces; scene breaks have no words."""
    for index, chapter in enumerate(story.chapters):
        for block, start in zip(chapter.blocks, chapter.block_starts, strict=False):
            text = block.text
            if block.kind == "scene_break" or not text.strip():
                continue
            at = 0
            while at < len(text):
                end = at + PASSAGE_CHARS
                if end < len(text):
                    space = text.rfind(" ", at + PASSAGE_CHARS // 2, end)
                    end = space if space > at else end
                yield index, start + at, text[at:end]
                at = end
