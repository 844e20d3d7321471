"""EPUB stories (EPUB 2 and 3): the spine's XHTML files are the chapters, the OPF the metadata.

``META-INF/container.xml`` names the package (OPF) file; its manifest and spine give the
chapter files in reading order, and the EPUB 3 navigation document (or the EPUB 2 NCX) gives
their titles. Chapter bodies are turned into blocks by a small XHTML reader built on
:class:`html.parser.HTMLParser`.

Fan-fiction downloads get special care: FanFicFare's title page (``<b>Label:</b> value``
lines) and AO3's preface (its ``dl.tags`` list, summary and notes) become metadata rather
than a first chapter, FanFicFare's contents and log pages are dropped, AO3's chapter
notes become note blocks and its afterword becomes notes at the end of the last chapter.

The archive is read defensively: members are decompressed against a total budget of
:data:`MAX_UNCOMPRESSED_BYTES` (declared sizes are checked first, actual bytes are counted
while reading) and suspicious compression ratios are refused; XML that declares entities
is refused outright. A spine file that is missing or damaged is skipped, so the rest of
the book stays readable. Every failure is a :class:`StoryError` with a one-line reason.
"""

from __future__ import annotations

import codecs
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote
from xml.etree import ElementTree

from reader.formats.errors import StoryError
from reader.model import LIST_KEYS, METADATA_KEYS, Block, Chapter, Span, Story
from reader.structure import NOTE_WINDOW, is_scene_break, looks_like_note

#: Most bytes the archive's members may expand to, all members read counted together.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: A member larger than :data:`RATIO_FLOOR` may not be compressed more than this (x : 1).
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024

_NOT_A_ZIP = "not an EPUB (not a zip archive, or a damaged or truncated one)"
_XHTML_TYPES = ("application/xhtml+xml", "text/html", "application/xml", "text/xml", "")
_XHTML_ENDINGS = (".xhtml", ".html", ".htm", ".xml")


class _Damaged(StoryError):
    """One member of the archive cannot be decompressed."""


class _Refused(StoryError):
    """A file that is refused for safety (entity declarations)."""


# --------------------------------------------------------------------------- entry point


def parse(data: bytes, fallback_title: str) -> Story:
    """The story in the EPUB ``data``; a :class:`StoryError` (only) for a file it cannot read."""
    try:
        return _parse(data, fallback_title)
    except StoryError:
        raise
    except Exception as error:  # any other failure is a bad file, never a traceback
        raise StoryError(f"not a readable EPUB ({type(error).__name__})") from None


def _parse(data: bytes, fallback_title: str) -> Story:
    archive = _Archive(data)
    opf_path = _package_path(archive)
    package = _Package.read(archive, opf_path)
    if not package.spine:
        raise StoryError("the EPUB's spine is empty: it lists no chapter files")
    paths = package.reading_order()
    archive.check_declared([path for path in paths if path])
    _check_encryption(archive, paths)
    titles = _toc_titles(archive, package)
    metadata, title, author = _opf_metadata(package.metadata)
    book = _Book(titles)
    for path in paths:
        if path is None:
            book.missing += 1
            continue
        try:
            raw = archive.read(path)
        except _Damaged:
            raw = None
        if raw is None:
            book.missing += 1
            continue
        book.add(path, _read_document(raw, path), is_nav=path == package.nav_path)
    return book.story(metadata, title, author, fallback_title)


# --------------------------------------------------------------------------- the archive


class _Archive:
    """The zip file, read with a budget of uncompressed bytes."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except Exception:
            raise StoryError(_NOT_A_ZIP) from None
        self._names: dict[str, zipfile.ZipInfo] = {}
        self._lower: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename.endswith("/"):
                continue
            name = _clean(info.filename)
            self._names.setdefault(name, info)
            self._lower.setdefault(name.lower(), info)
        self._budget = MAX_UNCOMPRESSED_BYTES

    def find(self, name: str) -> zipfile.ZipInfo | None:
        name = _clean(name)
        return self._names.get(name) or self._lower.get(name.lower())

    def check_declared(self, names: list[str]) -> None:
        """Refuse before decompressing anything when the declared sizes are already too big."""
        infos = {info.filename: info for info in map(self.find, names) if info is not None}
        if sum(info.file_size for info in infos.values()) > self._budget:
            raise _too_big()

    def read(self, name: str) -> bytes | None:
        """The member's bytes; None when there is no such member."""
        info = self.find(name)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise StoryError("the EPUB is password-protected (an encrypted zip archive)")
        size = info.file_size
        if size > self._budget:
            raise _too_big()
        if size > RATIO_FLOOR and size > MAX_RATIO * max(1, info.compress_size):
            raise StoryError(f"{name} is compressed more than {MAX_RATIO}:1 (a zip bomb?)")
        chunks: list[bytes] = []
        got = 0
        try:
            with self._zip.open(info) as stream:
                while True:
                    chunk = stream.read(1 << 20)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > self._budget or got > size:
                        raise _too_big()
                    chunks.append(chunk)
        except StoryError:
            raise
        except Exception:
            raise _Damaged(f"{name} is damaged in the archive") from None
        self._budget -= got
        return b"".join(chunks)


def _too_big() -> StoryError:
    limit = MAX_UNCOMPRESSED_BYTES // 2**20
    return StoryError(f"the archive expands to more than {limit} MB (a zip bomb?)")


def _clean(name: str) -> str:
    name = name.replace("\\", "/").lstrip("/")
    while name.startswith("./"):
        name = name[2:]
    return name


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _resolve(base_file: str, href: str | None) -> str | None:
    """``href`` (relative to the file ``base_file``) as an archive path; None if external."""
    if not href:
        return None
    href = href.strip().split("#", 1)[0]
    if not href or _SCHEME.match(href):
        return None
    path = unquote(href)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(base_file), path)
    norm = posixpath.normpath(joined)
    if norm in (".", "..") or norm.startswith("../"):
        return None
    return norm


# --------------------------------------------------------------------------- XML


_ENTITY_DECL = re.compile(r"<!\s*ENTITY", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:\-]+)""", re.I)
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*>")
_BARE_AMP = re.compile(r"&(?!#?[A-Za-z0-9]+;)")


def _markup(data: bytes, name: str) -> str:
    """Decode an XML or XHTML file, refusing one that declares entities."""
    text = _decode(data)
    if "<!" in text and _ENTITY_DECL.search(text):
        raise _Refused(
            f"{name} declares XML entities (<!ENTITY>): refused as a possible entity-expansion attack"
        )
    return text


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    if data[:2] == b"<\x00":
        return data.decode("utf-16-le", "replace")
    if data[:2] == b"\x00<":
        return data.decode("utf-16-be", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:1024]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), "replace")
        except Exception:  # an unknown or non-text codec name
            pass
    return data.decode("cp1252", "replace")


def _xml(data: bytes, name: str) -> ElementTree.Element:
    text = _markup(data, name).lstrip()
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError:
        pass
    # Second try, for what hand-made files get wrong: a broken XML declaration, HTML
    # entities such as &nbsp;, stray ampersands.
    fixed = _XML_DECLARATION.sub("", text, count=1)
    fixed = _NAMED_ENTITY.sub(_html_entity, fixed)
    fixed = _BARE_AMP.sub("&amp;", fixed)
    try:
        return ElementTree.fromstring(fixed)
    except ElementTree.ParseError as error:
        raise StoryError(f"{name} is not well-formed XML ({error})") from None


def _html_entity(match: re.Match[str]) -> str:
    if match.group(1) in ("amp", "lt", "gt", "quot", "apos"):
        return match.group(0)
    return html.unescape(match.group(0))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _attr(element: ElementTree.Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (``opf:role``, ``role``)."""
    value = element.get(name)
    if value is not None:
        return value
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _text(element: ElementTree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


# --------------------------------------------------------------------------- the package


def _package_path(archive: _Archive) -> str:
    raw = archive.read("META-INF/container.xml")
    if raw is None:
        raise StoryError("not an EPUB (no META-INF/container.xml)")
    root = _xml(raw, "META-INF/container.xml")
    candidates: list[tuple[bool, str]] = []
    for element in root.iter():
        if _local(element.tag) == "rootfile" and element.get("full-path"):
            is_opf = element.get("media-type", "") in ("application/oebps-package+xml", "")
            candidates.append((not is_opf, _clean(unquote(element.get("full-path", "")))))
    if not candidates:
        raise StoryError("META-INF/container.xml names no package (.opf) file")
    path = min(candidates, key=lambda c: c[0])[1]
    if archive.find(path) is None:
        raise StoryError(f"the package file {path} named in container.xml is missing from the archive")
    return path


@dataclass
class _Entry:
    path: str | None
    media_type: str
    properties: str


@dataclass
class _Package:
    path: str
    metadata: ElementTree.Element | None
    manifest: dict[str, _Entry]
    spine: list[tuple[str, bool]]  # (idref, linear)
    toc_id: str
    nav_path: str | None

    @classmethod
    def read(cls, archive: _Archive, path: str) -> _Package:
        raw = archive.read(path)
        if raw is None:
            raise StoryError(f"the package file {path} named in container.xml is missing from the archive")
        root = _xml(raw, path)
        metadata = manifest_el = spine_el = None
        for element in root.iter():
            name = _local(element.tag)
            if name == "metadata" and metadata is None:
                metadata = element
            elif name == "manifest" and manifest_el is None:
                manifest_el = element
            elif name == "spine" and spine_el is None:
                spine_el = element
        manifest: dict[str, _Entry] = {}
        nav_path = None
        for item in manifest_el.iter() if manifest_el is not None else ():
            if _local(item.tag) != "item" or not item.get("id"):
                continue
            entry = _Entry(
                _resolve(path, item.get("href")),
                (item.get("media-type") or "").strip().lower(),
                (item.get("properties") or "").lower(),
            )
            manifest.setdefault(item.get("id", ""), entry)
            if "nav" in entry.properties.split() and nav_path is None:
                nav_path = entry.path
        spine: list[tuple[str, bool]] = []
        toc_id = ""
        if spine_el is not None:
            toc_id = spine_el.get("toc") or ""
            for ref in spine_el:
                if _local(ref.tag) == "itemref":
                    spine.append(
                        (ref.get("idref") or "", (ref.get("linear") or "yes").strip().lower() != "no")
                    )
        return cls(path, metadata, manifest, spine, toc_id, nav_path)

    def reading_order(self) -> list[str | None]:
        """Archive paths of the spine's documents (None for one the manifest lacks)."""
        refs = [ref for ref in self.spine if ref[1]] or self.spine  # all non-linear: read them all
        paths: list[str | None] = []
        seen: set[str] = set()
        for idref, _linear in refs:
            entry = self.manifest.get(idref)
            if entry is None or entry.path is None:
                paths.append(None)
                continue
            if not _is_document(entry):
                continue
            if entry.path not in seen:
                seen.add(entry.path)
                paths.append(entry.path)
        return paths


def _is_document(entry: _Entry) -> bool:
    if entry.media_type in _XHTML_TYPES or "html" in entry.media_type:
        return True
    return (entry.path or "").lower().endswith(_XHTML_ENDINGS) and not entry.media_type.startswith(
        ("image/", "font/", "audio/", "video/", "text/css")
    )


def _check_encryption(archive: _Archive, paths: list[str | None]) -> None:
    try:
        raw = archive.read("META-INF/encryption.xml")
    except _Damaged:
        return
    if raw is None:
        return
    try:
        root = _xml(raw, "META-INF/encryption.xml")
    except _Refused:
        raise
    except StoryError:
        return
    encrypted = {
        _clean(unquote(_attr(element, "uri")))
        for element in root.iter()
        if _local(element.tag) == "cipherreference"
    }
    if encrypted & {path for path in paths if path}:
        raise StoryError("the EPUB is encrypted (DRM): its chapters cannot be read")


# --------------------------------------------------------------------------- table of contents


def _toc_titles(archive: _Archive, package: _Package) -> dict[str, str]:
    """Chapter titles by archive path, from the EPUB 3 nav document, else the NCX."""
    titles: dict[str, str] = {}
    if package.nav_path:
        raw = _read_quietly(archive, package.nav_path)
        if raw is not None:
            nav = _NavParser()
            _feed(nav, _markup(raw, package.nav_path))
            for href, label in nav.entries():
                target = _resolve(package.nav_path, href)
                if target and label:
                    titles.setdefault(target, label)
    if titles:
        return titles
    ncx = package.manifest.get(package.toc_id)
    if ncx is None or ncx.path is None:
        ncx = next((e for e in package.manifest.values() if e.media_type == "application/x-dtbncx+xml"), None)
    if ncx is None or ncx.path is None:
        return titles
    raw = _read_quietly(archive, ncx.path)
    if raw is None:
        return titles
    try:
        root = _xml(raw, ncx.path)
    except _Refused:
        raise
    except StoryError:
        return titles
    for point in root.iter():
        if _local(point.tag) != "navpoint":
            continue
        label, src = "", None
        for child in point:
            name = _local(child.tag)
            if name == "navlabel" and not label:
                label = _text(child)
            elif name == "content" and src is None:
                src = child.get("src")
        target = _resolve(ncx.path, src)
        if target and label:
            titles.setdefault(target, label)
    return titles


def _read_quietly(archive: _Archive, path: str) -> bytes | None:
    try:
        return archive.read(path)
    except _Damaged:
        return None


class _NavParser(HTMLParser):
    """The links of an EPUB 3 navigation document, per ``<nav>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.navs: list[tuple[str, list[tuple[str, str]]]] = []
        self._depth = 0
        self._href: str | None = None
        self._label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav":
            self._depth += 1
            if self._depth == 1:
                values = dict(attrs)
                kind = " ".join(v or "" for k, v in values.items() if k in ("epub:type", "role", "type"))
                self.navs.append((kind.lower(), []))
        elif tag == "a" and self._depth and self.navs:
            self._href = dict(attrs).get("href") or ""
            self._label = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._depth:
            self._depth -= 1
        elif tag == "a" and self._href is not None:
            self.navs[-1][1].append((self._href, " ".join("".join(self._label).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._label.append(data)

    def entries(self) -> list[tuple[str, str]]:
        for kind, links in self.navs:
            if "toc" in kind and links:
                return links
        return next((links for _kind, links in self.navs if links), [])


# --------------------------------------------------------------------------- OPF metadata

_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_URL = re.compile(r"https?://[^\s<>\"']+")
_FFF_AO3_UID = re.compile(r"fanficfare-uid:(?:www\.)?archiveofourown\.org-u[^-]*-s(\d+)", re.I)


def _opf_metadata(root: ElementTree.Element | None) -> tuple[dict[str, object], str, str]:
    """(metadata, title, author) from the OPF's ``<metadata>``."""
    metadata: dict[str, object] = {}
    if root is None:
        return metadata, "", ""
    fields: dict[str, list[ElementTree.Element]] = {}
    refines: dict[str, dict[str, str]] = {}
    named: dict[str, str] = {}
    collections: list[ElementTree.Element] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "meta":
            if element.get("name"):
                named.setdefault(element.get("name", "").lower(), (element.get("content") or "").strip())
            prop = (element.get("property") or "").lower()
            target = (element.get("refines") or "").lstrip("#")
            if prop and target:
                refines.setdefault(target, {}).setdefault(prop, _text(element))
            elif prop == "belongs-to-collection":
                collections.append(element)
        elif element is not root:
            fields.setdefault(name, []).append(element)

    def texts(key: str) -> list[str]:
        return [t for t in (_text(e) for e in fields.get(key, [])) if t]

    titles = [(element.get("id") or "", _text(element)) for element in fields.get("title", [])]
    titles = [(ident, text) for ident, text in titles if text]
    main = [text for ident, text in titles if refines.get(ident, {}).get("title-type", "main") == "main"]
    title = (main or [text for _ident, text in titles] or [""])[0]
    creators: list[str] = []
    others: list[str] = []
    for element in fields.get("creator", []):
        name = _text(element)
        if not name:
            continue
        role = _attr(element, "role") or refines.get(element.get("id") or "", {}).get("role", "")
        (creators if role.strip().lower() in ("", "aut") else others).append(name)
    author = ", ".join(dict.fromkeys(creators or others))

    subjects = list(dict.fromkeys(texts("subject")))
    if subjects:
        metadata["tags"] = subjects
    for description in fields.get("description", []):
        summary = _html_text("".join(description.itertext()))
        if summary:
            metadata["summary"] = summary
            break
    languages = texts("language")
    if languages:
        metadata["language"] = languages[0]
    for element in fields.get("date", []):
        event = _attr(element, "event").lower()
        date = _date(_text(element))
        if not date:
            continue
        if event in ("", "publication", "original-publication"):
            metadata.setdefault("published", date)
        elif event == "modification":
            metadata.setdefault("updated", date)
    source = next((m.group(0) for t in texts("source") if (m := _URL.match(t.strip()))), "")
    if not source:
        for text in texts("identifier"):
            found = _URL.search(text)
            if found:
                source = found.group(0)
                break
            uid = _FFF_AO3_UID.search(text)
            if uid:
                source = f"https://archiveofourown.org/works/{uid.group(1)}"
                break
    if source:
        metadata["source_url"] = source.rstrip(".,;)")
    series = named.get("calibre:series", "")
    index = named.get("calibre:series_index", "")
    if not series and collections:
        series = _text(collections[0])
        index = refines.get(collections[0].get("id") or "", {}).get("group-position", "")
    if series:
        metadata["series"] = f"{series} [{_number(index)}]" if _number(index) not in ("", "0") else series
    return metadata, title, author


def _date(text: str) -> str:
    match = _DATE.match(text)
    if not match or int(match.group(1)) < 1000:  # calibre writes 0101-01-01 for "no date"
        return ""
    return "-".join(part for part in match.groups() if part)


def _number(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text.strip()
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _html_text(markup: str) -> str:
    """Text of an HTML fragment, paragraphs separated by a blank line."""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    reader = _XhtmlReader()
    _feed(reader, markup)
    return "\n\n".join(item.text for item in reader.items if item.text)


# --------------------------------------------------------------------------- XHTML → items

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup html li main nav ol p pre section summary table "
    "tbody tfoot thead tr ul".split()
)
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SKIP_TAGS = frozenset("script style head title svg math noscript template object".split())
_STYLE_TAGS = {"i": "italic", "em": "italic", "cite": "italic", "var": "italic", "dfn": "italic"}
_STYLE_TAGS.update({"b": "bold", "strong": "bold"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Starting one of these closes an open <p> (HTML's rule; harmless for XHTML).
_CLOSES_P = frozenset(
    "p div h1 h2 h3 h4 h5 h6 ul ol dl blockquote pre table section article header footer".split()
)
_IMPLICIT_SIBLINGS = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "tr": ("tr",)}
_CONTAINERS = frozenset("div blockquote li td th dd section article body html table ul ol dl".split())
_INTERESTING_CLASSES = frozenset(
    "meta tags userstuff message byline heading toc-heading endnote-link preface afterword "
    "fff_chapter_title".split()
)
_INTERESTING_ID = re.compile(r"^(?:preface|afterword|chapters|endnotes\d*)$", re.I)
_NOTE_TYPES = re.compile(r"\b(?:footnote|endnote|rearnote|note)s?\b")
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*(?:italic|oblique)", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_PARA_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_MAX_DEPTH = 256


@dataclass(frozen=True)
class _Ctx:
    """What the open elements around some text say about it."""

    ids: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    heading: int = 0
    quote: bool = False
    link: bool = False  # inside a link to another file of the book
    pre: bool = False
    note: bool = False  # an aside marked as a footnote or endnote


_ROOT = _Ctx()


@dataclass
class _Frame:
    tag: str
    ctx: _Ctx
    style: str | None = None
    start: int = 0


@dataclass
class _Item:
    """A paragraph-like piece of a document: its text, styles and surroundings."""

    text: str
    spans: tuple[Span, ...]
    tag: str  # the innermost block element, or "hr"
    ctx: _Ctx
    links: tuple[str, ...] = ()
    link_chars: int = 0


@dataclass
class _Document:
    items: list[_Item]
    body_classes: frozenset[str] = field(default_factory=frozenset)


class _XhtmlReader(HTMLParser):
    """XHTML (or sloppy HTML) to a flat list of :class:`_Item`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[_Item] = []
        self.body_classes: frozenset[str] = frozenset()
        self._stack: list[_Frame] = []
        self._skipping: list[str] = []
        self._parts: list[str] = []
        self._len = 0
        self._last = ""
        self._spans: list[Span] = []
        self._links: list[str] = []
        self._link_chars = 0

    # -- tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag == "body":  # a <head> that was never closed
                self._skipping.clear()
            elif tag in _SKIP_TAGS and tag not in _VOID_TAGS:
                self._skipping.append(tag)
                return
            else:
                return
        if tag in _SKIP_TAGS:
            self._skipping.append(tag)
            return
        if tag == "br":
            if self._len:
                self._add("\n")
            return
        if tag in _CLOSES_P or tag == "hr":
            self._close_open_p()
        siblings = _IMPLICIT_SIBLINGS.get(tag)
        if siblings and self._stack and self._stack[-1].tag in siblings:
            self.handle_endtag(self._stack[-1].tag)
        if tag == "hr":
            self._flush()
            self.items.append(_Item("", (), "hr", self._ctx()))
            return
        if tag in ("td", "th"):
            self._separate()
        if tag in _VOID_TAGS:
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        values = dict(attrs)
        if tag == "body":
            self.body_classes = frozenset((values.get("class") or "").lower().split())
        parent = self._ctx()
        ctx = _child_ctx(parent, tag, values)
        style = _STYLE_TAGS.get(tag)
        css = values.get("style")
        if style is None and css:
            style = "italic" if _ITALIC_STYLE.search(css) else "bold" if _BOLD_STYLE.search(css) else None
        if tag == "a" and values.get("href"):
            self._links.append(values.get("href") or "")
        if len(self._stack) < _MAX_DEPTH:
            self._stack.append(_Frame(tag, ctx, style, self._len))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in self._skipping:
                del self._skipping[self._skipping.index(tag) :]
            return
        stack = self._stack
        index = len(stack) - 1
        while index >= 0 and stack[index].tag != tag:
            index -= 1
        if index < 0:
            if tag in _BLOCK_TAGS:  # a stray </p>: still the end of a paragraph
                self._flush()
            return
        closing = stack[index:]
        if tag in _BLOCK_TAGS or any(frame.tag in _BLOCK_TAGS for frame in closing):
            self._flush()
        for frame in closing:
            if frame.style and frame.start < self._len:
                self._spans.append(Span(frame.start, self._len, frame.style))
        del stack[index:]
        if tag in ("td", "th"):
            self._separate()

    def _close_open_p(self) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            tag = self._stack[index].tag
            if tag == "p":
                self.handle_endtag("p")
                return
            if tag in _CONTAINERS:
                return

    # -- text

    def handle_data(self, data: str) -> None:
        if self._skipping or not data:
            return
        ctx = self._ctx()
        if ctx.pre:
            text = data.replace("\r\n", "\n").replace("\t", " ")
        else:
            # Most text needs no collapsing; two quick C-level checks are cheaper than the regex.
            text = _SPACES.sub(" ", data) if "  " in data or not data.isprintable() else data
            if text[0] == " " and (not self._len or self._last in " \n"):
                text = text[1:]
        if text:
            self._add(text)
            if ctx.link:
                self._link_chars += len(text.strip())

    def _add(self, text: str) -> None:
        self._parts.append(text)
        self._len += len(text)
        self._last = text[-1]

    def _separate(self) -> None:
        if self._len and self._last not in " \n":
            self._add(" ")

    def _ctx(self) -> _Ctx:
        return self._stack[-1].ctx if self._stack else _ROOT

    def _flush(self) -> None:
        if not self._parts:
            self._spans.clear()
            return
        text = "".join(self._parts)
        spans = self._spans
        for frame in self._stack:
            if frame.style and frame.start < self._len:
                spans.append(Span(frame.start, self._len, frame.style))
            frame.start = 0
        tag = next((f.tag for f in reversed(self._stack) if f.tag in _BLOCK_TAGS), "body")
        ctx = self._ctx()
        links = tuple(self._links)
        link_chars = self._link_chars
        self._parts, self._len, self._last, self._spans = [], 0, "", []
        self._links, self._link_chars = [], 0
        for piece, piece_spans in _pieces(text, spans):
            self.items.append(_Item(piece, piece_spans, tag, ctx, links, link_chars))
            links, link_chars = (), 0

    def close(self) -> None:
        super().close()
        self._flush()


def _child_ctx(parent: _Ctx, tag: str, attrs: dict[str, str | None]) -> _Ctx:
    ids, classes = parent.ids, parent.classes
    heading, quote, link, pre, note = parent.heading, parent.quote, parent.link, parent.pre, parent.note
    changed = False
    ident = attrs.get("id")
    if ident and _INTERESTING_ID.match(ident):
        ids, changed = ids | {ident.lower()}, True
    names = attrs.get("class")
    if names:
        own = _INTERESTING_CLASSES.intersection(names.lower().split())
        if own and not own <= classes:
            classes, changed = classes | own, True
    kind = attrs.get("epub:type") or attrs.get("role")
    if kind and _NOTE_TYPES.search(kind.lower()) and not note:
        note, changed = True, True
    if tag in _HEADINGS:
        heading, changed = _HEADINGS[tag], True
    elif tag == "blockquote" and not quote:
        quote, changed = True, True
    elif tag == "pre" and not pre:
        pre, changed = True, True
    elif tag == "a":
        href = attrs.get("href") or ""
        internal = bool(href) and not href.startswith("#") and not _SCHEME.match(href)
        if internal != link:
            link, changed = internal, True
    if not changed:
        return parent
    return _Ctx(ids, classes, heading, quote, link, pre, note)


def _pieces(text: str, spans: list[Span]) -> list[tuple[str, tuple[Span, ...]]]:
    """Split on blank lines (two <br>s), strip white space, and move the spans along."""
    if not spans and "\n" not in text:
        stripped = text.strip()
        return [(stripped, ())] if stripped else []
    bounds: list[tuple[int, int]] = []
    start = 0
    if "\n" in text:
        for match in _PARA_BREAK.finditer(text):
            bounds.append((start, match.start()))
            start = match.end()
    bounds.append((start, len(text)))
    result: list[tuple[str, tuple[Span, ...]]] = []
    for a, b in bounds:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a == b:
            continue
        kept = {
            Span(max(s.start, a) - a, min(s.end, b) - a, s.style)
            for s in spans
            if min(s.end, b) > max(s.start, a)
        }
        result.append((text[a:b], tuple(sorted(kept, key=lambda s: (s.start, s.end, s.style)))))
    return result


# Declarations other than comments (<!DOCTYPE …>, <![CDATA[…]]>, a broken <![…): HTMLParser
# gives up on some malformed ones with an AssertionError.
_DECLARATION = re.compile(r"<!(?!--)(?:\[CDATA\[.*?\]\]>|[^>]*>?)", re.S)


def _feed(parser: HTMLParser, text: str) -> bool:
    """Feed and close; False if the parser gave up on odd markup (what it read is kept)."""
    try:
        parser.feed(text)
        parser.close()
        return True
    except Exception:
        if isinstance(parser, _XhtmlReader):
            parser._flush()
        return False


def _read_document(raw: bytes, path: str) -> _Document:
    text = _markup(raw, path)
    reader = _XhtmlReader()
    if not _feed(reader, text):  # read it again without its declarations
        again = _XhtmlReader()
        _feed(again, _DECLARATION.sub("", text))
        if len(again.items) >= len(reader.items):
            reader = again
    return _Document(reader.items, reader.body_classes)


# --------------------------------------------------------------------------- pages and chapters

# FanFicFare title-page labels (and the like from other downloaders) → metadata keys.
_PAGE_LABELS = {
    "category": "fandom",
    "categories": "fandom",
    "fandom": "fandom",
    "fandoms": "fandom",
    "genre": "tags",
    "genres": "tags",
    "tags": "tags",
    "additional tags": "tags",
    "freeform tags": "tags",
    "extra tags": "tags",
    "language": "language",
    "characters": "characters",
    "character": "characters",
    "relationships": "relationships",
    "relationship": "relationships",
    "pairing": "relationships",
    "pairings": "relationships",
    "ships": "relationships",
    "status": "status",
    "published": "published",
    "updated": "updated",
    "rating": "rating",
    "rated": "rating",
    "warnings": "warnings",
    "warning": "warnings",
    "archive warnings": "warnings",
    "chapters": "chapter_count",
    "words": "words",
    "story url": "source_url",
    "url": "source_url",
    "summary": "summary",
    "description": "summary",
    "series": "series",
}
# AO3's preface (dl.tags) labels → metadata keys; "stats" is taken apart separately.
_AO3_LABELS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "category": "category",
    "categories": "category",
    "fandom": "fandom",
    "fandoms": "fandom",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "tags",
    "additional tag": "tags",
    "language": "language",
    "series": "series",
}
_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z /'\-]{0,30}?)\s*:\s*(.*)$", re.S)
_STATS = re.compile(r"(Published|Updated|Completed|Words|Chapters)\s*:\s*(\S+)", re.I)
_AO3_WORK = re.compile(r"https?://(?:www\.)?archiveofourown\.org/works/\d+")
_AO3_NOTE_LABELS = frozenset(
    {"summary", "notes", "chapter summary", "chapter notes", "chapter end notes", "end notes"}
)
_AO3_SKIP = re.compile(r"^(?:see the end of the (?:chapter|work) for|please drop by the archive)", re.I)
_FFF_SKIP_CLASSES = frozenset({"fff_tocpage", "fff_logpage", "fff_coverpage"})


class _Book:
    """The spine's documents, turned into chapters, metadata and notes as they come."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles
        self.chapters: list[Chapter] = []
        self.page_meta: dict[str, object] = {}
        self.page_title = ""
        self.page_author = ""
        self.front_notes: list[Block] = []
        self.end_notes: list[Block] = []
        self.ao3 = False
        self.missing = 0

    def add(self, path: str, doc: _Document, is_nav: bool) -> None:
        items = [item for item in doc.items if item.text or item.tag == "hr"]
        if not any(item.text for item in items):
            return  # a cover image or an empty page
        classes = doc.body_classes
        name = posixpath.basename(path).lower()
        if "fff_titlepage" in classes:
            self._title_page(items, force=True)
            return
        if classes & _FFF_SKIP_CLASSES or name == "log_page.xhtml" or is_nav:
            return
        title = self.titles.get(path, "")
        has_preface = any("preface" in item.ctx.ids for item in items)
        if has_preface or (not self.chapters and _ao3_tag_count(items) >= 2):
            # AO3: Calibre splits the download at its <h2>s, so a one-shot's text shares the
            # preface's file (inside div#chapters), and the afterword may share the last one.
            self.ao3 = True
            preface = [i for i in items if not i.ctx.ids & {"chapters", "afterword"}]
            if has_preface:
                preface = [i for i in preface if "preface" in i.ctx.ids]
            self._preface(preface)
            kept = {id(i) for i in preface}
            items = [i for i in items if id(i) not in kept]
            title = ""  # the contents name this file after the preface
        if any("afterword" in item.ctx.ids for item in items):
            self._afterword([i for i in items if "afterword" in i.ctx.ids])
            items = [i for i in items if "afterword" not in i.ctx.ids]
        elif self.ao3 and self.chapters and _first_text(items).casefold() == "afterword":
            self._afterword(items)
            return
        if not any(item.text for item in items):
            return
        if not self.chapters and self._title_page(items, force=name == "title_page.xhtml"):
            return
        if _is_contents(items):
            return
        self.chapters.append(_chapter(items, title, len(self.chapters) + 1, self.ao3))

    # -- FanFicFare (and similar) title pages

    def _title_page(self, items: list[_Item], force: bool) -> bool:
        entries: dict[str, str] = {}
        key: str | None = None
        known = lines = 0
        links: list[str] = []
        for item in items:
            if item.ctx.heading:  # FanFicFare links the title in its heading to the story's page
                links.extend(item.links)
                continue
            for number, line in enumerate(item.text.split("\n")):
                line = line.strip()
                if not line:
                    continue
                lines += 1
                match = _LABEL_LINE.match(line)
                label = _PAGE_LABELS.get(" ".join(match.group(1).split()).casefold()) if match else None
                if match and label:
                    known += 1
                    key = label
                    value = match.group(2).strip()
                    entries[key] = f"{entries[key]}, {value}" if entries.get(key) and value else value
                elif key == "summary":
                    joiner = "\n" if number else "\n\n"
                    entries[key] = f"{entries[key]}{joiner}{line}" if entries.get(key) else line
                else:
                    key = None
        if not force and (known < 3 or known * 2 < lines):
            return False
        if "source_url" not in entries:
            url = next((link for link in links if link.startswith(("http://", "https://"))), "")
            if url:
                entries["source_url"] = url
        for key, value in entries.items():
            if value:
                self.page_meta[key] = _split(value) if key in LIST_KEYS else value
        return True

    # -- AO3

    def _preface(self, items: list[_Item]) -> None:
        meta = self.page_meta
        label: str | None = None
        section: str | None = None
        summary: list[str] = []
        for index, item in enumerate(items):
            text = item.text
            for link in item.links:
                work = _AO3_WORK.match(link)
                if work and "source_url" not in meta:
                    meta["source_url"] = work.group(0)
            if item.tag == "dt":
                label, section = text.rstrip(":").strip().casefold(), None
                continue
            if item.tag == "dd" and label:
                _ao3_value(meta, label, text)
                continue
            label = None
            if item.ctx.heading == 1 and not self.page_title:
                self.page_title = text
                following = items[index + 1].text if index + 1 < len(items) else ""
                if following.lower().startswith("by ") and not self.page_author:
                    self.page_author = following[3:].strip()
                continue
            lowered = text.casefold()
            if not item.ctx.quote and lowered in ("summary", "notes"):
                section = lowered
                continue
            if item.ctx.quote and section == "summary":
                summary.append(text)
            elif item.ctx.quote and section == "notes":
                if not self.front_notes:
                    self.front_notes.append(Block("note", "Notes"))
                self.front_notes.append(Block("note", text, item.spans))
            else:
                section = None
        if summary:
            meta["summary"] = "\n\n".join(summary)
        if "source_url" not in meta:
            found = next((m.group(0) for item in items if (m := _AO3_WORK.search(item.text))), "")
            if found:
                meta["source_url"] = found

    def _afterword(self, items: list[_Item]) -> None:
        first = True
        for item in items:
            if first and item.ctx.heading:
                first = False
                continue  # "Afterword"
            first = False
            if item.tag == "hr" or "message" in item.ctx.classes or _AO3_SKIP.match(item.text):
                continue
            self.end_notes.append(Block("note", item.text, item.spans))

    # -- the story

    def story(self, opf_meta: dict[str, object], title: str, author: str, fallback_title: str) -> Story:
        chapters = self.chapters
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
        return Story(
            id="",
            title=title or self.page_title or fallback_title,
            author=author or self.page_author,
            chapters=chapters,
            metadata=clean,
            encoding="utf-8",
        )


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


def _ao3_tag_count(items: list[_Item]) -> int:
    return sum(
        1 for item in items if item.tag == "dt" and item.text.rstrip(":").strip().casefold() in _AO3_LABELS
    )


def _ao3_value(meta: dict[str, object], label: str, text: str) -> None:
    if label == "stats":
        for match in _STATS.finditer(text):
            name, value = match.group(1).lower(), match.group(2)
            if name == "published":
                meta["published"] = value
            elif name in ("updated", "completed"):
                meta["updated"] = value
                meta["status"] = "Completed" if name == "completed" else "In-Progress"
            elif name == "words":
                meta["words"] = value
            elif name == "chapters":
                meta["chapter_count"] = value
                done, _, total = value.partition("/")
                if "status" not in meta:
                    meta["status"] = "Completed" if total and done == total else "In-Progress"
        return
    key = _AO3_LABELS.get(label)
    if key is None:
        return
    if key in LIST_KEYS:
        existing = meta.get(key)
        meta[key] = (existing if isinstance(existing, list) else []) + _split(text)
    else:
        meta[key] = f"{meta[key]}, {text}" if meta.get(key) else text


def _first_text(items: list[_Item]) -> str:
    return next((item.text for item in items if item.text), "")


def _is_contents(items: list[_Item]) -> bool:
    """A page that is nearly all links to other files of the book: a table of contents."""
    body = [item for item in items if item.text and not item.ctx.heading]
    chars = sum(len(item.text) for item in body)
    internal = sum(1 for item in body for link in item.links if not _SCHEME.match(link) and link[:1] != "#")
    linked = sum(item.link_chars for item in body)
    return internal >= 2 and 0 < chars < 50_000 and linked >= 0.8 * chars


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _chapter(items: list[_Item], toc_title: str, number: int, ao3: bool) -> Chapter:
    title = " ".join(toc_title.split())
    # The headings before the text: one that says what the title says (or more) is dropped,
    # the longer wording kept as the title; with no title from the contents, the first is it.
    dropped: set[int] = set()
    for index, item in enumerate(items):
        if not item.text:
            continue
        if not item.ctx.heading:
            break
        heading = " ".join(item.text.split())
        a, b = _norm(title), _norm(heading)
        if not a or a in b:
            title = heading
            dropped.add(index)
        elif b in a:
            dropped.add(index)
    rest = [item for index, item in enumerate(items) if index not in dropped] if dropped else items
    title = title or f"Chapter {number}"
    blocks = [Block("heading", title)]
    noted = _ao3_note_items(rest) if ao3 else set()
    for index, item in enumerate(rest):
        text = item.text
        if item.tag == "hr":
            blocks.append(Block("scene_break", ""))
        elif ao3 and _AO3_SKIP.match(text):
            continue
        elif item.ctx.heading:
            bold = Span(0, len(text), "bold")
            blocks.append(Block("paragraph", text, (bold, *(s for s in item.spans if s != bold))))
        elif is_scene_break(text):
            blocks.append(Block("scene_break", ""))
        elif index in noted or _is_note_ctx(item.ctx):
            blocks.append(Block("note", text, item.spans))
        else:
            blocks.append(Block("paragraph", text, item.spans))
    blocks = _tidy_breaks(blocks)
    _mark_notes(blocks)
    return Chapter(title, blocks)


def _is_note_ctx(ctx: _Ctx) -> bool:
    return ctx.note or "meta" in ctx.classes or any(i.startswith("endnotes") for i in ctx.ids)


def _ao3_note_items(items: list[_Item]) -> set[int]:
    """AO3 chapter notes where the class names were lost: a label, then a block quote."""
    noted: set[int] = set()
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if not item.ctx.quote and _norm(item.text) in _AO3_NOTE_LABELS and following and following.ctx.quote:
            noted.add(index)
            index += 1
            while index < len(items) and items[index].ctx.quote:
                noted.add(index)
                index += 1
            continue
        index += 1
    return noted


def _tidy_breaks(blocks: list[Block]) -> list[Block]:
    """No scene break right after the heading, at the end, or twice in a row."""
    result: list[Block] = []
    for block in blocks:
        if block.kind == "scene_break" and result[-1].kind in ("heading", "scene_break"):
            continue
        result.append(block)
    while result[-1].kind == "scene_break":
        result.pop()
    return result


def _mark_notes(blocks: list[Block]) -> None:
    body = [i for i, block in enumerate(blocks) if block.kind in ("paragraph", "note")]
    for i in set(body[:NOTE_WINDOW]) | set(body[-NOTE_WINDOW:]):
        if blocks[i].kind == "paragraph" and looks_like_note(blocks[i].text):
            blocks[i].kind = "note"
