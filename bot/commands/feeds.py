"""feeds add / list / remove from chat (feed management needs the manage-feeds right)."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, or_, select

from bot.commands.registry import Env, command, error
from bot.models import Command, Reply
from bot.store.tables import feeds


def _workspace(cmd: Command) -> str:
    return f"{cmd.ctx.platform}:{cmd.ctx.workspace}"


def feed_state(row) -> str:  # type: ignore[no-untyped-def]
    if row.disabled_reason:
        return f"DISABLED: {row.disabled_reason}"
    if row.error_count:
        return f"failing ({row.error_count}x): {row.last_error}"
    return "ok" if row.last_ok_at else "not checked yet"


@command("feeds_add", usage="feeds add <url> [interval-minutes]", summary="follow a news feed",
         permission="manage_feeds", needs_text=True)
async def feeds_add(env: Env, cmd: Command) -> Reply:
    url = cmd.text.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return error("A feed URL must start with http:// or https:// and name a host.")
    interval = float(cmd.options.get("interval") or env.settings.polling.default_interval_min)
    interval = max(env.settings.polling.min_interval_min, min(interval, env.settings.polling.max_interval_min))
    async with env.engine.begin() as conn:
        if (await conn.execute(select(feeds.c.id).where(feeds.c.url == url))).first():
            return Reply(text=f"Already following {url}.", kind="info", ephemeral=True)
        count = (await conn.execute(select(func.count()).select_from(feeds)
                                    .where(feeds.c.workspace == _workspace(cmd)))).scalar_one()
        if count >= env.settings.limits.max_feeds_per_workspace:
            return error(f"This workspace already follows {count} feeds, the configured maximum.")
        await conn.execute(insert(feeds).values(url=url, interval_min=interval, workspace=_workspace(cmd)))
    return Reply(text=f"Following {url} (checked every {interval:g} min). Its existing items are stored "
                 "without being announced.", kind="info")


@command("feeds_list", usage="feeds list", summary="the feeds followed and their state")
async def feeds_list(env: Env, cmd: Command) -> Reply:
    async with env.engine.connect() as conn:
        rows = (await conn.execute(select(feeds).order_by(feeds.c.id))).all()
    if not rows:
        return Reply(text="No feeds yet. Add one with: feeds add <url>", kind="list", ephemeral=True)
    lines = [f"{row.id}. {row.title or row.url} — {feed_state(row)}" for row in rows]
    return Reply(text="\n".join(["Feeds:", *lines]), kind="list", ephemeral=True)


@command("feeds_remove", usage="feeds remove <url or id>", summary="stop following a feed",
         permission="manage_feeds", needs_text=True)
async def feeds_remove(env: Env, cmd: Command) -> Reply:
    key = cmd.text.strip()
    cond = feeds.c.url == key
    if key.isdigit():
        cond = or_(cond, feeds.c.id == int(key))
    async with env.engine.begin() as conn:
        result = await conn.execute(delete(feeds).where(cond))
    if not result.rowcount:
        return error(f"No feed {key!r}. See: feeds list")
    return Reply(text=f"Stopped following {key}.", kind="info")
