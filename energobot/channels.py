"""The channels `energobot serve` runs: every enabled plug-in's outbound side for the sender and
its inbound side mounted on the app (routes, pollers)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bots.channel import Channel, SendContext
from bots.plugin import Host, Plugin
from bots.registry import plugins
from dialogs.messages import Reply
from dialogs.pipeline import Pipeline
from energobot.settings import Settings
from storage.repos.chatlog import chat_log_reader


def host(settings: Settings, pipeline: Pipeline | None = None) -> Host:
    """What the plug-ins may know of the service."""
    return Host(
        company=settings.company.name,
        website=settings.company.website,
        default_language=settings.dialogs.default_language,
        public_url=settings.server.public_url,
        send_timeout_seconds=settings.outbox.send_timeout_seconds,
        max_body_bytes=settings.server.max_body_bytes,
        chat_log=None if pipeline is None else chat_log_reader(pipeline.unit_of_work),
    )


def enabled(settings: Settings) -> list[Plugin[Any]]:
    return [p for p in plugins() if settings.channel(p.name).enabled]


@dataclass
class Channels:
    """What the app runs: outbound channels by name and the inbound side's background tasks."""

    outbound: dict[str, Channel] = field(default_factory=dict)
    _background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def mount(self, app: web.Application, settings: Settings, pipeline: Pipeline) -> None:
        around = host(settings, pipeline)
        for plugin in enabled(settings):
            channel = self.outbound[plugin.name]
            mounted = plugin.mount(app, settings.channel(plugin.name), around, channel, pipeline)
            self._background += mounted.background
            self._closers += mounted.closers

    def start(self) -> None:
        self._tasks = [asyncio.create_task(run(), name="poller") for run in self._background]

    async def stop_receiving(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for close in self._closers:
            await close()

    def reply_check(
        self,
        channel: str,
        text: str,
        operator: str,
        last_inbound_at: datetime | None,
        now: datetime,
    ) -> str | None:
        """For the console: why the channel would refuse an operator's reply now, else None."""
        outbound = self.outbound.get(channel)
        if outbound is None:
            return None
        reply = Reply(text, operator=operator)
        refusal = outbound.refusal(reply, SendContext(now, last_inbound_at))
        return None if refusal is None else refusal.value

    async def close(self) -> None:
        for channel in self.outbound.values():
            await channel.close()


def build_channels(settings: Settings) -> Channels:
    channels = Channels()
    around = host(settings)
    for plugin in enabled(settings):
        channels.outbound[plugin.name] = plugin.build(settings.channel(plugin.name), around)
    return channels
