"""Who is asking, where, and what Discord says they may do: discord.py objects → bot.models.Context.

The facts come from Discord itself: an interaction carries the member's permissions resolved for
the channel it was used in (`member.permissions` in the payload, `Interaction.permissions` in
discord.py), so channel overwrites are already applied. The core decides what the facts allow.
"""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.models import Context


def has_role(roles: Iterable[discord.Role], wanted: str) -> bool:
    """Is one of `roles` the configured role? It may be given by id or by name (case-insensitive)."""
    wanted = wanted.strip()
    if not wanted:
        return False
    return any(str(role.id) == wanted or role.name.casefold() == wanted.casefold() for role in roles)


def _facts(
    user: discord.abc.User, permissions: discord.Permissions, feed_manager_role: str
) -> tuple[bool, bool]:
    can_manage_channel = permissions.administrator or permissions.manage_channels
    roles = user.roles if isinstance(user, discord.Member) else []
    can_manage_feeds = (
        permissions.administrator or permissions.manage_guild or has_role(roles, feed_manager_role)
    )
    return can_manage_channel, can_manage_feeds


def interaction_context(interaction: discord.Interaction, *, feed_manager_role: str = "") -> Context:
    is_dm = interaction.guild_id is None
    if is_dm:
        # In a DM the user owns the conversation; feed management is a server matter.
        can_manage_channel, can_manage_feeds = True, False
    else:
        can_manage_channel, can_manage_feeds = _facts(
            interaction.user, interaction.permissions, feed_manager_role
        )
    return Context(
        platform="discord",
        workspace="dm" if is_dm else str(interaction.guild_id),
        channel=str(interaction.channel_id),
        user=str(interaction.user.id),
        user_name=interaction.user.display_name,
        is_dm=is_dm,
        can_manage_channel=can_manage_channel,
        can_manage_feeds=can_manage_feeds,
    )


def message_context(message: discord.Message, *, feed_manager_role: str = "") -> Context:
    is_dm = message.guild is None
    if is_dm:
        can_manage_channel, can_manage_feeds = True, False
    else:
        channel = message.channel
        author = message.author
        if isinstance(author, discord.Member) and isinstance(channel, discord.abc.GuildChannel):
            permissions = channel.permissions_for(author)
        else:  # a channel or member not in the cache: claim nothing
            permissions = discord.Permissions.none()
        can_manage_channel, can_manage_feeds = _facts(author, permissions, feed_manager_role)
    return Context(
        platform="discord",
        workspace="dm" if is_dm else str(message.guild.id),  # type: ignore[union-attr]
        channel=str(message.channel.id),
        user=str(message.author.id),
        user_name=message.author.display_name,
        is_dm=is_dm,
        can_manage_channel=can_manage_channel,
        can_manage_feeds=can_manage_feeds,
    )
