"""Story analysis: text in, relevance + deal terms + summary out (pure; no network).

FIRST VERSION: a placeholder the news work replaces (see issue 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.news.article import extract_article, looks_like_html


@dataclass(slots=True)
class Analysis:
    title: str
    relevant: bool
    relevance: float
    summary: str
    deals: list[dict[str, Any]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    published: date | None = None
    text: str = ""

    def to_contract(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "relevant": self.relevant,
            "title": self.title,
            "summary": self.summary,
            "deals": self.deals,
        }


def analyze(text: str, *, title: str = "", published: date | None = None) -> Analysis:
    lowered = text.lower()
    relevant = "tariff" in lowered and "deal" in lowered
    return Analysis(title=title, relevant=relevant, relevance=1.0 if relevant else 0.0, summary=text[:200],
                    published=published, text=text)


def analyze_document(raw: str, *, url: str | None = None, published: date | None = None) -> Analysis:
    """Analyze a file or page: HTML goes through the article extractor first."""
    article = extract_article(raw, url=url)
    if published is None and article.published is not None:
        published = article.published.date()
    title = article.title if looks_like_html(raw) else ""
    return analyze(article.text, title=title or article.title, published=published)
