"""The slash commands: their Discord definitions, and the translation of each into a core Command.

Each callback only gathers options into (name, text, options) and hands them to a `Runner`, which
builds the Context, calls the core and renders the reply. Option names, descriptions and limits
are what Discord shows users in the command picker.

`default_permissions` on /subscribe and /unsubscribe is only a hint (server admins can change it,
and Discord ignores it on subcommands); the core enforces permissions on every call with the facts
in Context. /feeds has none, so that members with the configured feed-manager role can see it.
"""

# No `from __future__ import annotations`: discord.py reads these annotations at definition time.

from typing import Any, Protocol

import discord
from discord import app_commands

Relevance = app_commands.Range[float, 0.0, 1.0]
Interval = app_commands.Range[float, 1.0, 1440.0]
Text = app_commands.Range[str, 1, 500]

# Commands whose answer usually takes a while (retrieval, a chart): defer at once, then follow up.
SLOW_COMMANDS = frozenset({"ask", "deal", "compare"})


class Runner(Protocol):
    async def run(
        self,
        interaction: discord.Interaction,
        name: str,
        text: str = "",
        options: dict[str, Any] | None = None,
    ) -> None: ...

    async def choices(self, kind: str, prefix: str) -> list[app_commands.Choice[str]]: ...


def split_list(value: str | None) -> list[str]:
    """'Japan, South Korea;EU' → ['Japan', 'South Korea', 'EU']."""
    if not value:
        return []
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def build_tree(client: discord.Client, runner: Runner) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)

    async def party_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await runner.choices("party", current)

    async def deal_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await runner.choices("deal", current)

    @tree.command(name="subscribe", description="Post new trade-deal stories in this channel")
    @app_commands.describe(
        countries="Only deals involving these countries, comma-separated (default: all)",
        updates_only="Only changes to deal terms, not every new story",
        min_relevance="How sure the story must be about a trade deal, 0 to 1",
    )
    @app_commands.default_permissions(manage_channels=True)
    async def subscribe(
        interaction: discord.Interaction,
        countries: str | None = None,
        updates_only: bool | None = None,
        min_relevance: Relevance | None = None,
    ) -> None:
        options: dict[str, Any] = {"countries": split_list(countries)}
        if updates_only is not None:
            options["updates_only"] = updates_only
        if min_relevance is not None:
            options["min_relevance"] = float(min_relevance)
        await runner.run(interaction, "subscribe", "", options)

    @tree.command(name="unsubscribe", description="Stop posting trade-deal stories in this channel")
    @app_commands.default_permissions(manage_channels=True)
    async def unsubscribe(interaction: discord.Interaction) -> None:
        await runner.run(interaction, "unsubscribe")

    @tree.command(name="subscriptions", description="What this channel (or server) is subscribed to")
    async def subscriptions(interaction: discord.Interaction) -> None:
        await runner.run(interaction, "subscriptions")

    @tree.command(name="latest", description="The latest trade-deal stories")
    @app_commands.describe(party="Only stories about this country or bloc")
    @app_commands.autocomplete(party=party_choices)
    async def latest(interaction: discord.Interaction, party: Text | None = None) -> None:
        await runner.run(interaction, "latest", party or "")

    @tree.command(name="deal", description="A deal's current terms, with their history and sources")
    @app_commands.describe(party="A country or bloc in the deal, or the deal's name")
    @app_commands.autocomplete(party=deal_choices)
    async def deal(interaction: discord.Interaction, party: Text) -> None:
        await runner.run(interaction, "deal", party)

    @tree.command(name="compare", description="Compare the deals of two or more parties side by side")
    @app_commands.describe(
        first="A country or bloc",
        second="Another",
        third="Another (optional)",
        fourth="Another (optional)",
        fifth="Another (optional)",
    )
    @app_commands.autocomplete(
        first=party_choices,
        second=party_choices,
        third=party_choices,
        fourth=party_choices,
        fifth=party_choices,
    )
    async def compare(
        interaction: discord.Interaction,
        first: Text,
        second: Text,
        third: Text | None = None,
        fourth: Text | None = None,
        fifth: Text | None = None,
    ) -> None:
        parties = [p for p in (first, second, third, fourth, fifth) if p]
        await runner.run(interaction, "compare", "", {"parties": parties})

    @tree.command(name="ask", description="Ask about trade deals; answers cite their sources")
    @app_commands.describe(question="For example: what tariff does the US charge on Japanese cars?")
    async def ask(interaction: discord.Interaction, question: Text) -> None:
        await runner.run(interaction, "ask", question)

    @tree.command(name="help", description="How to use tradebot")
    async def help_(interaction: discord.Interaction) -> None:
        await runner.run(interaction, "help")

    feeds = app_commands.Group(name="feeds", description="The news feeds tradebot reads for this server")

    @feeds.command(name="add", description="Add an RSS or Atom feed")
    @app_commands.describe(url="The feed's address (http or https)", interval="Minutes between checks")
    async def feeds_add(
        interaction: discord.Interaction, url: Text, interval: Interval | None = None
    ) -> None:
        options = {} if interval is None else {"interval": float(interval)}
        await runner.run(interaction, "feeds_add", url, options)

    @feeds.command(name="list", description="List the feeds and how they are doing")
    async def feeds_list(interaction: discord.Interaction) -> None:
        await runner.run(interaction, "feeds_list")

    @feeds.command(name="remove", description="Remove a feed")
    @app_commands.describe(feed="The feed's address or its number from /feeds list")
    async def feeds_remove(interaction: discord.Interaction, feed: Text) -> None:
        await runner.run(interaction, "feeds_remove", feed)

    tree.add_command(feeds)
    return tree
