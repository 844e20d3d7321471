"""The spine's documents, turned into chapters, metadata and notes as they come.

Fan-fiction downloads get special care: FanFicFare's title page becomes metadata rather than
a first chapter and its contents and log pages are dropped; AO3's preface (split into its own
file by Calibre) becomes metadata and notes, its chapter notes note blocks, and its afterword
notes at the end of the last chapter.
"""

from __future__ import annotations

import posixpath
import re

from reader.formats.epub.pages import (
    DROPPED_MATTER,
    NOTED_MATTER,
    Document,
    body_type,
    boilerplate,
    first_text,
    is_contents,
    is_note,
    page_items,
    with_text,
)
from reader.formats.errors import StoryError
from reader.formats.markup import ao3, fanficfare
from reader.formats.markup.blocks import bolded, note_blocks, one_line, tidy
from reader.formats.markup.flow import ContextFlow, Item
from reader.formats.markup.tree import Node, Tree
from reader.formats.structure import is_scene_break, mark_notes
from reader.model import LIST_KEYS, METADATA_KEYS, Block, Chapter, Story

_FFF_SKIP_CLASSES = frozenset({"fff_tocpage", "fff_logpage", "fff_coverpage"})
_DT = re.compile(r"<dt[\s>]", re.I)
#: FanFicFare's mark for a chapter an update added (``mark_new_chapters``), after any number.
_NEW_MARK = re.compile(r"^(\d{1,5}\. )?\(new\) ")


#: Most words a page before the first chapter may have to be taken for a title page.
_TITLE_PAGE_WORDS = 60


class AnchorFlow(ContextFlow):
    """A :class:`ContextFlow` that marks where each of the contents' anchors stands."""

    def __init__(self, targets: dict[str, str], is_note, skip) -> None:  # type: ignore[no-untyped-def]
        super().__init__(is_note, skip)
        self._targets = targets

    def _enter(self, node: Node) -> tuple[str, ...]:
        if node.raw and ("id" in node.raw or "name" in node.raw):
            label = self._targets.get(node.get("id") or node.get("name"))
            if label is not None:
                self.marker("chapter", label)
        return super()._enter(node)


class Book:
    """The story so far: chapters, the metadata and notes front and end matter give."""

    def __init__(
        self,
        titles: dict[str, str],
        marks: dict[str, list[tuple[str, str]]] | None = None,
        matter: dict[str, str] | None = None,
        title: str = "",
    ) -> None:
        self.titles = titles
        self.marks = marks or {}
        self.matter = matter or {}
        self.book_title = title
        # Contents that name several places: files they leave out continue the chapter before.
        self.rich = sum(len(m) for m in self.marks.values()) >= 2
        # Contents that cut files at anchors (several chapters inside one file) name every
        # chapter: a file they do not name never starts one, even with a heading of its own.
        self.anchored = any(sum(1 for fragment, _ in m if fragment) >= 2 for m in self.marks.values())
        self.gutenberg_ended = False
        self.chapters: list[Chapter] = []
        self.page_meta: dict[str, object] = {}
        self.page_title = ""
        self.page_author = ""
        self.front_notes: list[Block] = []
        self.end_notes: list[Block] = []
        self.ao3 = False
        self.missing = 0
        self.new_chapters: list[int] = []  # FanFicFare's "(new)" chapters, counted from 1

    def add(self, path: str, page: Document, is_nav: bool) -> None:
        tree = page.tree
        given = self.matter.get(path)
        matter = frozenset(given.split()) if given else body_type(tree)
        if matter & DROPPED_MATTER or self.gutenberg_ended:
            return
        if matter & NOTED_MATTER:
            notes = note_blocks(page_items(tree.root, ()))
            (self.end_notes if self.chapters else self.front_notes).extend(notes)
            return
        preface, afterword = with_text(tree.ids.get("preface")), with_text(tree.ids.get("afterword"))
        apart = tuple(node for node in (preface, afterword) if node is not None)
        apart += boilerplate(page)
        items = self._gutenberg_text(page_items(tree.root, apart))
        if not apart and not any(item.text for item in items):
            return  # a cover image or an empty page
        classes = frozenset(c.lower() for c in tree.body.classes) if tree.body is not None else frozenset()
        name = posixpath.basename(path).lower()
        if "fff_titlepage" in classes:
            self._title_page(items, tree, force=True)
            return
        if classes & _FFF_SKIP_CLASSES or name == "log_page.xhtml" or is_nav:
            return
        title = self.titles.get(path, "")
        if preface is not None or (
            not self.chapters and _DT.search(page.markup) and ao3.tag_count(tree.root) >= 2
        ):
            # AO3: Calibre splits the download at its <h2>s, so a one-shot's text shares the
            # preface's file (inside div#chapters), and the afterword may share the last one.
            self.ao3 = True
            if preface is not None:
                self._preface(ao3.read_preface(preface))
            else:  # no div#preface: all that is not the chapters or the afterword
                chapters = tree.ids.get("chapters")
                outside = apart if chapters is None else (*apart, chapters)
                self._preface(ao3.read_preface(tree.root, outside))
                items = page_items(chapters, apart) if chapters is not None else []
            title = ""  # the contents name this file after the preface
        if afterword is not None:
            self.end_notes.extend(ao3.afterword_notes(afterword))
        elif self.ao3 and self.chapters and first_text(items).casefold() == "afterword":
            self.end_notes.extend(ao3.afterword_notes(tree.root, apart))
            return
        if any(item.text for item in items):
            self._place(path, page, items, apart, title, classes)

    def _place(
        self,
        path: str,
        page: Document,
        items: list[Item],
        apart: tuple[Node, ...],
        title: str,
        classes: frozenset[str],
    ) -> None:
        """A page with text: a title page, contents, or chapters (cut where the contents say)."""
        tree = page.tree
        force = posixpath.basename(path).lower() == "title_page.xhtml"
        if not self.chapters and self._title_page(items, tree, force=force):
            return
        if is_contents(items, page, apart):
            return
        if not self.chapters and self._only_a_title(items):
            return
        marks = self.marks.get(path)
        if marks and any(fragment for fragment, _label in marks) and not self.ao3:
            self._cut_at_anchors(tree, apart, marks)
            return
        if (
            self.rich
            and marks is None
            and self.chapters
            and not self.ao3
            and (self.anchored or not _headed(items))
        ):
            # A file the contents leave out goes on from the chapter before. Where they name only
            # whole files, one with a heading of its own is a chapter (contents that forget one).
            self._continue(items)
            return
        chapter = _chapter(items, title, len(self.chapters) + 1, self.ao3)
        if "fff_chapter" in classes and _NEW_MARK.match(chapter.title):
            chapter = _unmarked(chapter)
            self.new_chapters.append(len(self.chapters) + 1)
        self.chapters.append(chapter)

    def _cut_at_anchors(self, tree: Tree, apart: tuple[Node, ...], marks: list[tuple[str, str]]) -> None:
        """Chapters start where the contents' anchors stand, wherever they are in the file."""
        found = {fragment: label for fragment, label in marks if fragment and _anchored(tree, fragment)}
        opening = next((label for fragment, label in marks if not fragment or fragment not in found), "")
        skip = (lambda n: n in apart) if apart else None
        items = self._gutenberg_text(AnchorFlow(found, is_note, skip).feed(tree.root).finish())
        segments: list[tuple[str, list[Item]]] = [(opening, [])]
        for item in items:
            if item.kind == "chapter":
                segments.append((item.text, []))
            else:
                segments[-1][1].append(item)
        for number, (label, part) in enumerate(segments):
            if not any(item.text for item in part):
                continue
            if number == 0 and not opening and self.chapters:
                self._continue(part)  # text before the first anchor goes on from the chapter before
            else:
                self.chapters.append(_chapter(part, label, len(self.chapters) + 1, self.ao3))

    def _continue(self, items: list[Item]) -> None:
        """A file the contents do not name: it goes on from the chapter before."""
        blocks = _chapter(items, "", 0, self.ao3).blocks
        last = self.chapters[-1]
        self.chapters[-1] = Chapter(last.title, last.blocks + (blocks if _headed(items) else blocks[1:]))

    def _only_a_title(self, items: list[Item]) -> bool:
        """A page before the first chapter whose few words hold the book's title: a title page."""
        title = _norm(self.book_title)
        texts = [_norm(item.text) for item in items if item.text]
        words = sum(len(text.split()) for text in texts)
        return (
            bool(title)
            and words <= _TITLE_PAGE_WORDS
            and any(text == title or text.startswith((title + ":", title + " by ")) for text in texts)
        )

    def _gutenberg_text(self, items: list[Item]) -> list[Item]:
        """Without what stands before Gutenberg's START marker or from its END marker on."""
        if not any(item.text.startswith(("***", "End of", "END OF")) for item in items if item.text):
            return items
        from reader.formats.gutenberg import END_MARKER, START_MARKER

        start = next((i + 1 for i, item in enumerate(items) if START_MARKER.match(item.text)), 0)
        end = next((i for i, item in enumerate(items) if i >= start and END_MARKER.match(item.text)), None)
        if end is not None:
            self.gutenberg_ended = True
        return items[start:end]

    def _title_page(self, items: list[Item], tree: Tree, force: bool) -> bool:
        """FanFicFare's title page (or the like): its entries are metadata."""
        page = fanficfare.read_title_page(items)
        if not force and not page.looks_like_one():
            return False
        if "source_url" not in page.metadata:
            url = fanficfare.story_link(tree.root)  # FanFicFare links the title to the story
            if url:
                page.metadata["source_url"] = url
        self.page_meta.update(page.metadata)
        return True

    def _preface(self, preface: ao3.Preface) -> None:
        self.page_meta.update(preface.metadata)
        self.page_title = self.page_title or preface.title
        self.page_author = self.page_author or preface.author
        self.front_notes.extend(preface.notes)

    def story(self, opf_meta: dict[str, object], title: str, author: str, fallback_title: str) -> Story:
        chapters = _headings_joined(self.chapters)
        if not chapters:
            if self.missing:
                raise StoryError("none of the chapter files the spine lists is readable in the archive")
            raise StoryError("no story text in the EPUB")
        if self.front_notes:
            blocks = chapters[0].blocks
            chapters[0] = Chapter(chapters[0].title, blocks[:1] + self.front_notes + blocks[1:])
        if self.end_notes:
            chapters[-1] = Chapter(chapters[-1].title, chapters[-1].blocks + self.end_notes)
        metadata = dict(opf_meta)
        source = metadata.get("source_url")
        metadata.update(self.page_meta)
        if source:
            metadata["source_url"] = source
        if self.page_meta and "tags" not in self.page_meta and metadata.get("tags"):
            metadata["tags"] = _tags_not_elsewhere(metadata)
        clean: dict[str, object] = {}
        for key in METADATA_KEYS:
            value = metadata.get(key)
            if key in LIST_KEYS:
                items = value if isinstance(value, list) else _split(str(value or ""))
                items = list(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))
                if items:
                    clean[key] = items
            elif value:
                clean[key] = str(value).strip()
        if self.new_chapters:
            clean["new_chapters"] = ", ".join(map(str, self.new_chapters))
        return Story(
            id="",
            title=title or self.page_title or fallback_title,
            author=author or self.page_author,
            chapters=chapters,
            metadata=clean,
            encoding="utf-8",
        )


def _headings_joined(chapters: list[Chapter]) -> list[Chapter]:
    """A chapter of headings alone (a part's title page) goes on top of the chapter after it."""
    result: list[Chapter] = []
    waiting: list[Block] = []
    for chapter in chapters:
        if chapter.blocks and all(block.kind == "heading" for block in chapter.blocks):
            waiting.extend(chapter.blocks)
            continue
        result.append(Chapter(chapter.title, waiting + chapter.blocks) if waiting else chapter)
        waiting = []
    if waiting:
        result.append(Chapter(waiting[0].text, waiting))
    return result


def _headed(items: list[Item]) -> bool:
    """The page opens with a heading."""
    return next((item.kind == "heading" for item in items if item.text), False)


def _anchored(tree: Tree, fragment: str) -> bool:
    return fragment in tree.ids or any(a.get("name") == fragment for a in tree.anchors)


def _unmarked(chapter: Chapter) -> Chapter:
    """The chapter without FanFicFare's "(new) " in its title and heading."""
    title = _NEW_MARK.sub(r"\1", chapter.title)
    blocks = list(chapter.blocks)
    if blocks and blocks[0].kind == "heading":
        blocks[0] = Block("heading", _NEW_MARK.sub(r"\1", blocks[0].text), blocks[0].spans)
    return Chapter(title, blocks)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _tags_not_elsewhere(metadata: dict[str, object]) -> list[str]:
    """dc:subject lists every tag; drop those the title page or preface already filed."""
    elsewhere: set[str] = set()
    for key, value in metadata.items():
        if key == "tags":
            continue
        values = value if isinstance(value, list) else [value]
        elsewhere.update(str(v).casefold() for v in values)
    tags = metadata.get("tags")
    return [t for t in (tags if isinstance(tags, list) else []) if str(t).casefold() not in elsewhere]


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _chapter(items: list[Item], toc_title: str, number: int, ao3_book: bool) -> Chapter:
    title = one_line(toc_title)
    # The headings before the text: one that says what the title says (or more) is dropped,
    # the longer wording kept as the title; with no title from the contents, the first is it.
    dropped: set[int] = set()
    for index, item in enumerate(items):
        if not item.text:
            continue
        if item.kind != "heading":
            break
        heading = one_line(item.text)
        a, b = _norm(title), _norm(heading)
        if not a or a in b:
            title = heading
            dropped.add(index)
        elif b in a:
            dropped.add(index)
    rest = [item for index, item in enumerate(items) if index not in dropped] if dropped else items
    title = title or f"Chapter {number}"
    blocks = [Block("heading", title)]
    noted = ao3.labelled_notes(rest) if ao3_book else set()
    for index, item in enumerate(rest):
        text = item.text
        if item.kind == "scene_break":
            blocks.append(Block("scene_break", ""))
        elif ao3_book and ao3.SITE_TEXT.match(text):
            continue
        elif item.kind == "heading":
            blocks.append(Block("paragraph", text, bolded(item)))
        elif is_scene_break(text):
            blocks.append(Block("scene_break", ""))
        elif index in noted or item.noted:
            blocks.append(Block("note", text, item.spans))
        else:
            blocks.append(Block("paragraph", text, item.spans))
    blocks = tidy(blocks)
    mark_notes(blocks)
    return Chapter(title, blocks)
