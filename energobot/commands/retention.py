"""`energobot retention run`: apply the retention periods once (for cron or by hand)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import click

from energobot.runtime import CliContext, open_database, pass_cli
from energobot.settings import Settings


@click.group()
def retention() -> None:
    """Messages, once-only keys and link attempts kept for their periods (settings `retention`)."""


@retention.command("run")
@click.option(
    "--no-migrate", is_flag=True, help="Do not bring the database schema up to date first."
)
@pass_cli
def run(cli: CliContext, no_migrate: bool) -> None:
    """Clear or delete what is older than its period, batch by batch, print the counts, and exit.

    Runs whether or not `retention.enabled` lets `serve` run it; a `serve` running meanwhile
    takes turns with it batch by batch.
    """
    asyncio.run(_run(cli.settings, migrate=not no_migrate))


async def _run(settings: Settings, *, migrate: bool) -> None:
    from energobot.retention import retention_policy, run_once

    policy = retention_policy(settings)
    database = await open_database(settings, migrate=migrate)
    try:
        counts = await run_once(database.unit_of_work, policy, datetime.now(UTC))
    finally:
        await database.dispose()
    rows = [
        ("inbound messages cleared", counts.inbox_cleared, policy.inbox),
        ("inbound keys deleted", counts.inbox_deleted, policy.inbox_keys),
        ("replies deleted", counts.replies_deleted, policy.replies),
        ("notices deleted", counts.notices_deleted, policy.notices),
        ("link attempts deleted", counts.link_attempts_deleted, policy.link_attempts),
    ]
    for label, count, period in rows:
        click.echo(f"{label:<26} {count:>9}  (older than {_days(period)})")
    click.echo(f"in {counts.batches} batches of at most {policy.batch} rows")


def _days(period: timedelta) -> str:
    hours = period.seconds // 3600
    return f"{period.days} d" + (f" {hours} h" if hours else "")
