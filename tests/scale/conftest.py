"""A cluster of real server processes on the suite's database (PostgreSQL when
ENERGOBOT_TEST_DATABASE_URL is set, else one SQLite file they share)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, ClientTimeout

from storage.database import Database
from tests.conftest import fresh_database_url
from tests.fakes.telegram import FakeTelegram
from tests.scale.cluster import Cluster


@pytest.fixture
async def cluster(tmp_path: Path, fake_telegram: FakeTelegram) -> AsyncIterator[Cluster]:
    # Nothing migrated beforehand: the processes starting together migrate it themselves.
    url = await fresh_database_url(tmp_path)
    found = Cluster(url, fake_telegram, tmp_path)
    async with ClientSession(timeout=ClientTimeout(total=30)) as session:
        found.session = session
        try:
            yield found
        finally:
            await found.stop()


@pytest.fixture
async def cluster_db(cluster: Cluster) -> AsyncIterator[Database]:
    database = Database(cluster.database_url)
    yield database
    await database.dispose()
