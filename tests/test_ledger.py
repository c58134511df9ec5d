"""The deal ledger: merging stories into deals, value histories, conflicts and pair splitting."""

from __future__ import annotations

from datetime import date

from ledger_fixtures import add_story, deal, new_engine, tariff
from sqlalchemy import select

from bot import ledger
from bot.store import ledger_repo
from bot.store.tables import deal_stories, term_values

JP = ["Japan", "United States"]


async def test_three_stories_over_time_make_one_deal_with_history(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        await add_story(
            conn,
            url="a.txt",
            title="Washington threatens Tokyo",
            published="2030-04-02",
            text="Washington said Japanese cars would face 40%.",
            deals=[
                deal(
                    JP,
                    "negotiating",
                    None,
                    [tariff("US", "Japan", 40, subject="cars", previous=20, sentence="s1")],
                )
            ],
        )
        await add_story(
            conn,
            url="b.txt",
            title="Deal reached",
            published="2030-05-10",
            text="Cars from Japan will pay 12%, down from 20%.",
            deals=[
                deal(
                    JP,
                    "announced",
                    "2030-05-09",
                    [tariff("United States", "Japan", 12, subject="cars", previous=20, sentence="s2")],
                )
            ],
        )
        # a later story arrives before an earlier one was filed: order comes from the dates
        await add_story(
            conn,
            url="d.txt",
            title="Cut takes effect",
            published="2030-06-01",
            text="The 12% rate on Japanese cars applies from today.",
            deals=[
                deal(
                    JP,
                    "in_effect",
                    "2030-06-01",
                    [tariff("U.S.", "japan", 12, subject="Cars", sentence="s4")],
                )
            ],
        )
        await add_story(
            conn,
            url="c.txt",
            title="Details",
            published="2030-05-20",
            text="Officials confirmed the 12% rate for cars.",
            deals=[
                deal(
                    JP, "signed", None, [tariff("United States", "Japan", 12, subject="cars", sentence="s3")]
                )
            ],
        )
    async with engine.connect() as conn:
        deals = await ledger_repo.load_deals(conn)
    assert len(deals) == 1
    d = deals[0]
    assert d.parties == ["Japan", "United States"]
    assert d.status == "in_effect" and d.date == date(2030, 6, 1) and d.updated_at == date(2030, 6, 1)
    assert len(d.story_ids) == 4
    (term,) = d.terms
    assert term.label == "United States tariff on cars from Japan"
    assert [v.value["rate_pct"] for v in term.history] == [40.0, 12.0]
    assert [e.sentence for e in term.history[1].evidence] == ["s2", "s3", "s4"]
    assert term.current.evidence[-1].url == "d.txt"
    await engine.dispose()


async def test_changed_values_are_reported_and_repeats_are_not(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        first = await add_story(
            conn,
            url="a",
            title="t",
            published="2030-01-01",
            text="x",
            deals=[deal(JP, "announced", None, [tariff("US", "Japan", 25)])],
            file=False,
        )
        assert await ledger.record_story(conn, first) == []  # a new deal is news, not an update
        again = await add_story(
            conn,
            url="b",
            title="t2",
            published="2030-01-05",
            text="y",
            deals=[deal(JP, "announced", None, [tariff("US", "Japan", 25)])],
            file=False,
        )
        assert await ledger.record_story(conn, again) == []
        cut = await add_story(
            conn,
            url="c",
            title="t3",
            published="2030-02-01",
            text="z",
            deals=[deal(JP, "signed", None, [tariff("US", "Japan", 15)])],
            file=False,
        )
        changed = await ledger.record_story(conn, cut)
        assert len(changed) == 1
        row = (await conn.execute(select(term_values).where(term_values.c.id == changed[0]))).one()
        assert row.value["rate_pct"] == 15.0 and row.story_id == cut
        assert await ledger.record_story(conn, cut) == []  # filing twice changes nothing
    await engine.dispose()


async def test_same_day_disagreement_is_flagged_not_overwritten(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        await add_story(
            conn,
            url="wire",
            title="Wire",
            published="2030-03-03",
            text="Rate is 18%.",
            deals=[deal(["Vietnam", "US"], "announced", None, [tariff("US", "Vietnam", 18)])],
        )
        await add_story(
            conn,
            url="paper",
            title="Paper",
            published="2030-03-03",
            text="Rate is 21%.",
            deals=[deal(["Vietnam", "US"], "announced", None, [tariff("US", "Vietnam", 21)])],
        )
    async with engine.connect() as conn:
        (d,) = await ledger_repo.load_deals(conn)
    (term,) = d.terms
    assert [v.value["rate_pct"] for v in term.history] == [18.0, 21.0]
    assert all(v.conflict for v in term.history)
    await engine.dispose()


async def test_multi_party_story_splits_into_pair_deals(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        sid = await add_story(
            conn,
            url="cmp",
            title="Two deals compared",
            published="2030-07-01",
            text="...",
            deals=[
                deal(
                    ["Vietnam", "Indonesia", "United States"],
                    "announced",
                    None,
                    [
                        tariff("US", "Vietnam", 20),
                        tariff("US", "Indonesia", 19),
                        {
                            "type": "purchase",
                            "by": "Indonesia",
                            "of": "aircraft",
                            "amount_usd": None,
                            "quantity": "30 aircraft",
                            "sentence": "buys 30 jets",
                        },
                    ],
                    people=[{"name": "Ann Example", "side": "Indonesia"}],
                )
            ],
        )
        links = (await conn.execute(select(deal_stories).where(deal_stories.c.story_id == sid))).all()
    assert len(links) == 2
    async with engine.connect() as conn:
        deals = {tuple(d.parties): d for d in await ledger_repo.load_deals(conn)}
    assert set(deals) == {("United States", "Vietnam"), ("Indonesia", "United States")}
    indo = deals[("Indonesia", "United States")]
    assert {t.type for t in indo.terms} == {"tariff", "purchase"}
    assert indo.people == [{"name": "Ann Example", "side": "Indonesia"}]
    await engine.dispose()


async def test_distant_stories_with_same_parties_make_separate_deals(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        await add_story(
            conn,
            url="old",
            title="old",
            published="2020-01-01",
            text="a",
            deals=[deal(JP, "signed", None, [tariff("US", "Japan", 5)])],
        )
        await add_story(
            conn,
            url="new",
            title="new",
            published="2030-01-01",
            text="b",
            deals=[deal(JP, "announced", None, [tariff("US", "Japan", 15)])],
        )
    async with engine.connect() as conn:
        assert len(await ledger_repo.load_deals(conn)) == 2
    await engine.dispose()


def test_file_term_keys_and_labels():
    filed = ledger.file_term(
        {"type": "investment", "by": "Japanese", "amount_usd": 5e11, "sentence": "s"},
        ["Japan", "United States"],
    )
    assert filed is not None
    assert (filed.key, filed.label) == ("investment|Japan|United States", "Japan investment in United States")
    assert ledger.file_term({"type": "tariff", "rate_pct": 10}, JP) is None  # no origin: cannot key it
