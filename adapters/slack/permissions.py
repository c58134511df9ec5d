"""Who may manage what, as Slack says: users.info (is_admin / is_owner) and a configured user group.

The core enforces; this module only gathers the facts for Context. Answers are cached for a few
minutes so a burst of commands costs one lookup per user.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

_GROUP_ID = re.compile(r"S[A-Z0-9]{2,}")


@dataclass(frozen=True, slots=True)
class UserFacts:
    name: str = ""
    is_admin: bool = False  # workspace admin or owner
    in_manager_group: bool = False

    @property
    def can_manage_channel(self) -> bool:
        return self.is_admin or self.in_manager_group

    @property
    def can_manage_feeds(self) -> bool:
        return self.is_admin


class Permissions:
    def __init__(self, client: AsyncWebClient, usergroup: str = "", ttl_s: float = 300.0) -> None:
        self.client = client
        self.usergroup = usergroup.strip().lstrip("@")
        self.ttl_s = ttl_s
        self._users: dict[str, tuple[float, UserFacts]] = {}
        self._group: tuple[float, frozenset[str]] | None = None

    async def facts(self, user_id: str) -> UserFacts:
        cached = self._users.get(user_id)
        if cached and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        try:
            user = (await self.client.users_info(user=user_id))["user"]
        except SlackApiError as exc:
            # Unknown facts mean "not allowed": the core then refuses and says why.
            log.warning("users.info failed: %s", exc.response.get("error", exc), extra={"user": user_id})
            return UserFacts()
        is_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        name = str(user.get("real_name") or user.get("name") or "")
        in_group = False if is_admin else user_id in await self._group_members()
        facts = UserFacts(name=name, is_admin=is_admin, in_manager_group=in_group)
        self._users[user_id] = (time.monotonic(), facts)
        return facts

    async def _group_members(self) -> frozenset[str]:
        if not self.usergroup:
            return frozenset()
        if self._group and time.monotonic() - self._group[0] < self.ttl_s:
            return self._group[1]
        members: frozenset[str] = frozenset()
        try:
            group_id = await self._group_id()
            if group_id:
                members = frozenset((await self.client.usergroups_users_list(usergroup=group_id))["users"])
            else:
                log.warning("subscription manager user group %r not found", self.usergroup)
        except SlackApiError as exc:
            log.warning("user group lookup failed: %s", exc.response.get("error", exc))
        self._group = (time.monotonic(), members)
        return members

    async def _group_id(self) -> str | None:
        """The setting may be an ID (S0123…) or a handle (trade-managers)."""
        if _GROUP_ID.fullmatch(self.usergroup):
            return self.usergroup
        groups = (await self.client.usergroups_list())["usergroups"]
        return next((g["id"] for g in groups if g.get("handle") == self.usergroup), None)
