"""Article text: keep only the story (no navigation, banners, related links or reader comments).

Pure: a page's HTML (or a plain-text article) in, an `ArticleText` out. trafilatura does the HTML
work; plain text gets the trailing clutter cut (a copyright line and whatever follows it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura

# A copyright line ends the story: everything after it (reader comments, "related" lists) goes.
_COPYRIGHT = re.compile(r"(©|\(c\)|copyright\b)", re.I)
_HTML_HINT = re.compile(r"<(?:!doctype|html|head|body|article|div|p)\b", re.I)


# trafilatura settings, shared with bench/analyze.py so that "extraction alone" means the same work.
# fast=True skips the backup extractors (readability, jusText): same text on our pages, a quarter faster.
EXTRACT_OPTIONS: dict[str, bool] = {
    "include_comments": False,
    "include_tables": True,
    "with_metadata": True,
    "favor_precision": True,
    "fast": True,
}


@dataclass(slots=True, frozen=True)
class ArticleText:
    title: str
    text: str
    published: datetime | None = None


def looks_like_html(raw: str) -> bool:
    return bool(_HTML_HINT.search(raw[:2000]))


def cut_at_copyright(text: str) -> str:
    """Drop a copyright line and everything after it; text before the sign on that line stays."""
    for match in _COPYRIGHT.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        head = text[line_start : match.start()]
        # Only a sign near the end of the story counts, not "copyright" used in a sentence.
        if match.group(1) != "©" and head.strip():
            continue
        return (text[:line_start] + head).rstrip()
    return text.strip()


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def extract_article(raw: str, url: str | None = None) -> ArticleText:
    """Main text of a page or a plain-text article."""
    if not looks_like_html(raw):
        lines = raw.strip().splitlines()
        return ArticleText(title=lines[0].strip() if lines else "", text=cut_at_copyright(raw))
    doc = trafilatura.bare_extraction(raw, url=url, **EXTRACT_OPTIONS)
    if doc is None:
        return ArticleText(title="", text="")
    text = cut_at_copyright(doc.text or "")
    return ArticleText(title=(doc.title or "").strip(), text=text, published=_parse_date(doc.date))
