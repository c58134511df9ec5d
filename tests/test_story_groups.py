"""Near-duplicate stories from different outlets form one group."""

from __future__ import annotations

from ledger_fixtures import add_story, new_engine
from sqlalchemy import select

from bot.store.tables import stories

WIRE = (
    "Negotiators from Ruritania and the United States agreed on Friday to lower duties on machine tools. "
    "Under the arrangement, American tariffs on Ruritanian machine tools fall to 12 percent from 30 percent, "
    "while Ruritania will open its dairy market to US farmers over three years. Officials said the text "
    "would be signed next month after legal review in both capitals, and business groups welcomed the news."
)
REWRITE = (
    "WASHINGTON (Regional Daily) - Negotiators from Ruritania and the United States agreed on Friday to lower "
    "duties on machine tools. Under the arrangement, American tariffs on Ruritanian machine tools fall to 12 "
    "percent from 30 percent, while Ruritania will open its dairy market to US farmers over three years. "
    "Our correspondent adds that exporters had lobbied for months."
)
OTHER = (
    "A storm closed the port for two days, delaying container ships and leaving trucks queued along the coast "
    "road while harbour officials inspected cranes for damage after the strongest winds in a decade."
)


async def test_two_outlets_versions_form_one_group(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        a = await add_story(
            conn,
            url="wire",
            title="Ruritania, US agree tool tariff cut",
            published="2030-05-03",
            text=WIRE,
            deals=[],
        )
        b = await add_story(
            conn,
            url="daily",
            title="Tool duties to fall under US deal",
            published="2030-05-04",
            text=REWRITE,
            deals=[],
        )
        c = await add_story(
            conn, url="port", title="Storm shuts port", published="2030-05-04", text=OTHER, deals=[]
        )
        rows = {
            r.id: r.group_id for r in (await conn.execute(select(stories.c.id, stories.c.group_id))).all()
        }
    assert rows[a] == a and rows[b] == a and rows[c] == c
    await engine.dispose()


async def test_same_text_weeks_apart_is_a_new_group(tmp_path):
    engine = await new_engine(tmp_path)
    async with engine.begin() as conn:
        a = await add_story(conn, url="one", title="x", published="2030-01-01", text=WIRE, deals=[])
        b = await add_story(conn, url="two", title="y", published="2030-03-01", text=REWRITE, deals=[])
        rows = {
            r.id: r.group_id for r in (await conn.execute(select(stories.c.id, stories.c.group_id))).all()
        }
    assert rows[a] == a and rows[b] == b
    await engine.dispose()
