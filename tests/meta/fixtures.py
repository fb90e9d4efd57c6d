"""Fixtures: the real app on a database with the demo data, WhatsApp and Messenger sending to
FakeGraph."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from energobot.exchange import load_demo
from storage.database import Database
from tests.fakes.graph import FakeGraph
from tests.meta.harness import Harness, running


@pytest.fixture
async def demo(database: Database) -> Database:
    async with database.unit_of_work() as store:
        assert await load_demo(store)
        await store.commit()
    return database


@pytest.fixture
async def meta(fake_graph: FakeGraph, demo: Database) -> AsyncIterator[Harness]:
    async with running(fake_graph, demo) as harness:
        yield harness
