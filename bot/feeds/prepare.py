"""Bytes of a feed → entries with their identities: the CPU-bound part of polling one feed.

Pure and picklable, so the poller can run it inline or in a worker process (parse_workers).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from bot.feeds.identity import canonical_url, entry_identity
from bot.feeds.parse import FeedEntry, ParsedFeed, parse_feed


@dataclass(slots=True, frozen=True)
class Candidate:
    entry: FeedEntry
    identity: str
    canonical: str | None


@dataclass(slots=True)
class PreparedFeed:
    feed: ParsedFeed
    candidates: list[Candidate] = field(default_factory=list)  # one per identity, in feed order


def prepare_feed(
    body: bytes, *, content_type: str | None, url: str | None, feed_url: str, with_text: bool = False
) -> PreparedFeed:
    """Parse (raises bot.feeds.errors.ParseError) and key every entry (bot.feeds.identity)."""
    parsed = parse_feed(body, content_type=content_type, url=url, with_text=with_text)
    seen: dict[str, Candidate] = {}
    for entry in parsed.entries:
        identity = entry_identity(
            guid=entry.guid, link=entry.link, title=entry.title, content=entry.content_html, feed_url=feed_url
        )
        if identity not in seen:
            if with_text:  # the HTML is not needed once it is text and keyed: less to send back
                entry = dataclasses.replace(entry, content_html="")
            seen[identity] = Candidate(entry, identity, canonical_url(entry.link))
    return PreparedFeed(parsed, list(seen.values()))
