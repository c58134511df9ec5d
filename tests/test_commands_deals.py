"""ask / deal / compare / latest and autocomplete through the command dispatcher, on a real store."""

from __future__ import annotations

import io

import pytest
from ledger_fixtures import add_story, deal, new_engine, tariff
from PIL import Image
from qa_fixtures import STORIES

from bot.commands import Env, dispatch
from bot.commands import deals as deals_commands
from bot.commands.deals import complete
from bot.config import Settings
from bot.models import Command, Context

CTX = Context(platform="console", workspace="w", channel="c", user="u")
KOREA = ["South Korea", "United States"]


def _filed(url: str) -> list[dict]:
    """Ledger deals for the Korea stories, as the extractor would file them."""
    return {
        "fixtures/korea-threat.txt": [
            deal(
                KOREA,
                "negotiating",
                None,
                [
                    tariff(
                        "United States",
                        "South Korea",
                        10,
                        threatened=35,
                        sentence="Korean exports currently pay a 10%",
                    ),
                    tariff("United States", "South Korea", 25, subject="cars", sentence="cars pay 25%"),
                ],
            )
        ],
        "fixtures/korea-deal.txt": [
            deal(
                KOREA,
                "announced",
                "2030-03-19",
                [
                    tariff("United States", "South Korea", 18, previous=35, sentence="sets an 18% tariff"),
                    tariff(
                        "United States",
                        "South Korea",
                        12.5,
                        subject="cars",
                        previous=25,
                        sentence="Korean cars will pay 12.5% instead of the 25%",
                    ),
                    {
                        "type": "investment",
                        "by": "South Korea",
                        "in": "United States",
                        "amount_usd": 3e11,
                        "sentence": "South Korea will invest $300 billion",
                    },
                ],
                people=[{"name": "Park Jin-ho", "side": "South Korea"}],
            )
        ],
        "fixtures/korea-cars-effect.txt": [
            deal(
                KOREA,
                "in_effect",
                "2030-05-01",
                [tariff("United States", "South Korea", 12.5, subject="cars", sentence="now enter at 12.5%")],
            )
        ],
        "fixtures/swiss-deal.html": [
            deal(
                ["Switzerland", "United States"],
                "announced",
                "2030-06-14",
                [tariff("United States", "Switzerland", 15, previous=39, sentence="to 15% from 39%")],
            )
        ],
    }.get(url, [])


@pytest.fixture
async def env(tmp_path):
    engine = await new_engine(tmp_path)
    dated = {
        "fixtures/korea-threat.txt": "2030-03-02",
        "fixtures/korea-deal.txt": "2030-03-20",
        "fixtures/canada-threat.txt": "2030-05-01",
        "fixtures/canada-deal.txt": "2030-05-28",
    }
    async with engine.begin() as conn:
        for s in STORIES:
            await add_story(
                conn,
                url=s["url"],
                title=s["title"],
                published=s["published"] or dated[s["url"]],
                text=s["text"],
                deals=_filed(s["url"]),
                relevant=s.get("relevant", True),
            )
    yield Env(engine=engine, settings=Settings())
    await engine.dispose()


async def _run(env: Env, name: str, text: str = "", **options):  # type: ignore[no-untyped-def]
    return await dispatch(env, Command(name=name, ctx=CTX, text=text, options=options))


async def test_ask_answers_with_sources(env):
    reply = await _run(env, "ask", "what tariff do korean cars pay now?")
    assert reply.kind == "answer"
    assert reply.text.startswith("12.5%")
    assert len(reply.text.splitlines()) <= 3
    assert reply.sources and reply.sources[0].url.startswith("fixtures/korea")


async def test_ask_dont_know_suggests_what_is_on_file(env):
    reply = await _run(env, "ask", "how much is korea buying in beef?")
    assert reply.text.splitlines()[0] == "My sources don't say."
    assert "On file for South Korea" in reply.text and "deal South Korea" in reply.text
    assert reply.sources == ()


async def test_ask_sees_stories_stored_after_first_question(env, monkeypatch):
    monkeypatch.setattr(deals_commands, "REFRESH_SECONDS", 0.0)  # take new stories in at once
    assert (await _run(env, "ask", "what rate does india pay?")).text.startswith("26%")
    async with env.engine.begin() as conn:
        await add_story(
            conn,
            url="fixtures/india-deal.txt",
            title="India deal",
            published="2030-08-01",
            text="India and the United States agreed a deal that cuts the US tariff on Indian goods to "
            "17% from 26%.",
            deals=[],
        )
    assert (await _run(env, "ask", "what rate does india pay now?")).text.startswith("17%")


async def test_deal_card_with_history_chart(env):
    reply = await _run(env, "deal", "S. Korea")
    assert reply.kind == "deal" and reply.title == "South Korea – United States"
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Status"] == "in effect"
    assert fields["United States tariff on all goods from South Korea"] == "10% → 18% (threatened 35%)"
    assert fields["United States tariff on cars from South Korea"] == "25% → 12.5%"
    assert fields["South Korea investment in United States"] == "$300 billion"
    assert reply.image is not None
    assert Image.open(io.BytesIO(reply.image.data)).size == (800, 450)
    assert "threat" not in (await _run(env, "deal", "switzerland")).text.lower()


async def test_deal_unknown_party_and_no_deal(env):
    assert (await _run(env, "deal", "narnia")).kind == "error"
    reply = await _run(env, "deal", "thailand")
    assert (
        reply.text.startswith("No deal on file for Thailand") and "South Korea – United States" in reply.text
    )


async def test_compare_table_and_bar_chart(env):
    reply = await _run(env, "compare", parties=["korea", "swiss", "thailand"])
    assert reply.kind == "compare"
    assert reply.table[0] == ("", "South Korea", "Switzerland", "Thailand")
    rows = {r[0]: r[1:] for r in reply.table[1:]}
    assert rows["US tariff"] == (
        "10% → 18% (threatened 35%)",
        "39% → 15%",
        "19%",
    )  # Thailand from the stories
    assert reply.image is not None and reply.image.filename == "tariffs.png"
    assert (await _run(env, "compare", "korea")).kind == "error"


async def test_latest_filters_by_party(env):
    everything = await _run(env, "latest")
    assert everything.text.startswith("Latest deal stories:")
    assert "Stocks rise" not in everything.text  # not a deal story
    korea = await _run(env, "latest", "korea")
    assert [s.url for s in korea.sources] == [
        "fixtures/korea-cars-effect.txt",
        "fixtures/korea-deal.txt",
        "fixtures/korea-threat.txt",
    ]


async def test_autocomplete_party_and_deal_names(env):
    assert await complete(env, "party", "kor", 5) == ["South Korea"]
    assert (await complete(env, "party", "sw", 5))[0] == "Switzerland"
    assert await complete(env, "deal", "sw", 5) == ["Switzerland – United States"]
    assert await complete(env, "deal", "", 5) == [
        "South Korea – United States",
        "Switzerland – United States",
    ]


async def test_ask_for_a_deals_terms_reads_the_ledger(env):
    reply = await _run(env, "ask", "what are the terms of the korea deal?")
    assert reply.text.startswith("South Korea – United States (in effect): ")
    assert "10% → 18% (threatened 35%)" in reply.text and "25% → 12.5%" in reply.text
    assert {s.url for s in reply.sources} <= {"fixtures/korea-deal.txt", "fixtures/korea-cars-effect.txt"}
