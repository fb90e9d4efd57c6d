"""`energobot notices` (run the due jobs, show campaigns) and `energobot outages import`."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from energobot.runtime import CliContext, open_database, pass_cli
from energobot.settings import Settings

_NO_MIGRATE = click.option(
    "--no-migrate", is_flag=True, help="Do not bring the database schema up to date first."
)
# How long `notices run` waits for the last notices to leave once nothing is due any more.
IDLE_CHECK_SECONDS = 0.5


@click.group()
def notices() -> None:
    """Reminders, debt notices, outage alerts: run the due jobs, see the campaigns."""


@notices.command("run")
@click.option(
    "--at",
    "at_text",
    metavar="TIME",
    help="Stand at this moment (ISO, local time without an offset), e.g. 2026-12-23T10:00.",
)
@click.option(
    "--no-send", is_flag=True, help="Only queue the notices (a running `serve` sends them)."
)
@click.option(
    "--timeout",
    default=3600.0,
    show_default=True,
    help="Stop sending after this many seconds; what is left goes with `serve` or the next run.",
)
@_NO_MIGRATE
@pass_cli
def run(
    cli: CliContext, at_text: str | None, no_send: bool, timeout: float, no_migrate: bool
) -> None:
    """Run every notice job due at that moment once, send what it queued, and exit.

    A job another process has done, or holds, is left alone; notices already queued are not
    queued again. The platforms' rules and quiet hours apply as at that moment.
    """
    settings = cli.settings
    at = _moment(at_text, settings)
    asyncio.run(_run(settings, at, send=not no_send, migrate=not no_migrate, send_for=timeout))


def _moment(text: str | None, settings: Settings) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date and time like 2026-12-23T10:00", param_hint="--at"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.company.tz)
    return moment


async def _run(
    settings: Settings, at: datetime, *, send: bool, migrate: bool, send_for: float
) -> None:
    from energobot.channels import build_channels
    from energobot.wiring import notice_machinery

    database = await open_database(settings, migrate=migrate)
    channels = build_channels(settings)
    started = time.monotonic()

    def clock() -> datetime:  # the moment stood at, moving on as the run takes time
        return at + timedelta(seconds=time.monotonic() - started)

    sender, scheduler = notice_machinery(
        settings, database, channels.outbound, clock=clock, posting=send
    )
    # The sender beats from the start: a job this process holds is its sender's, and found
    # gone by the others soon after this process dies.
    sender.start(claiming=send)
    try:
        results = await scheduler.run_due(at)
        for result in results:
            click.echo(f"{result.key}: {result.queued} queued")
        if not results:
            click.echo("nothing was due")
        if send:
            try:
                async with asyncio.timeout(send_for):
                    await _drained(database, sender, clock)
            except TimeoutError:
                click.echo(
                    f"stopped after {send_for:g} s: the rest goes with `serve` or the next run"
                )
            click.echo(f"sent {sender.sent}, failed {sender.failed}")
    finally:
        await sender.stop()
        await channels.close()
        await database.dispose()


async def _drained(database: Any, sender: Any, clock: Any) -> None:
    """Until no notice is due any more and nothing is in flight (held ones stay queued)."""
    while True:
        await asyncio.sleep(IDLE_CHECK_SECONDS)
        async with database.unit_of_work() as store:
            # Only what this process can send: the terminal's notices wait for its next message.
            due = await store.outbox.due_notices(clock(), list(sender.channels))
        if due == 0 and sender.idle:
            return


@notices.command("status")
@click.option("--limit", default=20, show_default=True, help="Campaigns shown, newest first.")
@_NO_MIGRATE
@pass_cli
def status(cli: CliContext, limit: int, no_migrate: bool) -> None:
    """The rules as configured and the latest campaigns with their counts."""
    settings = cli.settings
    notices_, readings = settings.notices, settings.readings
    quiet = notices_.quiet_hours
    click.echo("rules (local time; quiet hours " + quiet + ", emergencies excepted):")
    first = notices_.reminder_day or readings.window_start_day
    send_at = notices_.send_at.strftime("%H:%M")
    rules = [
        ("reading_reminder", f"day {first}, {send_at}, meters without a reading, not smart"),
        ("reading_last_day", f"day {readings.cutoff_day}, {send_at}")
        if notices_.last_day_reminder
        else ("reading_last_day", "off"),
        ("debt_due", f"{notices_.debt_days_before} days before the due date, {send_at}"),
        ("debt_overdue", f"{notices_.overdue_after_days} day(s) after the due date, {send_at}"),
        ("debt_restriction", "monthly, when the overdue debt allows a restriction")
        if notices_.restriction_warning
        else ("debt_restriction", "off"),
        ("receipt_ready", f"day {notices_.receipt_day}, {send_at}"),
        ("outage_planned", f"{notices_.outage_days_before} day(s) before, {send_at}"),
        ("outage_emergency", "at once"),
        ("outage_restored", "when the supply is back"),
        ("visit_status", "when an operator changes a visit"),
    ]
    for name, when in rules:
        click.echo(f"  {name:<18} {when}")
    asyncio.run(_status(settings, limit, migrate=not no_migrate))


async def _status(settings: Settings, limit: int, *, migrate: bool) -> None:
    database = await open_database(settings, migrate=migrate)
    try:
        async with database.unit_of_work() as store:
            campaigns = await store.campaigns.recent(limit)
            progress = await store.campaigns.progress([c.id for c in campaigns])
    finally:
        await database.dispose()
    if not campaigns:
        click.echo("no campaigns yet")
        return
    click.echo("campaigns:")
    for campaign in campaigns:
        counts = progress.get(campaign.id, {})
        shown = ", ".join(f"{state} {count}" for state, count in sorted(counts.items()))
        click.echo(
            f"  {campaign.key:<32} {campaign.status:<9} targets {campaign.targets}"
            + (f": {shown}" if shown else "")
        )


@click.group()
def outages() -> None:
    """Supply interruptions: import the grid company's schedule."""


@outages.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_NO_MIGRATE
@pass_cli
def import_outages(cli: CliContext, file: Path, no_migrate: bool) -> None:
    """Import an outage schedule (CSV, UTF-8, header
    settlement,street,houses,start,end,kind,reason).

    \b
    houses  e.g. «1-15,17,2-20 чётные»; empty: the whole street
    start, end  ISO local time, e.g. 2026-12-24T10:00
    kind  planned | emergency

    Rows with errors are listed and skipped; the others are stored. An outage already known
    (same place, start and kind) is not stored again, so a re-import notifies nobody twice.
    """
    from energobot.exchange.outage_file import read_outages

    settings = cli.settings
    text = file.read_text(encoding="utf-8-sig")
    found, errors = read_outages(text, settings.company.tz)
    for error in errors:
        click.echo(str(error), err=True)
    new, known = asyncio.run(_store_outages(settings, found, migrate=not no_migrate))
    bad_rows = len({error.row for error in errors})
    click.echo(f"{new} new outages, {known} already known, {bad_rows} rows with errors")
    if errors and not found:
        raise SystemExit(1)


async def _store_outages(settings: Settings, found: list[Any], *, migrate: bool) -> tuple[int, int]:
    from outbox.notices.keys import outage_key

    database = await open_database(settings, migrate=migrate)
    new = known = 0
    now = datetime.now(UTC)
    try:
        async with database.unit_of_work() as store:
            for outage in found:
                values = {
                    "settlement": outage.settlement,
                    "street": outage.street,
                    "houses": outage.houses,
                    "starts_at": outage.starts_at.astimezone(UTC),
                    "ends_at": outage.ends_at.astimezone(UTC),
                    "kind": outage.kind.value,
                    "reason": outage.reason,
                }
                key = outage_key(
                    outage.settlement, outage.street, outage.houses, outage.starts_at, outage.kind
                )
                _, created = await store.outages.add(key, values, now)
                new, known = (new + 1, known) if created else (new, known + 1)
            await store.commit()
    finally:
        await database.dispose()
    return new, known
