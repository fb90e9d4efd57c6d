"""`energobot serve` runs the notice scheduler in every process: the jobs due now are taken and
done by the running app, with nothing but the settings to switch it on."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from energobot.settings import Settings
from storage.database import Database
from storage.tables import jobs
from tests.served_app import served


async def done_jobs(database: Database) -> list[str]:
    async with database.unit_of_work() as store:
        result = await store.connection.execute(  # type: ignore[attr-defined]
            select(jobs.c.key).where(jobs.c.done_at.is_not(None))
        )
        return [row.key for row in result]


async def test_a_running_app_runs_the_due_jobs_and_can_be_switched_off(
    database: Database,
) -> None:
    quiet = Settings(console={"enabled": False}, notices={"enabled": False})
    async with served(quiet, database):
        await asyncio.sleep(0.5)
    assert await done_jobs(database) == []
    # send_at at midnight: whatever the time of day, today's debt jobs are due.
    on = Settings(
        console={"enabled": False},
        notices={"enabled": True, "tick_seconds": 0.2, "send_at": "00:00"},
    )
    async with served(on, database):
        for _ in range(50):
            await asyncio.sleep(0.1)
            if any(key.startswith("debt_due:") for key in await done_jobs(database)):
                break
    assert any(key.startswith("debt_due:") for key in await done_jobs(database))
