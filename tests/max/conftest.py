"""Fixtures of the MAX tests: the fake MAX Bot API, the real app on a database with the demo
data sending to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from tests.fakes.max import FakeMax
from tests.fakes.max.fixtures import fake_max
from tests.max.harness import Harness, make_settings, running

__all__ = ["fake_max"]


@pytest.fixture
async def mx(fake_max: FakeMax, demo: Database) -> AsyncIterator[Harness]:
    async with running(make_settings(fake_max), demo, fake_max) as harness:
        yield harness
