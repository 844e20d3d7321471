"""Markdown stories: optional YAML front matter, headings as chapters, *italic* and **bold**."""

from __future__ import annotations

import re

from reader.formats.decoding import DecodeError, decode
from reader.formats.errors import StoryError
from reader.formats.prose import inline, paragraphs
from reader.formats.structure import Para, build_chapters
from reader.model import Story

# The closing "#"s are taken off with rstrip (see _heading): "(.*?)\s*#*\s*$" backtracked
# quadratically over a heading of many "#".
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_RULE_MAX = 200  # a rule is a short line: a long paragraph is not run through _RULE
_RULE = re.compile(r"^(?:\*\s*){3,}$|^(?:-\s*){3,}$|^(?:_\s*){3,}$")


def parse(data: bytes, fallback_title: str) -> Story:
    try:
        text, encoding = decode(data)
    except DecodeError as error:
        raise StoryError(str(error)) from None
    from reader.formats.markup.tree import collector_paused

    with collector_paused():  # many small objects and no cycles: the collector only slows it
        return _parse_text(text, encoding, fallback_title)


def _parse_text(text: str, encoding: str, fallback_title: str) -> Story:
    metadata, body = front_matter(text)
    paras = paragraphs(body)
    levels = [len(m.group(1)) for p in paras if (m := _HEADING.match(p.text))]
    title = str(metadata.pop("title", "") or "")
    chapter_level = min(levels) if levels else 0
    if levels and levels.count(chapter_level) == 1 and len(set(levels)) > 1 and not title:
        # A single top heading over several smaller ones is the story's title.
        chapter_level = min(level for level in levels if level > chapter_level)
    result: list[Para] = []
    for para in paras:
        match = _HEADING.match(para.text)
        if match:
            level, heading = len(match.group(1)), inline(_heading_text(match.group(2)))[0]
            if level < chapter_level and not title:
                title = heading
                continue
            result.append(Para(heading, para.gap, "heading" if level == chapter_level else "paragraph"))
        elif len(para.text) <= _RULE_MAX and _RULE.match(para.text):
            result.append(Para("", para.gap, "scene_break"))
        else:
            plain, spans = inline(para.text.lstrip("> ").strip())
            result.append(Para(plain, para.gap, None, spans))
    if not result:
        raise StoryError("no story text in the file")
    title = title or fallback_title
    author = str(metadata.pop("author", "") or "")
    chapters = build_chapters(result, default_title=title, detect_headings=not levels)
    return Story(id="", title=title, author=author, chapters=chapters, metadata=metadata, encoding=encoding)


def _heading_text(text: str) -> str:
    """A heading's text without its closing "#"s: what "(.*?)\\s*#*\\s*$" kept."""
    return text.rstrip().rstrip("#").rstrip()


def front_matter(text: str) -> tuple[dict[str, object], str]:
    """YAML between a leading ``---`` and the next ``---`` line, if it parses to a mapping."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    rest = text[end + 4 :].split("\n", 1)
    metadata = {str(k).lower(): v for k, v in data.items() if v is not None}
    if "url" in metadata and "source_url" not in metadata:
        metadata["source_url"] = metadata.pop("url")
    return metadata, rest[1] if len(rest) > 1 else ""
