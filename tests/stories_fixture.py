"""Deal stories of our own for pipeline and delivery tests, and helpers to subscribe channels."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.pipeline import NewStory
from bot.store.tables import deliveries, subscriptions

TITLES = {
    "japan": "Tokyo and Washington settle car tariff dispute",
    "vietnam": "Hanoi signs accord after threat of steep duties",
    "korea": "Seoul wins relief for its steelmakers",
}
# Each is a clearly relevant trade-deal story, distinct enough to start its own story group.
TEXTS = {
    "japan": (
        "Japan and the United States agreed a trade deal on Tuesday. The United States will cut its tariff on "
        "Japanese cars to 15 percent from 27.5 percent, officials in Tokyo said, and Japan will invest in "
        "American shipyards over the coming decade."
    ),
    "vietnam": (
        "Vietnam and the United States signed a trade agreement in Hanoi. The United States will charge a 20 "
        "percent tariff on goods from Vietnam, down from a threatened 46 percent, while Vietnamese buyers "
        "pledged to purchase more American aircraft and cotton."
    ),
    "korea": (
        "South Korea reached a tariff accord with the United States after weeks of talks in Washington. "
        "Washington will apply a 15 percent duty on Korean steel products, negotiators said, and Seoul "
        "committed to buying liquefied natural gas from American producers."
    ),
}
IRRELEVANT = (
    "Port congestion eased in Rotterdam this week as container volumes fell and harbour pilots returned "
    "to normal shifts after a long spell of storms along the North Sea coast."
)


def story(
    name: str, *, announce: bool = True, url: str | None = None, identity: str | None = None
) -> NewStory:
    link = url or f"https://news.example/{name}"
    return NewStory(
        url=link,
        title=TITLES[name],
        text=TEXTS[name],
        canonical_url=link,
        identity=identity,
        announce=announce,
    )


async def subscribe(
    engine: AsyncEngine, channel: str, *, platform: str = "fakechat", workspace: str = "ws", **values: object
) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(
            insert(subscriptions).values(platform=platform, workspace=workspace, channel=channel, **values)
        )
        return int(result.inserted_primary_key[0])


async def outbox(engine: AsyncEngine) -> list:  # list of Row
    async with engine.connect() as conn:
        return list((await conn.execute(select(deliveries).order_by(deliveries.c.id))).all())
