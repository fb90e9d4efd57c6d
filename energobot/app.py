"""The aiohttp application: health, messenger webhooks, and the background outbox sender."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import PayloadEncodingError
from aiohttp.typedefs import Middleware

from bots.registry import plugins
from console.app import mount_console
from console.context import ReplyCheck
from dialogs.pipeline import Pipeline
from energobot.channels import Channels, build_channels, host
from energobot.logs import quiet_client_faults
from energobot.media import media_signer, mount_media
from energobot.metrics import METRICS, Metrics, metrics_endpoint
from energobot.pay import mount_payments
from energobot.payment_wiring import payment_desk, yookassa_client
from energobot.retention import mount_retention, retention_job
from energobot.settings import Settings
from energobot.streams import server_options
from energobot.wiring import build_pipeline, notice_machinery
from outbox.notices.scheduler import Scheduler
from outbox.sender import OutboxSender
from storage.database import Database
from storage.migrate import is_current

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Services:
    """What request handlers of every room share."""

    settings: Settings
    database: Database
    pipeline: Pipeline
    sender: OutboxSender
    channels: Channels
    scheduler: Scheduler

    @property
    def reply_check(self) -> ReplyCheck:
        """The console asks before it queues an operator's reply (messaging windows)."""
        return self.channels.reply_check


SERVICES = web.AppKey("services", Services)


async def healthz(request: web.Request) -> web.Response:
    """The process is alive."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready to take traffic: the database answers and its schema is current."""
    database = request.app[SERVICES].database
    connected = await database.ping()
    migrated = connected and await is_current(database)
    ready = connected and migrated
    body = {
        "status": "ready" if ready else "not ready",
        "database": connected,
        "migrated": migrated,
    }
    return web.json_response(body, status=200 if ready else 503)


# A lightning bolt: browsers ask every page's site for /favicon.ico.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#0b5cad"/>'
    '<path d="M18 3 7 18h7l-2 11 11-15h-7z" fill="#ffd43b"/></svg>'
)


async def favicon(request: web.Request) -> web.Response:
    return web.Response(
        text=FAVICON,
        content_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def body_guard(body_seconds: float) -> Middleware:
    """A request's body must have arrived `body_seconds` after its headers, else the connection
    is cut (a slow-body slow-loris holds nothing for long; aiohttp's keep-alive timer does not
    run while a request is in progress). A client that goes away mid-body, or sends a broken
    chunked one, is one line in the log, not an error with a traceback: nothing of it was taken.
    """

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        deadline = None
        if request.body_exists and request.transport is not None:
            deadline = asyncio.get_running_loop().call_later(body_seconds, _cut, request)
        try:
            return await handler(request)
        except (ConnectionResetError, PayloadEncodingError) as exc:
            log.info("%s %s: the request was cut off (%s)", request.method, request.path, exc)
            return web.Response(status=400, text="the request body was cut off")
        finally:
            if deadline is not None:
                deadline.cancel()

    return guard


def _cut(request: web.Request) -> None:
    """The deadline passed: cut the connection if the body has still not all arrived (a handler
    still at work on a whole body is left alone)."""
    if not request.content.is_eof() and request.transport is not None:
        log.info("%s %s: the body did not arrive in time", request.method, request.path)
        request.transport.close()


def create_app(settings: Settings, database: Database) -> web.Application:
    quiet_client_faults()
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=[body_guard(settings.server.idle_timeout_seconds)],
        handler_args=server_options(settings.server),  # idle and slow-header connections cut
    )
    channels = build_channels(settings)
    metrics = Metrics(database, channels.outbound)
    app[METRICS] = metrics
    sender, scheduler = notice_machinery(
        settings,
        database,
        channels.outbound,
        on_result=metrics.sent,
        on_notice=metrics.notice,
    )
    metrics.senders_alive.set_function(lambda: sender.share)
    pipeline = build_pipeline(settings, database, on_commit=lambda _: sender.wake())
    pipeline.observer = metrics
    services = Services(settings, database, pipeline, sender, channels, scheduler)
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/readyz", readyz)
    # For Prometheus inside the network: the reverse proxy must not pass /metrics through.
    app.router.add_get("/metrics", metrics_endpoint)
    channels.mount(app, settings, pipeline)
    # Payment links (/pay/...) and YooKassa's notifications, when payments go through it.
    if (acquirer := yookassa_client(settings)) is not None:
        mount_payments(app, payment_desk(settings, database, acquirer, sender.wake))
    # Signed links to replies' files (the web chat, Viber, a channel's fallback).
    derive = host(settings).derive_key
    mount_media(app, media_signer(derive, settings.server.media_link_days), pipeline.unit_of_work)
    # Messages, once-only keys and link attempts past their periods (settings `retention`).
    mount_retention(app, retention_job(settings, database.unit_of_work))
    if (console := mount_console(app, services)) is not None:
        console.wake_notices = scheduler.wake  # an outage entered: its notices now
        language = console.options.language
        console.formats.channel_titles = {
            p.name: titles[language] for p in plugins() if language in (titles := p.titles())
        }

    async def start(app: web.Application) -> None:
        sender.start()
        channels.start()
        if settings.notices.enabled:
            scheduler.start()

    async def stop(app: web.Application) -> None:
        # Stop taking new work, finish what is in flight, then let go of connections.
        await channels.stop_receiving()
        await scheduler.stop()
        await sender.stop()
        await channels.close()
        await database.dispose()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app
