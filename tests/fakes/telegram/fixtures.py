"""pytest fixture and helpers: a started FakeTelegram and an aiogram Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tests.fakes.telegram.models import TOKEN
from tests.fakes.telegram.server import FakeTelegram


class QuickSession(AiohttpSession):
    """aiogram's session without the 250 ms pause its close() makes for TLS connections."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def bot_for(fake: FakeTelegram, token: str | None = None) -> Bot:
    """A real aiogram Bot that talks to the fake (close it with `await bot.session.close()`)."""
    session = QuickSession(api=TelegramAPIServer.from_base(fake.base_url))
    return Bot(token or fake.token, session=session)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API on a free port with token "123456:TEST-token"; fails the test on its bugs."""
    async with FakeTelegram(TOKEN) as fake:
        yield fake
    assert not fake.internal_errors, "FakeTelegram failed internally:\n" + "\n".join(
        fake.internal_errors
    )
