"""Helpers shared by the ledger, Q&A, card and command tests: a migrated SQLite store and stories
inserted with hand-written analyses (our own sentences, not from any evaluation corpus)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import ledger, story_groups
from bot.store.db import create_engine, migrate
from bot.store.tables import stories


async def new_engine(tmp_path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    await migrate(engine)
    return engine


def tariff(
    by: str,
    origin: str,
    rate: float,
    *,
    subject: str = "all goods",
    previous: float | None = None,
    threatened: float | None = None,
    sentence: str = "",
) -> dict[str, Any]:
    return {
        "type": "tariff",
        "imposed_by": by,
        "on_goods_from": origin,
        "subject": subject,
        "rate_pct": rate,
        "previous_rate_pct": previous,
        "threatened_rate_pct": threatened,
        "sentence": sentence,
    }


def deal(
    parties: list[str],
    status: str,
    when: str | None,
    terms: list[dict[str, Any]],
    people: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {"parties": parties, "status": status, "date": when, "terms": terms, "people": people or []}


async def add_story(
    conn: AsyncConnection,
    *,
    url: str,
    title: str,
    published: str,
    text: str,
    deals: list[dict[str, Any]],
    relevant: bool = True,
    file: bool = True,
) -> int:
    """Insert a story row as the pipeline would, then group it and file it in the ledger."""
    when = datetime.fromisoformat(published).replace(tzinfo=UTC)
    analysis = {
        "title": title,
        "relevant": relevant,
        "relevance": 1.0 if relevant else 0.0,
        "summary": text[:200],
        "deals": deals,
        "cues": [],
        "published": published,
    }
    result = await conn.execute(
        insert(stories).values(
            url=url,
            title=title,
            published=when,
            text=text,
            relevant=relevant,
            relevance=analysis["relevance"],
            summary=text[:200],
            analysis=analysis,
        )
    )
    story_id = int(result.inserted_primary_key[0])
    await story_groups.assign_group(conn, story_id)
    if file and relevant:
        await ledger.record_story(conn, story_id)
    return story_id
