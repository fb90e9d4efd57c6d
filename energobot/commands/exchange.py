"""`energobot import`, `energobot export` and `energobot demo`: file exchange with billing."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO

import click

from energobot.exchange import (
    ExchangeError,
    ImportReport,
    Kind,
    export_readings,
    import_file,
    load_demo,
    resolve_format,
)
from energobot.exchange.payments import export_payments
from energobot.runtime import CliContext, open_database, pass_cli
from energobot.settings import Settings

_FORMATS = click.Choice(["csv", "jsonl"], case_sensitive=False)
_NO_MIGRATE = click.option(
    "--no-migrate",
    is_flag=True,
    help="Do not bring the database schema up to date first.",
)


@click.command("import")
@click.argument("kind", type=click.Choice([kind.value for kind in Kind]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=_FORMATS,
    help="File format; by default taken from the extension (.csv, .jsonl, .ndjson).",
)
@_NO_MIGRATE
@pass_cli
def import_(cli: CliContext, kind: str, file: Path, fmt: str | None, no_migrate: bool) -> None:
    """Import a billing FILE of KIND: accounts, meters, history or tariffs.

    \b
    CSV (header row, UTF-8, comma, dot decimals) or JSON Lines with the same fields:
      accounts  account,surname,first_name,patronymic,address,category,phone,email,
                large_family,balance,due_date
      meters    account,serial,scheme,digits,smart,verification_due,register,
                last_value,last_date,avg_monthly_kwh   (one row per register)
      history   account,period,kwh,charged,paid
      tariffs   category,scheme,zone,range,range_from_kwh,range_to_kwh,price,
                valid_from,valid_to

    Every row is checked first. If any row is wrong, the errors are listed (row number and
    field) and nothing is imported. Existing records are updated, so importing the same file
    again changes nothing. Import accounts before the meters and history that refer to them.
    """
    try:
        resolve_format(file, fmt)  # before touching the database
    except ExchangeError as exc:
        raise click.UsageError(str(exc)) from None
    report = asyncio.run(_import(cli.settings, kind, file, fmt, migrate=not no_migrate))
    if report.errors:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(
            f"{file}: {len(report.errors)} error(s) in {report.rows} row(s); nothing imported.",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"{report.kind}: {report.rows} row(s) read, {report.inserted} inserted, "
        f"{report.updated} updated."
    )
    if report.in_billing:
        click.echo(f"{report.in_billing} online payment(s) now in billing.")


async def _import(
    settings: Settings, kind: str, file: Path, fmt: str | None, *, migrate: bool
) -> ImportReport:
    database = await open_database(settings, migrate=migrate)
    try:
        async with database.unit_of_work() as store:
            report = await import_file(store, kind, file, fmt, settings.company.tz)
            if not report.errors:
                await store.commit()
            return report
    finally:
        await database.dispose()


def _period(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"not a period (YYYY-MM): {value!r}")
    return value


def _since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


@click.command("export")
@click.argument("kind", type=click.Choice(["readings", "payments"]))
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--period", metavar="YYYY-MM", callback=_period, help="Only readings of this billing period."
)
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    callback=_since,
    help=(
        "Only payments the bot learned of on this day or later (the company's time zone): "
        "a late notification's payment is in the next run, whatever its paid_at."
    ),
)
@click.option(
    "--format",
    "fmt",
    type=_FORMATS,
    help="Output format; by default from the --output extension, else csv.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@_NO_MIGRATE
@pass_cli
def export(
    cli: CliContext,
    kind: str,
    file: Path | None,
    period: str | None,
    since: date | None,
    fmt: str | None,
    output: Path | None,
    no_migrate: bool,
) -> None:
    """Export what customers submitted or paid, for billing (KIND: readings, payments), to
    FILE (or --output; else standard output).

    \b
    readings: account,serial,register,value,consumption_kwh,period,submitted_at,
              channel,status
    payments: account,amount,currency,paid_at,provider,provider_id,payment_id,
              method,status

    submitted_at and paid_at are ISO 8601 in UTC; consumption_kwh is empty when unknown;
    a reading's status is accepted, flagged (an operator should check it) or replaced
    (corrected later in the same period). Control readings of smart meters are not exported.
    Payments are the online ones that succeeded (status succeeded, or in_billing once an
    imported history shows them).
    """
    if kind == "payments" and period is not None:
        raise click.UsageError("--period is for readings; payments take --since")
    if kind == "readings" and since is not None:
        raise click.UsageError("--since is for payments; readings take --period")
    if file is not None and output is not None:
        raise click.UsageError("give the file once: FILE or --output")
    output = output or file
    by_extension = output is not None and output.suffix.lower() in (".jsonl", ".ndjson")
    chosen = fmt or ("jsonl" if by_extension else "csv")
    # Built in memory first: a failed export leaves no half-written file behind.
    buffer = io.StringIO()
    if kind == "payments":
        run = _export_payments(cli.settings, since, chosen, buffer, migrate=not no_migrate)
    else:
        run = _export(cli.settings, period, chosen, buffer, migrate=not no_migrate)
    count = asyncio.run(run)
    if output is None:
        click.echo(buffer.getvalue(), nl=False)
        return
    _write_private(output, buffer.getvalue())
    noun = "payment" if kind == "payments" else "reading"
    click.echo(f"{count} {noun}(s) written to {output}.", err=True)


def _write_private(path: Path, text: str) -> None:
    """Account numbers and readings are personal data: the file is readable by its owner only
    (0600), also when it already existed with wider rights."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
        file.write(text)


async def _export(
    settings: Settings, period: str | None, fmt: str, out: TextIO, *, migrate: bool
) -> int:
    database = await open_database(settings, migrate=migrate)
    try:
        async with database.unit_of_work() as store:
            return await export_readings(store, period, fmt, out)
    finally:
        await database.dispose()


async def _export_payments(
    settings: Settings, since: date | None, fmt: str, out: TextIO, *, migrate: bool
) -> int:
    start = None
    if since is not None:
        start = datetime.combine(since, time(0), tzinfo=settings.company.tz)
    database = await open_database(settings, migrate=migrate)
    try:
        async with database.unit_of_work() as store:
            return await export_payments(store, start, fmt, out)
    finally:
        await database.dispose()


@click.command("demo")
@_NO_MIGRATE
@pass_cli
def demo(cli: CliContext, no_migrate: bool) -> None:
    """Load the demo data: Perm Krai accounts, their meters and history, and tariffs.

    Does nothing if the database has accounts already (demo or real). The accounts are described
    in energobot/demo/README.md.
    """
    if asyncio.run(_demo(cli.settings, migrate=not no_migrate)):
        click.echo("Demo data loaded: accounts, meters, history and tariffs.")
    else:
        click.echo("The database already has accounts; the demo data was not loaded.")


async def _demo(settings: Settings, *, migrate: bool) -> bool:
    database = await open_database(settings, migrate=migrate)
    try:
        async with database.unit_of_work() as store:
            loaded = await load_demo(store)
            if loaded:
                await store.commit()
            return loaded
    finally:
        await database.dispose()
