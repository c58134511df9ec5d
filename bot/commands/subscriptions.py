"""subscribe / unsubscribe / subscriptions: which channels get deal stories."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from bot.commands.registry import Env, command, error
from bot.models import Command, Reply
from bot.news.parties import normalise_party
from bot.store.tables import subscriptions


def _countries(raw: list[str]) -> tuple[list[str], list[str]]:
    known, unknown = [], []
    for name in raw:
        party = normalise_party(name)
        (known if party else unknown).append(party or name)
    return sorted(set(known)), unknown


def describe(row) -> str:  # type: ignore[no-untyped-def]
    what = ", ".join(row.countries) if row.countries else "all deals"
    extra = " (updates only)" if row.updates_only else ""
    paused = f" — PAUSED: {row.paused_reason}" if row.paused_reason else ""
    return f"{what}{extra}, min relevance {row.min_relevance:.2f}{paused}"


@command("subscribe", usage="subscribe [countries] [updates-only]",
         summary="post deal stories in this channel", permission="manage_channel")
async def subscribe(env: Env, cmd: Command) -> Reply:
    ctx = cmd.ctx
    countries, unknown = _countries(list(cmd.options.get("countries") or []))
    if unknown:
        return error(f"I don't know these countries: {', '.join(unknown)}.")
    min_rel = float(cmd.options.get("min_relevance", env.settings.news.min_relevance))
    if not 0 <= min_rel <= 1:
        return error("min_relevance must be between 0 and 1.")
    values = {"countries": countries, "updates_only": bool(cmd.options.get("updates_only")),
              "min_relevance": min_rel, "paused_reason": None, "created_by": ctx.user}
    async with env.engine.begin() as conn:
        found = (await conn.execute(select(subscriptions.c.id).where(
            subscriptions.c.platform == ctx.platform, subscriptions.c.channel == ctx.channel))).first()
        if found:
            await conn.execute(update(subscriptions).where(subscriptions.c.id == found.id).values(**values))
        else:
            count = (await conn.execute(select(func.count()).select_from(subscriptions).where(
                subscriptions.c.platform == ctx.platform, subscriptions.c.workspace == ctx.workspace))).scalar_one()
            if count >= env.settings.limits.max_subscriptions_per_workspace:
                return error(f"This workspace already has {count} subscribed channels, the configured maximum.")
            await conn.execute(insert(subscriptions).values(platform=ctx.platform, workspace=ctx.workspace,
                                                            channel=ctx.channel, **values))
        row = (await conn.execute(select(subscriptions).where(
            subscriptions.c.platform == ctx.platform, subscriptions.c.channel == ctx.channel))).one()
    return Reply(text=f"Subscribed this channel to {describe(row)}.", kind="info")


@command("unsubscribe", usage="unsubscribe", summary="stop deal posts in this channel",
         permission="manage_channel")
async def unsubscribe(env: Env, cmd: Command) -> Reply:
    async with env.engine.begin() as conn:
        result = await conn.execute(delete(subscriptions).where(
            subscriptions.c.platform == cmd.ctx.platform, subscriptions.c.channel == cmd.ctx.channel))
    if result.rowcount:
        return Reply(text="This channel is unsubscribed.", kind="info")
    return Reply(text="This channel was not subscribed.", kind="info", ephemeral=True)


@command("subscriptions", usage="subscriptions", summary="list this workspace's subscribed channels")
async def list_subscriptions(env: Env, cmd: Command) -> Reply:
    async with env.engine.connect() as conn:
        rows = (await conn.execute(select(subscriptions).where(
            subscriptions.c.platform == cmd.ctx.platform, subscriptions.c.workspace == cmd.ctx.workspace)
            .order_by(subscriptions.c.id))).all()
    if not rows:
        return Reply(text="No channel here is subscribed. Use subscribe in a channel to start.", kind="list",
                     ephemeral=True)
    lines = [f"#{row.channel}: {describe(row)}" for row in rows]
    return Reply(text="\n".join(["Subscribed channels:", *lines]), kind="list", ephemeral=True)
