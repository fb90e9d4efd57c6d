"""`energobot serve`: the HTTP service."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

import click
from aiohttp import web

from energobot.exchange import load_demo
from energobot.logs import setup_logging
from energobot.runtime import CliContext, open_database, pass_cli
from energobot.settings import Settings

log = logging.getLogger(__name__)


@click.command()
@click.option("--demo", is_flag=True, help="Load the bundled demo data if the database is empty.")
@click.option("--no-migrate", is_flag=True, help="Do not bring the database schema up to date.")
@pass_cli
def serve(cli: CliContext, demo: bool, no_migrate: bool) -> None:
    """Serve HTTP on server.host:server.port: /healthz, /readyz, the enabled channels' webhooks,
    and the outbox sender that delivers replies."""
    settings = cli.settings
    setup_logging(settings.logging)
    migrate = settings.database.migrate_on_start and not no_migrate
    asyncio.run(_serve(settings, demo=demo, migrate=migrate))


async def _serve(settings: Settings, *, demo: bool, migrate: bool) -> None:
    # Imported here: the app pulls in every channel's SDK, which other commands do not need.
    from energobot.app import create_app

    database = await open_database(settings, migrate=migrate)
    if demo:
        async with database.unit_of_work() as store:
            if await load_demo(store):
                await store.commit()
                log.info("demo data loaded")
    runner = web.AppRunner(create_app(settings, database), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.server.host, settings.server.port)
    await site.start()
    # Start-up objects never die: keep the collector from walking them on every gen-2 pass.
    gc.collect()
    gc.freeze()
    url = settings.server.public_url or f"http://{settings.server.host}:{settings.server.port}"
    click.echo(f"energobot is serving on {url} (health: {url}/healthz); Ctrl+C stops it.")
    if settings.channel("webchat").enabled:
        click.echo(f"Web chat: {url}/ — open it in a browser and chat with the bot.")
    click.echo(f"Operators' console: {url}/console (operators: energobot operators add)")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Stop taking work, finish what is in flight, then exit (systemd, docker stop, Ctrl+C).
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
        log.info("stopping: finishing work in flight")
    finally:
        await runner.cleanup()
