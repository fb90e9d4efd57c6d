"""The channels `energobot serve` runs: every enabled plug-in's outbound side for the sender and
its inbound side mounted on the app (routes, pollers)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bots.channel import Channel, SendContext
from bots.plugin import Host, Plugin, Quota, Throttle
from bots.registry import plugins
from console.events import STREAMS
from dialogs.messages import Reply
from dialogs.pipeline import Pipeline
from energobot.media import media_path_maker, media_signer, media_url_maker
from energobot.settings import Settings
from energobot.streams import Streams, build_streams
from storage.repos.chatlog import chat_log_reader
from storage.repos.revoked import SqlRevocations

FORGET_THROTTLE_SECONDS = 600.0  # how often a process deletes long-past counter windows


def host(
    settings: Settings, pipeline: Pipeline | None = None, streams: Streams | None = None
) -> Host:
    """What the plug-ins may know of the service."""
    root = settings.console.session_key.get_secret_value().encode()
    derive = (lambda purpose: derived_key(root, purpose)) if root else None
    days = settings.server.media_link_days
    return Host(
        company=settings.company.name,
        website=settings.company.website,
        default_language=settings.dialogs.default_language,
        public_url=settings.server.public_url,
        send_timeout_seconds=settings.outbox.send_timeout_seconds,
        max_body_bytes=settings.server.max_body_bytes,
        chat_log=None if pipeline is None else chat_log_reader(pipeline.unit_of_work),
        derive_key=derive,
        throttle=None if pipeline is None else shared_throttle(pipeline),
        revocations=None if pipeline is None else SqlRevocations(pipeline.unit_of_work),
        preview=None if pipeline is None else pipeline.preview,
        # X-Forwarded-For believed only from server.trusted_proxies, as for the console.
        client_address=None if streams is None else streams.client_address,
        streams=streams,
        media_url=media_url_maker(settings.server.public_url, media_signer(derive, days)),
        media_path=media_path_maker(media_signer(derive, days)),
        media_link_days=days,
    )


def derived_key(root: bytes, purpose: str) -> bytes:
    """A key for one purpose from the service's secret: knowing it tells nothing of the others."""
    return hmac.new(root, purpose.encode(), hashlib.sha256).digest()


def shared_throttle(pipeline: Pipeline) -> Throttle:
    """Host.throttle on the database's counters (store.throttle), so limits hold across
    processes: one transaction reserves a place in every quota or, refused, counts nothing."""
    forgotten = 0.0

    async def reserve(quotas: Sequence[Quota], now: datetime) -> Quota | None:
        nonlocal forgotten
        async with pipeline.unit_of_work() as store:
            for quota in quotas:
                if await store.throttle.reserve(quota.key, quota.limit, quota.window, now) is None:
                    return quota  # rolled back: the places reserved before it are not kept
            if time.monotonic() - forgotten > FORGET_THROTTLE_SECONDS:
                forgotten = time.monotonic()
                await store.throttle.forget(now)
            await store.commit()
        return None

    return reserve


def enabled(settings: Settings) -> list[Plugin[Any]]:
    return [p for p in plugins() if settings.channel(p.name).enabled]


@dataclass
class Channels:
    """What the app runs: outbound channels by name and the inbound side's background tasks."""

    outbound: dict[str, Channel] = field(default_factory=dict)
    _background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # The live streams' shared poller and limits: the web chat's through Host, the console's
    # through the app (console.events.STREAMS).
    streams: Streams | None = None

    def mount(self, app: web.Application, settings: Settings, pipeline: Pipeline) -> None:
        if self.streams is not None:
            app[STREAMS] = self.streams
        around = host(settings, pipeline, self.streams)
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
        if self.streams is not None:
            await self.streams.close()

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


def side_channels(settings: Settings) -> dict[str, Channel]:
    """The enabled plug-ins that deliver messages of other channels' conversations (e-mail):
    `energobot chat` sends through them beside the terminal."""
    around = host(settings)
    return {
        plugin.name: plugin.build(settings.channel(plugin.name), around)
        for plugin in enabled(settings)
        if plugin.side_channel
    }


def build_channels(settings: Settings) -> Channels:
    channels = Channels(streams=build_streams(settings))
    around = host(settings, streams=channels.streams)
    for plugin in enabled(settings):
        channels.outbound[plugin.name] = plugin.build(settings.channel(plugin.name), around)
    return channels
