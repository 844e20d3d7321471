"""The package: ``container.xml`` names the OPF file, whose manifest and spine give the chapter files."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.etree import ElementTree

from reader.formats.epub.archive import Archive, Damaged, clean, resolve
from reader.formats.epub.safe_xml import Refused, attr, local, parse_xml
from reader.formats.errors import StoryError

_XHTML_TYPES = ("application/xhtml+xml", "text/html", "application/xml", "text/xml", "")
_XHTML_ENDINGS = (".xhtml", ".html", ".htm", ".xml")


def package_path(archive: Archive) -> str:
    raw = archive.read("META-INF/container.xml")
    if raw is None:
        raise StoryError("not an EPUB (no META-INF/container.xml)")
    root = parse_xml(raw, "META-INF/container.xml")
    candidates: list[tuple[bool, str]] = []
    for element in root.iter():
        if local(element.tag) == "rootfile" and element.get("full-path"):
            is_opf = element.get("media-type", "") in ("application/oebps-package+xml", "")
            candidates.append((not is_opf, clean(unquote(element.get("full-path", "")))))
    if not candidates:
        raise StoryError("META-INF/container.xml names no package (.opf) file")
    path = min(candidates, key=lambda c: c[0])[1]
    if archive.find(path) is None:
        raise StoryError(f"the package file {path} named in container.xml is missing from the archive")
    return path


@dataclass
class ManifestItem:
    path: str | None
    media_type: str
    properties: str


@dataclass
class Package:
    path: str
    metadata: ElementTree.Element | None
    manifest: dict[str, ManifestItem]
    spine: list[tuple[str, bool]]  # (idref, linear)
    toc_id: str
    nav_path: str | None
    guide: dict[str, str] = field(default_factory=dict)  # EPUB 2 <guide>: archive path → type

    @classmethod
    def read(cls, archive: Archive, path: str) -> Package:
        raw = archive.read(path)
        if raw is None:
            raise StoryError(f"the package file {path} named in container.xml is missing from the archive")
        root = parse_xml(raw, path)
        metadata = manifest_el = spine_el = None
        guide: dict[str, str] = {}
        for element in root.iter():
            name = local(element.tag)
            if name == "reference" and element.get("href") and element.get("type"):
                target = resolve(path, element.get("href"))
                if target:
                    guide.setdefault(target, (element.get("type") or "").strip().lower())
            if name == "metadata" and metadata is None:
                metadata = element
            elif name == "manifest" and manifest_el is None:
                manifest_el = element
            elif name == "spine" and spine_el is None:
                spine_el = element
        manifest: dict[str, ManifestItem] = {}
        nav_path = None
        for item in manifest_el.iter() if manifest_el is not None else ():
            if local(item.tag) != "item" or not item.get("id"):
                continue
            entry = ManifestItem(
                resolve(path, item.get("href")),
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
                if local(ref.tag) == "itemref":
                    spine.append(
                        (ref.get("idref") or "", (ref.get("linear") or "yes").strip().lower() != "no")
                    )
        return cls(path, metadata, manifest, spine, toc_id, nav_path, guide)

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


def _is_document(entry: ManifestItem) -> bool:
    if entry.media_type in _XHTML_TYPES or "html" in entry.media_type:
        return True
    return (entry.path or "").lower().endswith(_XHTML_ENDINGS) and not entry.media_type.startswith(
        ("image/", "font/", "audio/", "video/", "text/css")
    )


def check_encryption(archive: Archive, paths: list[str | None]) -> None:
    """Refuse a book whose chapter files ``META-INF/encryption.xml`` says are encrypted (DRM)."""
    try:
        raw = archive.read("META-INF/encryption.xml")
    except Damaged:
        return
    if raw is None:
        return
    try:
        root = parse_xml(raw, "META-INF/encryption.xml")
    except Refused:
        raise
    except StoryError:
        return
    encrypted = {
        clean(unquote(attr(element, "uri")))
        for element in root.iter()
        if local(element.tag) == "cipherreference"
    }
    if encrypted & {path for path in paths if path}:
        raise StoryError("the EPUB is encrypted (DRM): its chapters cannot be read")
