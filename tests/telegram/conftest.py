"""Fixtures of the Telegram tests: the real app on a database with the demo data, sending to
the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.database import Database
from tests.fakes.telegram import FakeTelegram
from tests.telegram.harness import Harness, make_settings, running


@pytest.fixture
async def tg(fake_telegram: FakeTelegram, demo: Database) -> AsyncIterator[Harness]:
    """The app in webhook mode; the fake's flood limits off (the delivery tests turn them on)."""
    fake_telegram.rate_limits = False
    async with running(make_settings(fake_telegram), demo, fake_telegram) as harness:
        yield harness
