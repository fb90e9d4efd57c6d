"""The bundled demo data (energobot/demo/*.csv) read straight from the files, for core tests."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import energobot
from core.accounts import Category
from core.balance import BillingBasis, HistoryEntry
from core.meters import Scheme, Zone
from core.tariffs import TariffRow

DEMO = Path(energobot.__file__).parent / "demo"


def _rows(name: str) -> list[dict[str, str]]:
    with (DEMO / name).open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def account(number: str) -> tuple[Decimal, date | None, Category]:
    """Balance, due date and category of a demo account."""
    (row,) = [r for r in _rows("accounts.csv") if r["account"] == number]
    return Decimal(row["balance"]), _day(row["due_date"]), Category(row["category"])


def history(number: str) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            r["account"],
            r["period"],
            Decimal(r["kwh"]),
            Decimal(r["charged"]),
            Decimal(r["paid"]),
            BillingBasis(r["basis"]) if r.get("basis") else None,
        )
        for r in _rows("history.csv")
        if r["account"] == number
    ]


def tariffs() -> list[TariffRow]:
    return [
        TariffRow(
            Category(r["category"]),
            Scheme(r["scheme"]),
            Zone(r["zone"]),
            int(r["range"]),
            Decimal(r["range_from_kwh"]),
            Decimal(r["range_to_kwh"]) if r["range_to_kwh"] else None,
            Decimal(r["price"]),
            date.fromisoformat(r["valid_from"]),
            _day(r["valid_to"]),
        )
        for r in _rows("tariffs.csv")
    ]
