"""Fixtures: the real app on a database with the demo data, WhatsApp and Messenger sending to
FakeGraph."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from tests.fakes.graph import FakeGraph
from tests.meta.harness import Harness, running


@pytest.fixture
async def meta(fake_graph: FakeGraph, demo: Database) -> AsyncIterator[Harness]:
    async with running(fake_graph, demo) as harness:
        yield harness
