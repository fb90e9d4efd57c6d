"""The HTTP app in process: readiness follows the database and its schema."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from energobot.app import create_app
from energobot.settings import Settings
from storage.database import Database
from storage.migrate import upgrade


async def readiness(url: str) -> tuple[int, dict]:
    settings = Settings(database={"url": url})
    database = Database(url)
    async with TestClient(TestServer(create_app(settings, database))) as client:
        health = await client.get("/healthz")
        assert health.status == 200
        response = await client.get("/readyz")
        return response.status, await response.json()


async def test_not_ready_before_migration_ready_after(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    status, body = await readiness(url)
    assert status == 503 and body == {"status": "not ready", "database": True, "migrated": False}
    await upgrade(url)
    status, body = await readiness(url)
    assert status == 200 and body["status"] == "ready"


async def test_the_site_has_a_favicon(database_url: str) -> None:
    settings = Settings(database={"url": database_url})
    async with TestClient(TestServer(create_app(settings, Database(database_url)))) as client:
        response = await client.get("/favicon.ico")
        assert response.status == 200 and response.content_type == "image/svg+xml"
        assert "<svg" in await response.text()
