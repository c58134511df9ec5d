"""Shared fixtures: a migrated SQLite file per test and settings that allow loopback fetches.

Keep this small; append new fixtures at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import FetchSettings, Settings
from bot.store.db import create_engine, migrate


@pytest.fixture
def db_url(tmp_path) -> str:
    """A real SQLite file (WAL), so transactions and locks behave as in production."""
    return f"sqlite+aiosqlite:///{tmp_path / 'tradebot.db'}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    await migrate(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def settings() -> Settings:
    """Defaults, except that loopback servers (the test fakes) may be fetched."""
    return Settings(fetch=FetchSettings(allow_private_addresses=True, total_timeout_s=5, connect_timeout_s=2))
