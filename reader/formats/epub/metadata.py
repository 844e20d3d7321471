"""The story's metadata from the OPF's ``<metadata>``: Dublin Core, EPUB 3 refinements, Calibre's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree

from reader.formats.epub.safe_xml import attr, local, xml_text
from reader.formats.markup.flow import flow
from reader.formats.markup.tree import Tree

_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_URL = re.compile(r"https?://[^\s<>\"']+")
_FFF_AO3_UID = re.compile(r"fanficfare-uid:(?:www\.)?archiveofourown\.org-u[^-]*-s(\d+)", re.I)


@dataclass
class _Opf:
    """The ``<metadata>`` elements by name, EPUB 3 refinements by id, named ``<meta>``s."""

    fields: dict[str, list[ElementTree.Element]] = field(default_factory=dict)
    refines: dict[str, dict[str, str]] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)
    collections: list[ElementTree.Element] = field(default_factory=list)

    def texts(self, key: str) -> list[str]:
        return [t for t in (xml_text(e) for e in self.fields.get(key, [])) if t]

    def refined(self, element: ElementTree.Element, prop: str, default: str = "") -> str:
        return self.refines.get(element.get("id") or "", {}).get(prop, default)


def _gather(root: ElementTree.Element) -> _Opf:
    opf = _Opf()
    for element in root.iter():
        name = local(element.tag)
        if name == "meta":
            if element.get("name"):
                opf.named.setdefault(element.get("name", "").lower(), (element.get("content") or "").strip())
            prop = (element.get("property") or "").lower()
            target = (element.get("refines") or "").lstrip("#")
            if prop and target:
                opf.refines.setdefault(target, {}).setdefault(prop, xml_text(element))
            elif prop == "belongs-to-collection":
                opf.collections.append(element)
        elif element is not root:
            opf.fields.setdefault(name, []).append(element)
    return opf


def opf_metadata(root: ElementTree.Element | None) -> tuple[dict[str, object], str, str]:
    """(metadata, title, author) from the OPF's ``<metadata>``."""
    metadata: dict[str, object] = {}
    if root is None:
        return metadata, "", ""
    opf = _gather(root)
    subjects = list(dict.fromkeys(opf.texts("subject")))
    if subjects:
        metadata["tags"] = subjects
    for description in opf.fields.get("description", []):
        summary = _html_text("".join(description.itertext()))
        if summary:
            metadata["summary"] = summary
            break
    languages = opf.texts("language")
    if languages:
        metadata["language"] = languages[0]
    _dates(opf, metadata)
    source = _source(opf)
    if source:
        metadata["source_url"] = source.rstrip(".,;)")
    series = _series(opf)
    if series:
        metadata["series"] = series
    return metadata, _title(opf), _author(opf)


def _title(opf: _Opf) -> str:
    titles = [(element, xml_text(element)) for element in opf.fields.get("title", [])]
    titles = [(element, text) for element, text in titles if text]
    main = [text for element, text in titles if opf.refined(element, "title-type", "main") == "main"]
    return (main or [text for _element, text in titles] or [""])[0]


def _author(opf: _Opf) -> str:
    creators: list[str] = []
    others: list[str] = []
    for element in opf.fields.get("creator", []):
        name = xml_text(element)
        if not name:
            continue
        role = attr(element, "role") or opf.refined(element, "role")
        (creators if role.strip().lower() in ("", "aut") else others).append(name)
    return ", ".join(dict.fromkeys(creators or others))


def _dates(opf: _Opf, metadata: dict[str, object]) -> None:
    for element in opf.fields.get("date", []):
        event = attr(element, "event").lower()
        date = _date(xml_text(element))
        if not date:
            continue
        if event in ("", "publication", "original-publication"):
            metadata.setdefault("published", date)
        elif event == "modification":
            metadata.setdefault("updated", date)


def _source(opf: _Opf) -> str:
    source = next((m.group(0) for t in opf.texts("source") if (m := _URL.match(t.strip()))), "")
    if source:
        return source
    for text in opf.texts("identifier"):
        found = _URL.search(text)
        if found:
            return found.group(0)
        uid = _FFF_AO3_UID.search(text)
        if uid:
            return f"https://archiveofourown.org/works/{uid.group(1)}"
    return ""


def _series(opf: _Opf) -> str:
    series = opf.named.get("calibre:series", "")
    index = opf.named.get("calibre:series_index", "")
    if not series and opf.collections:
        series = xml_text(opf.collections[0])
        index = opf.refined(opf.collections[0], "group-position")
    return f"{series} [{_number(index)}]" if series and _number(index) not in ("", "0") else series


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
    return "\n\n".join(item.text for item in flow(Tree(markup).root) if item.text)
