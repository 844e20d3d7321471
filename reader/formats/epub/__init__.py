"""EPUB stories (EPUB 2 and 3): the spine's XHTML files are the chapters, the OPF the metadata.

``META-INF/container.xml`` names the package (OPF) file; its manifest and spine give the
chapter files in reading order (:mod:`.package`), and the EPUB 3 navigation document or the
EPUB 2 NCX gives their titles (:mod:`.toc`). Chapter bodies go through the same markup reader
as HTML files (:mod:`reader.formats.markup`) and are put together by :mod:`.book`, which
knows FanFicFare's and AO3's front and end matter.

The archive is read defensively (:mod:`.archive`, :mod:`.safe_xml`): members are decompressed
against a total budget of :data:`MAX_UNCOMPRESSED_BYTES` (declared sizes are checked first,
actual bytes are counted while reading) and suspicious compression ratios are refused; XML
that declares entities is refused outright. A spine file that is missing or damaged is
skipped, so the rest of the book stays readable. Every failure is a :class:`StoryError` with a
one-line reason.
"""

from __future__ import annotations

from reader.formats.epub.archive import MAX_RATIO, RATIO_FLOOR, Archive
from reader.formats.epub.book import Book
from reader.formats.epub.metadata import opf_metadata
from reader.formats.epub.package import Package, check_encryption, package_path
from reader.formats.epub.pages import read_page
from reader.formats.epub.toc import read_contents
from reader.formats.errors import StoryError
from reader.formats.markup.tree import collector_paused
from reader.model import Story

__all__ = ["MAX_RATIO", "MAX_UNCOMPRESSED_BYTES", "RATIO_FLOOR", "parse"]

#: Most bytes the archive's members may expand to, all members read counted together.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


def parse(data: bytes, fallback_title: str) -> Story:
    """The story in the EPUB ``data``; a :class:`StoryError` (only) for a file it cannot read."""
    try:
        with collector_paused():
            return _parse(data, fallback_title)
    except StoryError:
        raise
    except Exception as error:  # any other failure is a bad file, never a traceback
        raise StoryError(f"not a readable EPUB ({type(error).__name__})") from None


def _parse(data: bytes, fallback_title: str) -> Story:
    archive = Archive(data, MAX_UNCOMPRESSED_BYTES)
    opf_path = package_path(archive)
    package = Package.read(archive, opf_path)
    if not package.spine:
        raise StoryError("the EPUB's spine is empty: it lists no chapter files")
    paths = package.reading_order()
    archive.check_declared([path for path in paths if path])
    check_encryption(archive, paths)
    contents = read_contents(archive, package)
    metadata, title, author = opf_metadata(package.metadata)
    book = Book(contents.titles, contents.marks(), {**package.guide, **contents.landmarks}, title)
    for path in paths:
        raw = archive.read_quietly(path) if path is not None else None
        if raw is None or path is None:
            book.missing += 1
            continue
        book.add(path, read_page(raw, path), is_nav=path == package.nav_path)
    return book.story(metadata, title, author, fallback_title)
