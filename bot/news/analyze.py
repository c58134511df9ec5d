"""Story analysis: text in, relevance + deal terms + summary out (pure; no network).

`analyze` works on article text; `analyze_document` takes a whole page or file (HTML goes through
the article extractor, plain text has its trailing clutter cut) and calls `analyze`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.news.article import cut_at_copyright, extract_article, looks_like_html
from bot.news.dates import find_dates
from bot.news.deals import assemble, deal_date, deal_status, main_parties
from bot.news.people import find_people
from bot.news.relevance import relevance
from bot.news.summary import lead_summary, summarise
from bot.news.terms import US, extract_terms
from bot.news.text import split_sentences

RELEVANCE_THRESHOLD = 0.5


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
    parties: list[str] = field(default_factory=list)  # the story's main parties, most salient first
    status: str | None = None

    def to_contract(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "relevant": self.relevant,
            "title": self.title,
            "summary": self.summary,
            "deals": self.deals,
        }


def analyze(text: str, *, title: str = "", published: date | None = None) -> Analysis:
    """Relevance, deal terms and an extractive summary for one article's text."""
    sentences = split_sentences(text)
    if not title and sentences:
        title = sentences[0].text
    main = main_parties(title if title != (sentences[0].text if sentences else "") else "", sentences)
    extraction = extract_terms(sentences, main)
    status = deal_status(title, sentences)
    day = deal_date(sentences, text, published, status)
    partner = next((p for p in main if p != US), None)
    people = find_people(text, partner)
    deals = assemble(extraction, main, status, day, people)
    n_terms = sum(len(d["terms"]) for d in deals)
    lead = " ".join(s.text for s in sentences[:2])
    score, cues = relevance(title, lead, text, n_terms, len(main))
    relevant = score >= RELEVANCE_THRESHOLD
    if not relevant:
        deals = []
    if relevant:
        summary = summarise(title, sentences, deals, date_words=_date_words(sentences, deals))
    else:
        summary = lead_summary(title, sentences)  # not a deal story: its opening is summary enough
    return Analysis(
        title=title,
        relevant=relevant,
        relevance=score,
        summary=summary,
        deals=deals,
        cues=cues,
        published=published,
        text=text,
        parties=main,
        status=status if relevant else None,
    )


def _date_words(sentences: list, deals: list[dict]) -> set[str]:
    """How the article writes the deal's date ("July 22", "30 June"), for the summary to keep."""
    day = next((d["date"] for d in deals if d.get("date")), None)
    if not day:
        return set()
    month, dom = int(day[5:7]), int(day[8:10])
    return {
        m.text.split(",")[-1].strip() if m.weekday is not None else m.text
        for s in sentences
        for m in find_dates(s.text)
        if m.month == month and m.day == dom
    }


def analyze_document(raw: str, *, url: str | None = None, published: date | None = None) -> Analysis:
    """Analyze a file or page: HTML goes through the article extractor first."""
    if looks_like_html(raw):
        article = extract_article(raw, url=url)
        if published is None and article.published is not None:
            published = article.published.date()
        return analyze(article.text, title=article.title, published=published)
    text = cut_at_copyright(raw)
    return analyze(text, title="", published=published)
