"""export_readings: what billing receives, in CSV and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from core.readings import Reading, ReadingKind, ReadingStatus
from energobot.exchange import READING_COLUMNS, ExchangeError, export_readings, import_file
from storage.database import Database

DATA = Path(__file__).parent / "data"
PERM = timezone(timedelta(hours=5))


@pytest.fixture
async def with_readings(database: Database) -> Database:
    async with database.unit_of_work() as store:
        for kind in ("accounts", "meters"):
            assert (await import_file(store, kind, DATA / f"{kind}.csv")).ok
        for reading in (
            Reading(
                "5900100101", "011076120445", "T1", Decimal("23600.5"), Decimal("184.9"),
                "2026-11", datetime(2026, 11, 24, 15, 30, tzinfo=PERM), "telegram",
                ReadingStatus.ACCEPTED,
            ),
            Reading(
                "5900100101", "011076120445", "T2", Decimal("8.2E+3"), None,
                "2026-11", datetime(2026, 11, 24, 15, 30, tzinfo=PERM), "telegram",
                ReadingStatus.FLAGGED,
            ),
            Reading(
                "5900100102", "38217504", "T1", Decimal("0.5"), Decimal("126.2"),
                "2026-12", datetime(2026, 11, 26, 10, 15, tzinfo=UTC), "viber",
                ReadingStatus.REPLACED,
            ),
            Reading(  # a control value of a smart meter: not billing's
                "5900100102", "38217504", "T1", Decimal("1.0"), None,
                "2026-12", datetime(2026, 11, 26, 11, 0, tzinfo=UTC), "webchat",
                ReadingStatus.ACCEPTED, kind=ReadingKind.CONTROL,
            ),
        ):  # fmt: skip
            await store.readings.add(reading)
        await store.commit()
    return database


async def export(database: Database, period: str | None, fmt: str) -> tuple[int, str]:
    out = io.StringIO()
    async with database.unit_of_work() as store:
        count = await export_readings(store, period, fmt, out)
    return count, out.getvalue()


async def test_csv_export_of_every_period(with_readings: Database) -> None:
    count, text = await export(with_readings, None, "csv")
    assert count == 3
    assert text == (
        "account,serial,register,value,consumption_kwh,period,submitted_at,channel,status\n"
        "5900100101,011076120445,T1,23600.5,184.9,2026-11,2026-11-24T10:30:00+00:00,telegram,"
        "accepted\n"
        "5900100101,011076120445,T2,8200,,2026-11,2026-11-24T10:30:00+00:00,telegram,flagged\n"
        "5900100102,38217504,T1,0.5,126.2,2026-12,2026-11-26T10:15:00+00:00,viber,replaced\n"
    )
    # And it reads back as CSV with the documented columns.
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == READING_COLUMNS


async def test_jsonl_export_of_one_period(with_readings: Database) -> None:
    count, text = await export(with_readings, "2026-11", "jsonl")
    assert count == 2
    records = [json.loads(line) for line in text.splitlines()]
    assert records == [
        {
            "account": "5900100101",
            "serial": "011076120445",
            "register": "T1",
            "value": "23600.5",
            "consumption_kwh": "184.9",
            "period": "2026-11",
            "submitted_at": "2026-11-24T10:30:00+00:00",
            "channel": "telegram",
            "status": "accepted",
        },
        {
            "account": "5900100101",
            "serial": "011076120445",
            "register": "T2",
            "value": "8200",
            "consumption_kwh": None,
            "period": "2026-11",
            "submitted_at": "2026-11-24T10:30:00+00:00",
            "channel": "telegram",
            "status": "flagged",
        },
    ]


async def test_empty_period_gives_header_only_or_nothing(with_readings: Database) -> None:
    assert await export(with_readings, "2025-01", "csv") == (
        0,
        ",".join(READING_COLUMNS) + "\n",
    )
    assert await export(with_readings, "2025-01", "jsonl") == (0, "")


async def test_bad_period_and_format_are_refused(with_readings: Database) -> None:
    with pytest.raises(ExchangeError, match="not a period"):
        await export(with_readings, "2026-13", "csv")
    with pytest.raises(ExchangeError, match="unknown format"):
        await export(with_readings, None, "xlsx")


@pytest.mark.parametrize(
    ("value", "written"),
    [("150.0", "150"), ("12000.50", "12000.5"), ("1E+3", "1000"), ("0.00", "0"), ("79.5", "79.5")],
)
def test_numbers_are_written_the_same_whatever_scale_billing_used(value: str, written: str) -> None:
    from energobot.exchange.exporter import _plain

    assert _plain(Decimal(value)) == written
