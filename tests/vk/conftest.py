"""Fixtures of the VK tests: the fake VK API, and the real app on a database with the demo data
sending to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from tests.fakes.vk import FakeVk
from tests.fakes.vk.fixtures import fake_vk
from tests.vk.harness import Harness, make_settings, running

__all__ = ["fake_vk"]


@pytest.fixture
async def vk(fake_vk: FakeVk, demo: Database) -> AsyncIterator[Harness]:
    async with running(make_settings(fake_vk), demo, fake_vk) as harness:
        yield harness
