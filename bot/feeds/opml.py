"""OPML import and export. Parsing uses defusedxml: an OPML file is untrusted input too."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.models import Feed


class OPMLError(ValueError):
    """The file is not OPML we can read."""


@dataclass(slots=True, frozen=True)
class OPMLFeed:
    url: str
    title: str | None = None


def parse_opml(data: bytes) -> list[OPMLFeed]:
    """Every outline with an xmlUrl, in document order (nested folders included), without repeats."""
    try:
        root = SafeET.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise OPMLError(f"not readable OPML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise OPMLError(f"not OPML: the root element is <{root.tag}>")
    seen: dict[str, OPMLFeed] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in seen:
            title = (outline.get("title") or outline.get("text") or "").strip() or None
            seen[url] = OPMLFeed(url, title)
    return list(seen.values())


def export_opml(feeds: Iterable[Feed], *, title: str = "tradebot feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attrs["title"] = feed.title
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
