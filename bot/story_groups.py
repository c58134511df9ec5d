"""Near-duplicate stories from different outlets form one story group, so a channel is told once.

Two stories are near-duplicates when a large share of the shorter one's word 3-grams appear in
the other (containment, so a trimmed or lightly rewritten wire copy still matches) or when their
titles nearly match and they share the same figures. Only stories published within
`WINDOW` of each other are compared, newest first, at most `MAX_CANDIDATES` of them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import stories

WINDOW = timedelta(days=3)
MAX_CANDIDATES = 400
TEXT_CONTAINMENT = 0.5
TITLE_JACCARD = 0.6
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")


def shingles(text: str, n: int = 3, limit_words: int = 1500) -> set[int]:
    words = _WORD.findall(text.lower())[:limit_words]
    return {hash(tuple(words[i : i + n])) for i in range(max(0, len(words) - n + 1))}


def containment(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _title_words(title: str) -> set[str]:
    return {w for w in _WORD.findall(title.lower()) if len(w) > 2}


def near_duplicate(a_title: str, a_text: str, b_title: str, b_text: str) -> bool:
    if containment(shingles(a_text), shingles(b_text)) >= TEXT_CONTAINMENT:
        return True
    ta, tb = _title_words(a_title), _title_words(b_title)
    if not ta or not tb:
        return False
    jaccard = len(ta & tb) / len(ta | tb)
    figures_a, figures_b = set(_FIGURE.findall(a_text)), set(_FIGURE.findall(b_text))
    shared_figures = not figures_a or not figures_b or len(figures_a & figures_b) >= min(3, len(figures_a))
    return jaccard >= TITLE_JACCARD and shared_figures


async def assign_group(conn: AsyncConnection, story_id: int) -> tuple[int, bool]:
    """Put a stored story in a group: (group id, True when it starts a new group)."""
    row = (
        await conn.execute(
            select(
                stories.c.id,
                stories.c.title,
                stories.c.text,
                stories.c.published,
                stories.c.fetched_at,
                stories.c.content_hash,
            ).where(stories.c.id == story_id)
        )
    ).first()
    if row is None:
        raise LookupError(f"no story {story_id}")
    group = await _matching_group(conn, row)
    if group is None:
        group = story_id
    await conn.execute(update(stories).where(stories.c.id == story_id).values(group_id=group))
    return group, group == story_id


async def _matching_group(conn: AsyncConnection, row: Any) -> int | None:
    when: datetime = row.published or row.fetched_at or datetime.now(UTC)
    near_time = or_(
        and_(stories.c.published >= when - WINDOW, stories.c.published <= when + WINDOW),
        and_(stories.c.published.is_(None), stories.c.fetched_at >= when - WINDOW),
    )
    cond = and_(stories.c.id != row.id, stories.c.group_id.is_not(None), near_time)
    if row.content_hash:
        same = (
            await conn.execute(
                select(stories.c.group_id).where(
                    and_(
                        stories.c.id != row.id,
                        stories.c.group_id.is_not(None),
                        stories.c.content_hash == row.content_hash,
                    )
                )
            )
        ).first()
        if same:
            return int(same.group_id)
    candidates = (
        await conn.execute(
            select(stories.c.id, stories.c.title, stories.c.text, stories.c.group_id)
            .where(cond)
            .order_by(stories.c.id.desc())
            .limit(MAX_CANDIDATES)
        )
    ).all()
    mine = shingles(row.text or "")
    title = row.title or ""
    for c in candidates:
        if containment(mine, shingles(c.text or "")) >= TEXT_CONTAINMENT or near_duplicate(
            title, row.text or "", c.title or "", c.text or ""
        ):
            return int(c.group_id)
    return None
