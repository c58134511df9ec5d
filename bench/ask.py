"""Q&A latency over a large generated store, answered in process.

    python bench/ask.py --stories 10000 --questions 1000 --json

Generates invented deal stories (many partners, rates, pledges, purchases, officials, dates, plus
filler and unrelated market news), stores them in a fresh SQLite file through the real schema,
files every Nth story in the ledger, loads `bot.qa.Knowledge` and times `answer()` on generated
questions of every kind (with typos and comparisons). Prints p50/p95 per question, the story count,
the load time, the time to take in one new story (refresh) and the peak resident memory of the
process. Target: p95 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot import ledger  # noqa: E402
from bot.qa import load_knowledge  # noqa: E402
from bot.store.db import create_engine, migrate  # noqa: E402
from bot.store.tables import stories  # noqa: E402

PARTNERS = [
    "Japan",
    "South Korea",
    "Vietnam",
    "Indonesia",
    "India",
    "Switzerland",
    "Thailand",
    "Philippines",
    "Malaysia",
    "Cambodia",
    "Taiwan",
    "Brazil",
    "Mexico",
    "Canada",
    "European Union",
    "United Kingdom",
    "China",
    "Australia",
    "Israel",
    "Turkey",
    "Argentina",
    "Chile",
    "Colombia",
    "Norway",
    "Bangladesh",
    "Pakistan",
    "Sri Lanka",
    "Singapore",
    "New Zealand",
    "South Africa",
    "Ecuador",
    "Guatemala",
]
GOODS = ["cars", "steel", "pharmaceuticals", "textiles", "electronics", "aircraft", "rice", "beef", "lumber"]
BUYS = ["energy", "Boeing aircraft", "soybeans", "LNG", "AI chips", "defence equipment", "wheat"]
FIRST = ["Anna", "Ravi", "Mei", "Jonas", "Lucia", "Tomas", "Aiko", "Omar", "Ines", "Pavel"]
LAST = ["Keller", "Sharma", "Tanaka", "Novak", "Silva", "Haddad", "Moreau", "Lindqvist", "Okafor", "Reyes"]
FILLER = [
    "Business groups said they would study the text before commenting.",
    "Markets were little changed after the announcement, with the currency steady against the dollar.",
    "Opposition lawmakers criticised the government for conceding too much in the talks.",
    "Exporters said they hoped the arrangement would end months of uncertainty over orders.",
    "Analysts noted that several details remain to be settled in follow-up negotiations.",
    "The ministry said a fuller statement would be published later in the week.",
]


def _story(rng: random.Random, i: int, start: date) -> tuple[dict, dict]:
    partner = rng.choice(PARTNERS)
    day = start + timedelta(days=rng.randrange(0, 400))
    if rng.random() < 0.15:  # unrelated market news that still mentions a partner and numbers
        text = (
            f"Shares of {partner} exporters rose {rng.randint(1, 9)}% on Tuesday as the index gained "
            f"{rng.randint(1, 3)}.{rng.randint(0, 9)}%. " + " ".join(rng.sample(FILLER, 3))
        )
        return {"title": f"Markets: {partner} stocks rally", "text": text, "published": day}, {
            "relevant": False
        }
    now, before = rng.choice([10, 15, 18, 19, 20, 25]), rng.choice([25, 30, 32, 35, 40, 46])
    good = rng.choice(GOODS)
    amount = rng.choice([50, 100, 200, 300, 550, 600])
    buy = rng.choice(BUYS)
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    sentences = [
        f"The United States and {partner} agreed on {day:%B} {day.day} on a trade framework that sets a {now}% "
        f"tariff on {partner} goods, down from the {before}% rate threatened earlier.",
        f"{partner} will invest ${amount} billion in US factories over the next four years.",
        f"{partner} also committed to buy ${rng.randint(5, 90)} billion of American {buy}.",
        f"Trade Minister {person} led the {partner} delegation in the talks.",
        f"Tariffs on {good} from {partner} will fall to {rng.choice([5, 10, 12.5, 15])}% from {before}%.",
        f"The new rates take effect on {(day + timedelta(days=14)):%B} {(day + timedelta(days=14)).day}.",
        *rng.sample(FILLER, 4),
    ]
    rng.shuffle(sentences[1:])
    deals = [
        {
            "parties": sorted([partner, "United States"]),
            "status": "announced",
            "date": day.isoformat(),
            "terms": [
                {
                    "type": "tariff",
                    "imposed_by": "United States",
                    "on_goods_from": partner,
                    "subject": "all goods",
                    "rate_pct": float(now),
                    "previous_rate_pct": None,
                    "threatened_rate_pct": float(before),
                    "sentence": sentences[0],
                }
            ],
            "people": [{"name": person, "side": partner}],
        }
    ]
    title = f"{partner} and US agree {now}% tariff framework"
    return {"title": title, "text": " ".join(sentences), "published": day}, {"relevant": True, "deals": deals}


QUESTION_TEMPLATES = [
    "what tariff does {p} pay now?",
    "{t} tariff on {g}?",
    "What rate was {p} threatened with before the deal?",
    "how much is {p} investing in the US",
    "How much {b} is {p} buying?",
    "who led {p}'s delegation?",
    "when do the new {p} rates take effect?",
    "which got the lower rate, {p} or {q}?",
    "Who pledged more investment, {p} or {q}?",
    "rank the asian deals by tariff",
    "which country agreed to buy {b}?",
    "What tariff does {p} charge on US cars?",
    "How many tonnes of beef did {p} agree to import?",
]


def _question(rng: random.Random) -> str:
    p, q = rng.sample(PARTNERS, 2)
    typo = p.lower()[:-1] if rng.random() < 0.2 and len(p) > 5 else p  # "indonesi", "thailan"
    return rng.choice(QUESTION_TEMPLATES).format(p=p, q=q, t=typo, g=rng.choice(GOODS), b=rng.choice(BUYS))


async def _build(db: Path, n: int, ledger_every: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await migrate(engine)
    start = date(2030, 1, 1)
    async with engine.begin() as conn:
        for i in range(n):
            story, analysis = _story(rng, i, start)
            published = datetime(
                story["published"].year, story["published"].month, story["published"].day, tzinfo=UTC
            )
            analysis |= {"title": story["title"], "summary": story["text"][:200], "published": None}
            result = await conn.execute(
                insert(stories).values(
                    url=f"https://news.example/{i}",
                    title=story["title"],
                    published=published,
                    text=story["text"],
                    relevant=analysis["relevant"],
                    relevance=1.0 if analysis["relevant"] else 0.0,
                    summary=story["text"][:200],
                    analysis=analysis,
                    group_id=i + 1,
                )
            )
            if analysis["relevant"] and ledger_every and i % ledger_every == 0:
                await ledger.record_story(conn, int(result.inserted_primary_key[0]))
    await engine.dispose()


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=10000)
    ap.add_argument("--questions", type=int, default=1000)
    ap.add_argument(
        "--ledger-every", type=int, default=10, help="file every Nth story in the ledger (0: none)"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        await _build(db, args.stories, args.ledger_every, args.seed)
        built = time.perf_counter() - t0
        engine = create_engine(f"sqlite+aiosqlite:///{db}")
        t0 = time.perf_counter()
        knowledge = await load_knowledge(engine)
        loaded = time.perf_counter() - t0
        rng = random.Random(args.seed + 1)
        questions = [_question(rng) for _ in range(args.questions)]
        for q in questions[:20]:  # warm caches (regex compilation, numpy paths)
            knowledge.answer(q)
        times, answered = [], 0
        for q in questions:
            t = time.perf_counter()
            answer = knowledge.answer(q)
            times.append((time.perf_counter() - t) * 1000)
            answered += answer.text is not None
        story_count = knowledge.story_count
        # one more story arrives: how long until questions see it
        story, analysis = _story(random.Random(args.seed + 2), args.stories, date(2031, 6, 1))
        async with engine.begin() as conn:
            await conn.execute(
                insert(stories).values(
                    url="https://news.example/new",
                    title=story["title"],
                    text=story["text"],
                    relevant=True,
                    published=datetime(2031, 6, 1, tzinfo=UTC),
                    analysis=analysis | {"title": story["title"]},
                )
            )
        t0 = time.perf_counter()
        added = await knowledge.refresh(engine)
        refresh_ms = (time.perf_counter() - t0) * 1000
        await engine.dispose()
    times.sort()
    result = {
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "stories": story_count,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "sentences": len(knowledge.index.sentences),
        "answered": answered,
        "questions": len(questions),
        "build_s": round(built, 1),
        "load_s": round(loaded, 1),
        "refresh_one_ms": round(refresh_ms, 1) if added == 1 else None,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:12} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
