"""Is the story's main subject a trade or tariff deal between governments?

A small, explainable score: evidence from the headline and lead (deal words, two governments,
terms found) against signs that the story is really about something else (prices, a company's
costs, a court case, customs revenue). The cues that fired are returned so a channel can see why.
"""

from __future__ import annotations

import math
import re

_DEAL_RE = re.compile(
    r"\b(?:deal|agreement|pact|framework|truce|accord|joint statement|trade talks|tariff talks|negotiat\w*|"
    r"agree[sd]?|threatens?|letter|talks)\b",
    re.I,
)
_TARIFF_RE = re.compile(r"\b(?:tariffs?|dut(?:y|ies)|levy|levies|trade|duty-free)\b", re.I)
_OTHER_SUBJECT_RE: list[tuple[str, re.Pattern[str]]] = [
    (
        "company results",
        re.compile(
            r"\b(?:profits?|earnings|quarterly|forecast|outlook|guidance|revenue|"
            r"shares? (?:fell|rose|jumped|slid)|Q[1-4])\b",
            re.I,
        ),
    ),
    (
        "prices",
        re.compile(r"\b(?:inflation|consumer prices|CPI|price index|store prices|shop prices)\b", re.I),
    ),
    ("court case", re.compile(r"\b(?:court|judges?|ruling|ruled|lawsuit|injunction|appeals?)\b", re.I)),
    (
        "customs revenue",
        re.compile(
            r"\b(?:customs (?:duties|receipts|revenue|collections)|tariff revenue|"
            r"receipts|budget deficit|record \$)\b",
            re.I,
        ),
    ),
    ("parcels", re.compile(r"\b(?:parcels?|de minimis|postal|post offices?)\b", re.I)),
]


def relevance(title: str, lead: str, body: str, n_terms: int, n_parties: int) -> tuple[float, list[str]]:
    """(score in 0..1, cues that decided it)."""
    cues: list[str] = []
    logit = -2.0
    if not _TARIFF_RE.search(body) and not (n_terms and _DEAL_RE.search(f"{title}\n{lead}")):
        return 0.02, ["no trade or tariff vocabulary"]
    if _DEAL_RE.search(title):
        logit += 2.0
        cues.append("deal words in headline")
    if _DEAL_RE.search(lead):
        logit += 1.5
        cues.append("deal words in lead")
    if n_parties >= 2:
        logit += 1.0
        cues.append(f"{n_parties} governments named")
    if n_terms:
        logit += min(2.5, 0.8 * n_terms)
        cues.append(f"{n_terms} deal terms found")
    for name, rx in _OTHER_SUBJECT_RE:
        if rx.search(title):
            logit -= 3.5
            cues.append(f"headline is about {name}")
        elif rx.search(lead):
            logit -= 2.0
            cues.append(f"lead is about {name}")
    return round(1 / (1 + math.exp(-logit)), 3), cues
