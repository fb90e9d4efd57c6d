"""A periodic job that lives as long as the app: started with it, stopped before its
resources (the database, an HTTP client) are let go."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

from aiohttp import web


def mount_background(
    app: web.Application,
    key: web.AppKey[asyncio.Task[None]],
    job: Callable[[], Coroutine[Any, Any, None]],
    name: str,
) -> None:
    """Run `job()` as a task named `name` from start-up; cancel it first thing at clean-up."""

    async def start(app: web.Application) -> None:
        app[key] = asyncio.create_task(job(), name=name)

    async def stop(app: web.Application) -> None:
        task = app.get(key)
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    app.on_startup.append(start)
    app.on_cleanup.insert(0, stop)
