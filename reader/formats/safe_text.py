"""The story a format read, cleaned where it enters the model (``reader.clean``): its title,
author, metadata, chapter titles and every block's text, its styled spans moved with it."""

from __future__ import annotations

from typing import Any

from reader.clean import clean, clean_with_map, moved, needs_cleaning
from reader.model import Block, Span, Story


def clean_story(story: Story) -> Story:
    story.id = clean(story.id)  # a parser may name the story from the file (EPUB's identifier)
    story.title = clean(story.title)
    story.author = clean(story.author)
    story.metadata = {clean(str(key)): _clean_value(value) for key, value in story.metadata.items()}
    for chapter in story.chapters:
        chapter.title = clean(chapter.title)
        if not needs_cleaning(chapter.text):  # one look at the whole chapter: most need nothing
            continue
        for block in chapter.blocks:
            if needs_cleaning(block.text):
                _clean_block(block)
        chapter._text = chapter._starts = None  # their lengths changed
    return story


def _clean_block(block: Block) -> None:
    text, changes = clean_with_map(block.text)
    spans = []
    for span in block.spans:
        start, end = moved(span.start, changes), moved(span.end, changes)
        if end > start:
            spans.append(Span(start, end, span.style))
    block.text, block.spans = text, tuple(spans)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean(str(key)): _clean_value(item) for key, item in value.items()}
    return value
