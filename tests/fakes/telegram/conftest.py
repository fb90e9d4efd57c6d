"""Fixtures of the fake's own tests: the started fake and an aiogram Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from tests.fakes.telegram.fixtures import bot_for, fake_telegram
from tests.fakes.telegram.server import FakeTelegram

__all__ = ["bot", "fake_telegram"]


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = bot_for(fake_telegram)
    yield bot
    await bot.session.close()
