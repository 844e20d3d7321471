"""The archive's XML and XHTML files, read safely: decoded, and refused if they declare entities.

The XML files (``container.xml``, the OPF package, the NCX, ``encryption.xml``) are parsed by
:mod:`defusedxml.ElementTree`, which refuses entity declarations of every kind (internal
ones, the "billion laughs", external and parameter entities, unparsed ones) as expat reads
them; DOCTYPEs without entities are allowed, since NCX files carry one. The chapters and the
navigation document are not XML-parsed (the markup tree reads them as HTML, which never
expands declared entities), so defusedxml cannot guard them: :func:`member_text` refuses
those that declare entities itself, so a hostile file is refused whichever way it is read.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

import defusedxml
from defusedxml import ElementTree as DefusedElementTree

from reader.formats.errors import StoryError
from reader.formats.markup.charset import decode_markup

_ENTITY_DECL = re.compile(r"<!\s*ENTITY", re.I)
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*>")
_BARE_AMP = re.compile(r"&(?!#?[A-Za-z0-9]+;)")


class Refused(StoryError):
    """A file that is refused for safety (entity declarations)."""


def _refused(name: str) -> Refused:
    return Refused(f"{name} declares XML entities (<!ENTITY>): refused as a possible entity-expansion attack")


def member_text(data: bytes, name: str) -> str:
    """Decode an XHTML file for the markup tree, refusing one that declares entities."""
    text, _encoding = decode_markup(data, binary_ok=True)
    if "<!" in text and _ENTITY_DECL.search(text):
        raise _refused(name)
    return text


def parse_xml(data: bytes, name: str) -> ElementTree.Element:
    """Parse an XML file with defusedxml (entity declarations refused, DOCTYPEs allowed)."""
    text, _encoding = decode_markup(data, binary_ok=True)
    text = text.lstrip()
    try:
        return _parse(text, name)
    except ElementTree.ParseError:
        pass
    # Second try, for what hand-made files get wrong: a broken XML declaration, HTML
    # entities such as &nbsp;, stray ampersands.
    fixed = _XML_DECLARATION.sub("", text, count=1)
    fixed = _NAMED_ENTITY.sub(_html_entity, fixed)
    fixed = _BARE_AMP.sub("&amp;", fixed)
    try:
        return _parse(fixed, name)
    except ElementTree.ParseError as error:
        raise StoryError(f"{name} is not well-formed XML ({error})") from None


def _parse(text: str, name: str) -> ElementTree.Element:
    try:
        return DefusedElementTree.fromstring(
            text, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException:
        raise _refused(name) from None


def _html_entity(match: re.Match[str]) -> str:
    if match.group(1) in ("amp", "lt", "gt", "quot", "apos"):
        return match.group(0)
    return html.unescape(match.group(0))


def local(tag: object) -> str:
    """An element's or attribute's name without its namespace, in lower case."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def attr(element: ElementTree.Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (``opf:role``, ``role``)."""
    value = element.get(name)
    if value is not None:
        return value
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return ""


def xml_text(element: ElementTree.Element) -> str:
    return " ".join("".join(element.itertext()).split())
