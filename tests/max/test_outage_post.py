"""Suppliers must post supply interruptions in MAX: an outage's public post goes to the
company's channel (POST /messages?chat_id=), once, and a chat the bot is not in is an error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bots.channel import Rates
from bots.max.api import MaxApi
from bots.max.channel import MaxChannel, Words
from core.notices import Kind, OutageRecord
from dialogs.config import CompanyInfo
from dialogs.i18n import translator
from outbox.notices.post import OutagePoster
from outbox.notices.rules import Job
from tests.fakes.max import FakeMax

CHANNEL_CHAT = -72000000001
PERM = ZoneInfo("Asia/Yekaterinburg")
COMPANY = CompanyInfo("Энергосбыт", "8-800", "", "", "Россети Урал", "8-800-220-0-220", "")
OUTAGE = OutageRecord(
    id=7,
    key="k",
    settlement="г. Пермь",
    street="ул. Ленина",
    houses="60-70 чётные",
    starts_at=datetime(2026, 12, 24, 5, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 24, 11, 0, tzinfo=UTC),
    kind="planned",
    reason="замена опор",
    created_at=datetime(2026, 12, 20, tzinfo=UTC),
    created_by=None,
    cancelled_at=None,
    restored_at=None,
)


@pytest.fixture
async def channel(fake_max: FakeMax) -> AsyncIterator[MaxChannel]:
    fake_max.add_channel(CHANNEL_CHAT)
    channel = MaxChannel(
        MaxApi(fake_max.token, fake_max.base_url, 5), Rates(30, 2, 1), Words.load()
    )
    yield channel
    await channel.close()


def poster(channel: MaxChannel, chat_id: int) -> OutagePoster:
    return OutagePoster(channel, str(chat_id), translator("ru"), COMPANY, PERM)


async def test_an_outage_is_posted_in_the_companys_channel(
    channel: MaxChannel, fake_max: FakeMax
) -> None:
    job = Job("outage:7", Kind.OUTAGE_PLANNED, "7", OUTAGE)
    assert await poster(channel, CHANNEL_CHAT)(job) is None
    (post,) = fake_max.channel_posts[str(CHANNEL_CHAT)]
    assert post["text"].startswith("Плановое отключение электроэнергии: г. Пермь, ул. Ленина")
    assert "дома 60-70 чётные" in post["text"] and "24 декабря 10:00" in post["text"]
    assert "замена опор" in post["text"] and "8-800-220-0-220" in post["text"]


async def test_a_chat_the_bot_is_not_in_is_an_error_recorded_not_raised(
    channel: MaxChannel, fake_max: FakeMax
) -> None:
    job = Job("outage:7", Kind.OUTAGE_EMERGENCY, "7", OUTAGE)
    error = await poster(channel, -72000000002)(job)
    assert error is not None and "dialog.not.found" in error
    assert fake_max.channel_posts[str(CHANNEL_CHAT)] == []
