"""Story analysis throughput against the text extractor alone, on the same pages in the same run.

    python bench/analyze.py --articles 1000 --json

Generates invented news pages (deal stories with rates, pledges, purchases, quotas and officials,
plus market, price and court stories), wrapped in page clutter (navigation, adverts, related
links, comments). Times trafilatura's extraction alone, then the full `analyze_document`
(extraction + relevance + deal terms + dates + people + summary), one core, in process, timed as
CPU time of this process so that other work on a shared machine does not count.
Prints {"articles_per_s", "extract_only_per_s", "ratio", "peak_rss_mb"}.
Targets: articles_per_s >= 100 and ratio (full / extract-only throughput) >= 0.5.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from bot.news.analyze import analyze_document  # noqa: E402
from bot.news.article import EXTRACT_OPTIONS  # noqa: E402

PARTNERS = [
    ("Japan", "Japanese", "Tokyo"),
    ("South Korea", "Korean", "Seoul"),
    ("Vietnam", "Vietnamese", "Hanoi"),
    ("India", "Indian", "New Delhi"),
    ("Brazil", "Brazilian", "Brasilia"),
    ("Switzerland", "Swiss", "Bern"),
    ("Thailand", "Thai", "Bangkok"),
    ("the European Union", "European", "Brussels"),
    ("Indonesia", "Indonesian", "Jakarta"),
    ("Mexico", "Mexican", "Mexico City"),
]
GOODS = ["cars", "steel", "rice", "electronics", "textiles", "pharmaceuticals", "beef", "chips"]
OFFICIALS = [
    ("Commerce Secretary", "Alex Marlow"),
    ("Trade Representative", "Dana Whitfield"),
    ("Treasury Secretary", "Chris Ellison"),
]
PARTNER_OFFICIALS = ["Kenji Moriyama", "Lena Duarte", "Minh Tran", "Arjun Rao", "Sofia Brandt"]
MONTHS = ["May", "June", "July", "August", "September", "October"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

DEAL_PARAGRAPHS = [
    "{cap}, {month} {day} (wire) — {partner} and the United States agreed a trade deal on {weekday} that sets "
    "a {rate}% US tariff on {adj} goods instead of the {threat}% rate that had been threatened.",
    "{adj} {good} will also pay {rate}%, down from {prev}%, under the framework, officials said.",
    "{partner} will invest ${invest} billion in American factories and buy ${buy} billion of US energy "
    "over three years.",
    "Up to {quota:,} {adj} cars a year may enter the United States at {rate}% under a new quota.",
    "{role} {us_name} met {partner}'s chief negotiator, {their_name}, in Washington twice this week.",
    "The main stock index in {cap} rose {move}% and the currency firmed after the announcement.",
    "{partner} ran a goods trade surplus of ${surplus} billion with the United States last year.",
    "Neither government said when the lower rates would take effect, and the legal text is still being written.",
]
BACKGROUND_PARAGRAPHS = [
    "Business groups in {cap} said they would study the details before commenting on what it means for "
    "exporters, and several trade associations asked for a briefing from the ministry next week.",
    "\u201cThis gives our companies the certainty they have been asking for since the spring,\u201d one "
    "industry representative told reporters outside the ministry, adding that questions remained.",
    "Economists cautioned that the effect on growth would depend on how quickly the new rates were applied "
    "and on whether other partners secured better terms in their own negotiations.",
    "Opposition lawmakers in {cap} criticised the speed of the talks and demanded that the text be put "
    "before parliament, while farm groups warned about competition from imports.",
    "Shipping companies reported a rush of bookings as importers tried to move goods before any change, "
    "and port officials said container volumes had risen for a third straight week.",
    "Officials on both sides described the talks as constructive and said technical teams would keep "
    "working on rules of origin, standards and customs procedures in the coming weeks.",
]
OTHER_PARAGRAPHS = [
    "Consumer prices rose {move}% last month as importers passed on tariff costs to shoppers.",
    "A carmaker cut its profit forecast, saying tariffs would cost it ${surplus} billion this year.",
    "A federal court heard arguments over the president's emergency tariff powers on {weekday}.",
    "Shares of retailers fell {move}% after the report, while bond yields edged higher.",
    "Analysts said the figures showed a slowdown in orders from {partner} in {month}.",
]


def make_page(rng: random.Random, n: int) -> str:
    partner, adj, cap = rng.choice(PARTNERS)
    role, us_name = rng.choice(OFFICIALS)
    values = {
        "partner": partner,
        "adj": adj,
        "cap": cap,
        "month": rng.choice(MONTHS),
        "day": rng.randint(1, 28),
        "weekday": rng.choice(WEEKDAYS),
        "rate": rng.choice([10, 15, 18, 19, 20]),
        "threat": rng.choice([25, 30, 32, 39, 46]),
        "prev": rng.choice([25, 27.5, 50]),
        "good": rng.choice(GOODS),
        "invest": rng.randint(50, 600),
        "buy": rng.randint(5, 750),
        "quota": rng.randint(10, 300) * 1000,
        "role": role,
        "us_name": us_name,
        "their_name": rng.choice(PARTNER_OFFICIALS),
        "move": round(rng.uniform(0.1, 4.0), 1),
        "surplus": rng.randint(5, 120),
    }
    deal = n % 3 != 2
    pool = DEAL_PARAGRAPHS if deal else OTHER_PARAGRAPHS
    paragraphs = [p.format(**values) for p in pool]
    if deal:
        rest = paragraphs[1:]
        rng.shuffle(rest)
        paragraphs = paragraphs[:1] + rest
    background = [p.format(**values) for p in BACKGROUND_PARAGRAPHS]
    rng.shuffle(background)
    paragraphs += background[: rng.randint(3, 6)]
    title = (
        f"{partner} and US agree deal: {values['rate']}% tariff, ${values['invest']} billion pledge"
        if deal
        else f"Prices and profits squeezed as tariffs bite in {values['month']}"
    )
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    # The chrome of a real news page: menus, promos, related and most-read lists, comments, footer.
    sections = ["World", "Business", "Markets", "Tech", "Politics", "Climate", "Sport", "Culture", "Opinion"]
    nav = "".join(f"<li><a href='/{s.lower()}/{i}'>{s} {i}</a></li>" for s in sections for i in range(4))
    related = "".join(f"<li><a href='/s/{i}'>Markets wrap {i}: stocks up {i}%</a></li>" for i in range(12))
    most_read = "".join(f"<li><a href='/m/{i}'>Most read story number {i}</a></li>" for i in range(10))
    comments = "".join(
        f"<div class='comment'><p>Reader {i}: I bet it ends at {i * 7}% before the year is out.</p></div>"
        for i in range(8)
    )
    footer = "".join(f"<a href='/f/{i}'>Footer link {i}</a> " for i in range(24))
    return (
        f"<!doctype html><html><head><title>{title} | Example News</title>"
        f"<meta property='article:published_time' content='2025-07-{values['day']:02d}T08:00:00Z'>"
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "publisher": "Example"}</script>'
        "<script>window.dataLayer = [{'page': 'article'}];</script><style>.ad{display:none}</style></head>"
        f"<body><div class='cookie'>We use cookies. <a href='/privacy'>Privacy</a></div>"
        f"<header><nav><ul>{nav}</ul></nav></header>"
        "<div class='ad'>Sponsored: save 40% on your flights today</div>"
        f"<main><article><h1>{title}</h1><p class='byline'>By Staff Reporter</p>{body}</article>"
        f"<aside><h3>Related</h3><ul>{related}</ul><h3>Most read</h3><ol>{most_read}</ol></aside>"
        f"<section class='comments'><h3>Comments</h3>{comments}</section></main>"
        f"<footer><p>{footer}</p><p>© 2025 Example News. All rights reserved.</p></footer></body></html>"
    )


def extract_only(page: str) -> None:
    trafilatura.bare_extraction(page, **EXTRACT_OPTIONS)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--rounds", type=int, default=3, help="alternating timing rounds; the best of each is kept"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    pages = [make_page(rng, n) for n in range(args.articles)]
    # Warm both paths once (imports, compiled patterns, trafilatura's caches).
    extract_only(pages[0])
    analyze_document(pages[0])

    # CPU time of this process (on a shared machine wall time also counts other people's work), and
    # the best of a few alternating rounds, as timeit does, so that a busy neighbour skews neither side.
    extract_s = full_s = float("inf")
    relevant = 0
    for _ in range(args.rounds):
        start = time.process_time()
        for page in pages:
            extract_only(page)
        extract_s = min(extract_s, time.process_time() - start)

        start = time.process_time()
        relevant = 0
        for page in pages:
            relevant += analyze_document(page).relevant
        full_s = min(full_s, time.process_time() - start)

    articles_per_s = len(pages) / full_s
    extract_per_s = len(pages) / extract_s
    result = {
        "articles_per_s": round(articles_per_s, 1),
        "extract_only_per_s": round(extract_per_s, 1),
        "ratio": round(articles_per_s / extract_per_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{len(pages)} pages, {relevant} judged relevant")
        for key, value in result.items():
            print(f"{key:20} {value}")
    return 0 if articles_per_s >= 100 and result["ratio"] >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
