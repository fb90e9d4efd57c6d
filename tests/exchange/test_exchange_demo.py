"""The bundled demo data loads through the normal import and shows what it promises."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import energobot
from core.accounts import Account, Category
from core.meters import Meter, Scheme, VerificationState, verification_state
from core.tariffs import TariffRow
from energobot.exchange import load_demo
from storage.database import Database

DEMO_DIR = Path(energobot.__file__).parent / "demo"
LATE_2026 = (date(2026, 10, 1), date(2026, 11, 26), date(2026, 12, 31))


class Demo:
    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.meters: list[Meter] = []
        self.history: dict[str, list[str]] = {}
        self.tariffs: list[TariffRow] = []


@pytest.fixture
async def demo(database: Database) -> Demo:
    async with database.unit_of_work() as store:
        assert await load_demo(store) is True
        await store.commit()
    loaded = Demo()
    async with database.unit_of_work() as store:
        for number in await demo_account_numbers():
            account = await store.accounts.get(number)
            assert account is not None, number
            loaded.accounts.append(account)
            loaded.meters.extend(await store.meters.for_account(number))
            entries = await store.history.for_account(number, 24)
            loaded.history[number] = [entry.period for entry in entries]
        loaded.tariffs = await store.tariffs.all()
    return loaded


async def demo_account_numbers() -> list[str]:
    text = (DEMO_DIR / "accounts.csv").read_text(encoding="utf-8-sig")
    return [row["account"] for row in csv.DictReader(io.StringIO(text))]


async def test_loads_once(database: Database, demo: Demo) -> None:
    async with database.unit_of_work() as store:
        assert await load_demo(store) is False


def test_accounts_cover_categories_and_situations(demo: Demo) -> None:
    accounts = demo.accounts
    assert len(accounts) >= 22
    assert {a.category for a in accounts} == set(Category)
    assert all("Пермский край" in a.address for a in accounts)
    assert any("кв." in a.address for a in accounts)
    assert any("кв." not in a.address for a in accounts)  # houses, dachas
    assert sum(a.phone is not None for a in accounts) >= len(accounts) * 3 // 4
    assert any(a.balance > 0 and a.due_date and a.due_date < date(2026, 11, 1) for a in accounts)
    assert any(a.balance < 0 for a in accounts)
    assert any(a.balance == 0 for a in accounts)
    assert any(a.large_family for a in accounts)
    phones = Counter(a.phone for a in accounts if a.phone)
    assert max(phones.values()) == 2  # flat and dacha of one person


def test_meters_cover_schemes_and_verification_states(demo: Demo) -> None:
    meters = demo.meters
    category = {a.number: a.category for a in demo.accounts}
    assert {(category[m.account], m.scheme) for m in meters} == {
        (c, s) for c in Category for s in Scheme
    }
    assert sum(m.smart for m in meters) == 1
    for today in LATE_2026:
        states = Counter(verification_state(m.verification_due, today) for m in meters)
        assert states[VerificationState.EXPIRED] == 1, today
        assert states[VerificationState.SOON] == 1, today
    per_account = Counter(m.account for m in meters)
    assert sorted(per_account.values())[-1] == 2
    assert set(per_account) == {a.number for a in demo.accounts}
    for meter in meters:
        for register in meter.registers:
            assert register.last_value is not None
            assert register.last_value < 10**meter.digits
            assert register.last_date is not None
            assert date(2026, 10, 1) <= register.last_date <= date(2026, 11, 30)
            assert register.avg_monthly_kwh is not None and register.avg_monthly_kwh > 0


def test_history_runs_6_to_12_months_up_to_november_2026(demo: Demo) -> None:
    for number, periods in demo.history.items():
        assert 6 <= len(periods) <= 12, number
        assert periods[0] == "2026-11", number
        assert periods[-1] >= "2025-07", number


def test_tariffs_for_every_category_scheme_zone_range_and_both_periods(demo: Demo) -> None:
    rows = demo.tariffs
    assert len(rows) == 3 * 6 * 3 * 2
    keys = {(r.category, r.scheme, r.zone, r.range, r.valid_from, r.valid_to) for r in rows}
    assert len(keys) == len(rows)
    assert {(r.valid_from, r.valid_to) for r in rows} == {
        (date(2025, 7, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), None),
    }

    def price(category: str, scheme: str, zone: str, range_: int, year: int) -> Decimal:
        (row,) = [
            r
            for r in rows
            if (r.category, r.scheme, r.zone, r.range, r.valid_from.year)
            == (category, scheme, zone, range_, year)
        ]
        return row.price

    assert [price("urban_gas", "two_zone", "day", n, 2026) for n in (1, 2, 3)] == [
        Decimal("7.08"),
        Decimal("9.74"),
        Decimal("11.15"),
    ]
    assert [price("urban_gas", "two_zone", "night", n, 2026) for n in (1, 2, 3)] == [
        Decimal("4.26"),
        Decimal("7.22"),
        Decimal("8.27"),
    ]
    assert [price("urban_gas", "single", "all", n, 2026) for n in (1, 2, 3)] == [
        Decimal("6.56"),
        Decimal("9.02"),
        Decimal("10.32"),
    ]
    assert price("urban_gas", "three_zone", "peak", 1, 2026) > Decimal("7.08")
    for category in ("urban_electric", "rural"):
        assert price(category, "single", "all", 1, 2026) == Decimal("4.59")  # 0.7 x 6.56
        assert price(category, "two_zone", "night", 3, 2026) == Decimal("8.27")
    for row in rows:
        if row.valid_from.year == 2025:
            newer = price(row.category, row.scheme, row.zone, row.range, 2026)
            expected = (newer / Decimal("1.017")).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert row.price == expected, row
    rural_i = [r for r in rows if r.category == Category.RURAL and r.range == 1]
    assert {r.range_to_kwh for r in rural_i} == {Decimal(2000)}
    urban_ii = [r for r in rows if r.category == Category.URBAN_GAS and r.range == 2]
    assert {(r.range_from_kwh, r.range_to_kwh) for r in urban_ii} == {(1000, 6000)}


async def test_readme_describes_every_demo_account() -> None:
    readme = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    for number in await demo_account_numbers():
        assert f"| {number} |" in readme, number


async def test_a_database_with_real_accounts_gets_no_demo(database: Database) -> None:
    from tests.dialogs.conftest import account

    async with database.unit_of_work() as store:
        await store.accounts.upsert([account("7700000001", "Real")])
        await store.commit()
    async with database.unit_of_work() as store:
        assert await load_demo(store) is False
        assert await store.accounts.count() == 1
