"""The aiohttp application: health endpoints now, messenger webhooks and the console later."""

from __future__ import annotations

from aiohttp import web

from energobot.settings import Settings
from storage.database import Database
from storage.migrate import is_current

DATABASE = web.AppKey("database", Database)
SETTINGS = web.AppKey("settings", Settings)


async def healthz(request: web.Request) -> web.Response:
    """The process is alive."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready to take traffic: the database answers and its schema is current."""
    database = request.app[DATABASE]
    connected = await database.ping()
    migrated = connected and await is_current(database)
    ready = connected and migrated
    body = {
        "status": "ready" if ready else "not ready",
        "database": connected,
        "migrated": migrated,
    }
    return web.json_response(body, status=200 if ready else 503)


def create_app(settings: Settings, database: Database) -> web.Application:
    app = web.Application(client_max_size=settings.server.max_body_bytes)
    app[SETTINGS] = settings
    app[DATABASE] = database
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)

    async def close_database(app: web.Application) -> None:
        await database.dispose()

    app.on_cleanup.append(close_database)
    return app
