"""`energobot migrate`: bring the database schema up to date."""

from __future__ import annotations

import asyncio

import click

from energobot.runtime import CliContext, pass_cli
from storage.migrate import current, upgrade


@click.command()
@pass_cli
def migrate(cli: CliContext) -> None:
    """Apply every pending Alembic migration to database.url."""
    url = cli.settings.database.url

    async def run() -> str | None:
        await upgrade(url)
        return await current(url)

    revision = asyncio.run(run())
    click.echo(f"database is at revision {revision}")
