"""SQLAlchemy Core tables. The schema itself changes only through migrations (bot/store/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC (SQLite has no time zones), always returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("title", String(500)),
    Column("workspace", String(200)),  # "platform:id" of whoever added it; None for config/CLI
    Column("interval_min", Float, nullable=False, default=10),
    Column("etag", String(500)),
    Column("last_modified", String(200)),
    Column("next_check_at", UTCDateTime),
    Column("last_checked_at", UTCDateTime),
    Column("last_ok_at", UTCDateTime),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("disabled_reason", Text),
    Column("backlog_done", Boolean, nullable=False, default=False),
    Column("added_at", UTCDateTime, nullable=False, default=utcnow),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="SET NULL")),
    Column("url", String(2048), nullable=False),
    Column("canonical_url", String(2048), index=True),
    Column("guid", String(2048)),
    Column("title", Text, nullable=False, default=""),
    Column("published", UTCDateTime),
    Column("fetched_at", UTCDateTime, nullable=False, default=utcnow),
    Column("text", Text, nullable=False, default=""),
    Column("content_hash", String(64), index=True),
    Column("partial", Boolean, nullable=False, default=False),
    Column("relevant", Boolean, nullable=False, default=False),
    Column("relevance", Float, nullable=False, default=0.0),
    Column("summary", Text, nullable=False, default=""),
    Column("analysis", JSON),
    Column("group_id", Integer, index=True),  # id of the first story of its near-duplicate group
    Column("announce", Boolean, nullable=False, default=True),  # False for a new feed's backlog
)

# Every feed entry ever seen, by identity: the dedupe record and the tombstone in one.
entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identity", String(64), nullable=False, unique=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE")),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Column("seen_at", UTCDateTime, nullable=False, default=utcnow),
)

deals = Table(
    "deals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parties", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="announced"),
    Column("date", Date),
    Column("people", JSON, nullable=False, default=list),
    Column("updated_at", Date),
)

deal_stories = Table(
    "deal_stories",
    metadata,
    Column("deal_id", Integer, ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
)

terms = Table(
    "terms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deal_id", Integer, ForeignKey("deals.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(500), nullable=False),
    Column("type", String(20), nullable=False),
    Column("label", String(500), nullable=False),
    UniqueConstraint("deal_id", "key", name="uq_terms_deal_key"),
)

term_values = Table(
    "term_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("term_id", Integer, ForeignKey("terms.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("value", JSON, nullable=False),
    Column("sentence", Text, nullable=False, default=""),
    Column("stated_on", Date),
    Column("conflict", Boolean, nullable=False, default=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("workspace", String(200), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("countries", JSON, nullable=False, default=list),
    Column("updates_only", Boolean, nullable=False, default=False),
    Column("min_relevance", Float, nullable=False, default=0.5),
    Column("paused_reason", Text),
    Column("created_by", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    UniqueConstraint("platform", "channel", name="uq_subscriptions_platform_channel"),
)

# The outbox: one row per (event, subscription), written in the transaction that stores the event.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("event_key", String(200), nullable=False),  # "story:<group id>" or "term:<term value id>"
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE")),
    Column("term_value_id", Integer, ForeignKey("term_values.id", ondelete="CASCADE")),
    Column("status", String(10), nullable=False, default="pending"),  # pending|claimed|sent|dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False, default=utcnow),
    Column("claimed_at", UTCDateTime),
    Column("claimed_by", String(100)),
    Column("message_id", String(200)),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("subscription_id", "event_key", name="uq_deliveries_subscription_event"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
)
