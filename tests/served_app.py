"""The real app on a real socket, as `energobot serve` starts it (aiohttp's test server hides a
lost connection and cancels handlers), and what a raw client sees of it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from energobot.app import create_app
from energobot.settings import Settings
from storage.database import Database


@contextlib.asynccontextmanager
async def served(settings: Settings, database: Database) -> AsyncIterator[tuple[str, int]]:
    """(host, port) of the app served on a free local port."""
    runner = web.AppRunner(create_app(settings, database), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield host, port
    finally:
        await runner.cleanup()


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(1024):
                pass  # what the server still sends does not matter, only that it ends
    except TimeoutError:
        return False
    except ConnectionError:
        pass  # a reset is a close too
    return True
