"""A client that goes away in the middle of its body is one line in the log, not a traceback at
ERROR, and nothing of it is taken."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from bots.telegram.settings import TelegramSettings
from energobot.settings import Settings
from storage.database import Database
from storage.tables import inbox
from tests.served_app import served

SECRET = "cut-off-secret"


async def test_a_body_cut_off_mid_way_is_one_quiet_line(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = TelegramSettings(enabled=True, token="123:abc", webhook_secret=SECRET)
    settings = Settings(telegram=telegram, console={"enabled": False})
    caplog.set_level(logging.INFO)
    async with served(settings, database) as (host, port):
        for ending in ("close", "bad chunk"):
            _reader, writer = await asyncio.open_connection(host, port)
            if ending == "close":
                head = "Content-Length: 1000\r\n\r\n" + '{"update_id": 1, "mes'
            else:
                head = "Transfer-Encoding: chunked\r\n\r\n" + "zz\r\n{}\r\n"
            writer.write(
                (
                    "POST /webhooks/telegram HTTP/1.1\r\nHost: bot\r\n"
                    f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
                    "Content-Type: application/json\r\n" + head
                ).encode()
            )
            await writer.drain()
            await asyncio.sleep(0.1)
            writer.close()
            await asyncio.sleep(0.3)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert any("cut off" in r.getMessage() for r in caplog.records)
    async with database.unit_of_work() as store:
        taken = await store.connection.execute(select(func.count()).select_from(inbox))
        assert taken.scalar_one() == 0
