"""GET /media/<token>: a token that is not one of ours gets 404 with a reason, whatever
characters it holds (never a 500)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from energobot.media import MediaSigner, mount_media
from storage.database import Database


@pytest.mark.parametrize(
    "token",
    ["1.9999999999.é", "1.9999999999.ключ", "².9999999999.abc", "1.٩٩٩٩٩٩٩٩٩٩.abc", "abc"],
)
async def test_a_token_not_ours_is_404_with_a_reason(database: Database, token: str) -> None:
    app = web.Application()
    signer = MediaSigner(b"k" * 32, timedelta(days=7))
    mount_media(app, signer, database.unit_of_work, lambda: datetime.now(UTC))
    async with TestClient(TestServer(app)) as client:
        response = await client.get(f"/media/{quote(token)}/kvitanciya.pdf")
        assert response.status == 404
        assert await response.text() == "not a valid link"
