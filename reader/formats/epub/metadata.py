"""The story's metadata from the OPF's ``<metadata>``: Dublin Core, EPUB 3 refinements, Calibre's."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from reader.formats.epub.safe_xml import attr, local, xml_text
from reader.formats.markup.flow import flow
from reader.formats.markup.tree import Tree

_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_URL = re.compile(r"https?://[^\s<>\"']+")
_FFF_AO3_UID = re.compile(r"fanficfare-uid:(?:www\.)?archiveofourown\.org-u[^-]*-s(\d+)", re.I)


def opf_metadata(root: ElementTree.Element | None) -> tuple[dict[str, object], str, str]:
    """(metadata, title, author) from the OPF's ``<metadata>``."""
    metadata: dict[str, object] = {}
    if root is None:
        return metadata, "", ""
    fields: dict[str, list[ElementTree.Element]] = {}
    refines: dict[str, dict[str, str]] = {}
    named: dict[str, str] = {}
    collections: list[ElementTree.Element] = []
    for element in root.iter():
        name = local(element.tag)
        if name == "meta":
            if element.get("name"):
                named.setdefault(element.get("name", "").lower(), (element.get("content") or "").strip())
            prop = (element.get("property") or "").lower()
            target = (element.get("refines") or "").lstrip("#")
            if prop and target:
                refines.setdefault(target, {}).setdefault(prop, xml_text(element))
            elif prop == "belongs-to-collection":
                collections.append(element)
        elif element is not root:
            fields.setdefault(name, []).append(element)

    def texts(key: str) -> list[str]:
        return [t for t in (xml_text(e) for e in fields.get(key, [])) if t]

    titles = [(element.get("id") or "", xml_text(element)) for element in fields.get("title", [])]
    titles = [(ident, text) for ident, text in titles if text]
    main = [text for ident, text in titles if refines.get(ident, {}).get("title-type", "main") == "main"]
    title = (main or [text for _ident, text in titles] or [""])[0]
    creators: list[str] = []
    others: list[str] = []
    for element in fields.get("creator", []):
        name = xml_text(element)
        if not name:
            continue
        role = attr(element, "role") or refines.get(element.get("id") or "", {}).get("role", "")
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
        event = attr(element, "event").lower()
        date = _date(xml_text(element))
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
        series = xml_text(collections[0])
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
    return "\n\n".join(item.text for item in flow(Tree(markup).root) if item.text)
