"""Fixtures of the Viber tests: the real app on a database with the demo data, sending to the
fake Viber API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from tests.fakes.viber import FakeViber
from tests.viber.harness import Harness, make_settings, running


@pytest.fixture
async def vb(fake_viber: FakeViber, demo: Database) -> AsyncIterator[Harness]:
    async with running(make_settings(fake_viber), demo, fake_viber) as harness:
        yield harness
