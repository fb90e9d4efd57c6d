"""Exporting what customers submitted, for billing."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC
from decimal import Decimal
from typing import TextIO

from core.ports import Store
from core.readings import Reading
from energobot.exchange.errors import ExchangeError
from energobot.exchange.readers import Format, resolve_format

READING_COLUMNS = (
    "account",
    "serial",
    "register",
    "value",
    "consumption_kwh",
    "period",
    "submitted_at",
    "channel",
    "status",
)

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])", re.ASCII)


def _plain(value: Decimal) -> str:
    """Plain digits, no exponent, no trailing zeros: «90», «79.5», whatever scale billing used."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def reading_record(reading: Reading) -> dict[str, str | None]:
    """One reading as billing reads it; None where the value is unknown."""
    submitted = reading.submitted_at  # always aware: storage returns UTC
    return {
        "account": reading.account,
        "serial": reading.serial,
        "register": reading.register,
        "value": _plain(reading.value),
        "consumption_kwh": None
        if reading.consumption_kwh is None
        else _plain(reading.consumption_kwh),
        "period": reading.period,
        "submitted_at": submitted.astimezone(UTC).isoformat(timespec="seconds"),
        "channel": reading.channel,
        "status": str(reading.status),
    }


async def export_readings(store: Store, period: str | None, fmt: str, out: TextIO) -> int:
    """Write regular readings (of one period, or all) oldest first; returns how many.

    CSV gets a header row and empty cells for unknown values; JSON Lines gets one object per
    reading with string values and null for unknown ones.
    """
    if period is not None and not _PERIOD.fullmatch(period):
        raise ExchangeError(f"not a period (YYYY-MM): {period!r}")
    resolved = resolve_format(None, fmt)
    readings = await store.readings.export(period)
    records = [reading_record(reading) for reading in readings]
    if resolved is Format.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(READING_COLUMNS)
        for record in records:
            writer.writerow(
                ["" if record[name] is None else record[name] for name in READING_COLUMNS]
            )
    else:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)
