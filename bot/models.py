"""Plain typed records shared by the core and the adapters.

Nothing here knows about a chat platform, a database or the network. Every string that came from a
feed or a user is kept raw: escaping for a platform is the adapter's job, at render time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

# ---------------------------------------------------------------- feeds and stories


@dataclass(slots=True)
class Feed:
    id: int
    url: str
    title: str | None = None
    interval_min: int = 10
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_ok_at: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    disabled_reason: str | None = None
    backlog_done: bool = False
    workspace: str | None = None


@dataclass(slots=True)
class Story:
    id: int
    url: str
    title: str
    text: str
    feed_id: int | None = None
    canonical_url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    fetched_at: datetime | None = None
    content_hash: str | None = None
    partial: bool = False
    relevant: bool = False
    relevance: float = 0.0
    summary: str = ""
    group_id: int | None = None
    analysis: dict[str, Any] | None = None


# ---------------------------------------------------------------- deals

DealStatus = Literal["negotiating", "announced", "signed", "in_effect", "collapsed"]
TermType = Literal["tariff", "investment", "purchase", "quota", "market_access"]


@dataclass(slots=True, frozen=True)
class Evidence:
    """Where a value was stated: the story, the sentence, and the date the story speaks for."""

    story_id: int
    url: str
    title: str
    sentence: str
    stated_on: date | None


@dataclass(slots=True)
class TermValue:
    value: dict[str, Any]
    evidence: list[Evidence]
    conflict: bool = False


@dataclass(slots=True)
class Term:
    """One deal term, e.g. 'United States tariff on cars from Japan', with its value history."""

    key: str
    type: TermType
    label: str
    history: list[TermValue] = field(default_factory=list)

    @property
    def current(self) -> TermValue | None:
        return self.history[-1] if self.history else None


@dataclass(slots=True)
class Deal:
    id: int
    parties: list[str]
    status: str
    date: date | None
    terms: list[Term] = field(default_factory=list)
    people: list[dict[str, str]] = field(default_factory=list)
    story_ids: list[int] = field(default_factory=list)
    updated_at: date | None = None


# ---------------------------------------------------------------- chat


@dataclass(slots=True, frozen=True)
class Context:
    """Who asked, where, and what the platform says they may do. Filled in by the adapter."""

    platform: str
    workspace: str
    channel: str
    user: str
    user_name: str = ""
    is_dm: bool = False
    can_manage_channel: bool = False
    can_manage_feeds: bool = False


@dataclass(slots=True, frozen=True)
class Command:
    """A platform-neutral chat command: `name` is one of bot.commands.COMMANDS."""

    name: str
    ctx: Context
    text: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class SourceRef:
    id: str
    url: str
    title: str
    quote: str = ""


@dataclass(slots=True, frozen=True)
class ReplyField:
    name: str
    value: str
    inline: bool = True


@dataclass(slots=True, frozen=True)
class Attachment:
    filename: str
    data: bytes
    description: str = ""
    width: int = 0
    height: int = 0


ReplyKind = Literal["story", "update", "deal", "answer", "compare", "list", "help", "info", "error", "refusal"]


@dataclass(slots=True, frozen=True)
class Reply:
    """What the core says back. `text` is always complete on its own (console, notifications);
    the other fields let an adapter render something richer (an embed, Block Kit)."""

    text: str
    kind: ReplyKind = "info"
    title: str | None = None
    url: str | None = None
    summary: str | None = None
    fields: tuple[ReplyField, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    footer: str | None = None
    as_of: date | None = None
    image: Attachment | None = None
    ephemeral: bool = False


@dataclass(slots=True, frozen=True)
class Answer:
    question: str
    text: str | None
    sources: tuple[SourceRef, ...] = ()


@dataclass(slots=True)
class Subscription:
    id: int
    platform: str
    workspace: str
    channel: str
    countries: list[str] = field(default_factory=list)
    updates_only: bool = False
    min_relevance: float = 0.5
    paused_reason: str | None = None
    created_by: str = ""
