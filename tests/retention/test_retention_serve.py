"""The job as operations run it: `energobot retention run` in its own process, and `serve`'s
app starting it in the background when the settings enable it."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from energobot import retention
from energobot.app import create_app
from energobot.settings import Settings
from storage.database import Database
from storage.tables import inbox, link_attempts, outbox
from tests.retention.helpers import DAY, conversation, count, event, reply

# Only a safety net: the app's first run comes after every_minutes (here a fraction of a second).
WAIT_SECONDS = 60


async def energobot(database_url: str, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "energobot",
        *args,
        env={**os.environ, "ENERGOBOT_DATABASE__URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_retention_run_applies_the_periods_once_and_prints_the_counts(
    database: Database, database_url: str
) -> None:
    now = datetime.now(UTC)
    customer, conv = await conversation(database)
    await event(database, conv, "old", now - 31 * DAY)
    await event(database, conv, "young", now - DAY)
    for _ in range(3):
        await reply(database, conv, now - 31 * DAY)
    await reply(database, conv, now - DAY)
    async with database.unit_of_work() as store:
        await store.link_attempts.add(customer, "5900000001", False, now - 91 * DAY)
        await store.commit()

    code, output = await energobot(database_url, "retention", "run", "--no-migrate")

    assert code == 0, output
    lines = {line.split("  ")[0].strip(): line for line in output.splitlines()}
    assert lines["inbound messages cleared"].split()[3] == "1"
    assert lines["replies deleted"].split()[2] == "3"
    assert lines["link attempts deleted"].split()[3] == "1"
    assert "(older than 30 d)" in lines["replies deleted"]
    assert await count(database, outbox) == 1
    assert await count(database, inbox, inbox.c.conversation_id.is_(None)) == 1
    assert await count(database, link_attempts) == 0


def served(database_url: str, **retention: object) -> Settings:
    return Settings(
        database={"url": database_url},
        console={"session_key": "test-session-key-0123456789"},
        retention=retention,
    )


async def test_serve_runs_the_job_when_enabled(
    database: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    _, conv = await conversation(database)
    await reply(database, conv, now - 31 * DAY)
    kept = await reply(database, conv, now - DAY)
    ran = asyncio.Event()
    run_once = retention.run_once

    async def observed(*args: Any, **kwargs: Any) -> retention.RetentionCounts:
        counts = await run_once(*args, **kwargs)
        ran.set()
        return counts

    monkeypatch.setattr(retention, "run_once", observed)

    app = create_app(served(database_url, every_minutes=0.001), database)
    async with TestServer(app):
        assert not app[retention.RETENTION].done()
        async with asyncio.timeout(WAIT_SECONDS):
            await ran.wait()
    assert await count(database, outbox) == 1
    assert await count(database, outbox, outbox.c.id == kept) == 1


async def test_serve_leaves_it_to_cron_when_disabled(database: Database, database_url: str) -> None:
    app = create_app(served(database_url, enabled=False), database)
    async with TestServer(app):
        assert retention.RETENTION not in app
