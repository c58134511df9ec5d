"""Dialect-aware INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL spell it the same way in
SQLAlchemy, but through their own insert constructs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_ignore(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, silently skipping any that would break a unique constraint."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))
