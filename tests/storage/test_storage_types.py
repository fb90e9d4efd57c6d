"""Exact decimals and aware UTC datetimes, through a real database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from core.accounts import Account, Category
from core.meters import Scheme, Zone
from core.tariffs import TariffRow
from storage.database import Database
from storage.tables import audit
from storage.types import dumps_json

PERM = timezone(timedelta(hours=5))


def tariff(price: Decimal, range_from: Decimal = Decimal(0)) -> TariffRow:
    return TariffRow(
        category=Category.URBAN_GAS,
        scheme=Scheme.SINGLE,
        zone=Zone.ALL,
        range=1,
        range_from_kwh=range_from,
        range_to_kwh=None,
        price=price,
        valid_from=date(2025, 1, 1),
        valid_to=None,
    )


@pytest.mark.parametrize(
    "value",
    [
        Decimal("12345.67"),
        Decimal("0.1") + Decimal("0.2"),
        Decimal("0.30"),
        Decimal("-0.01"),
        Decimal("123456789012345.678901"),
        Decimal("1E-7"),
        Decimal(0),
    ],
)
async def test_decimals_come_back_exactly(
    db: Database, account_factory: Callable[..., Account], value: Decimal
) -> None:
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory(balance=value)])
        await store.tariffs.upsert([tariff(price=value, range_from=value)])
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.accounts.get("5900123456")
        (row,) = await store.tariffs.all()
    assert stored is not None
    for got in (stored.balance, row.price, row.range_from_kwh):
        assert isinstance(got, Decimal)
        assert got == value
        # Same digits and exponent: no float and no rescaling on the way.
        assert got.as_tuple() == value.as_tuple()


async def test_point_one_plus_point_two_is_point_three(
    db: Database, account_factory: Callable[..., Account]
) -> None:
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory(balance=Decimal("0.1") + Decimal("0.2"))])
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.accounts.get("5900123456")
    assert stored is not None
    assert str(stored.balance) == "0.3"
    assert stored.balance - Decimal("0.3") == 0


async def test_a_float_is_refused(db: Database, account_factory: Callable[..., Account]) -> None:
    async with db.unit_of_work() as store:
        with pytest.raises(StatementError) as caught:
            await store.accounts.upsert([account_factory(balance=0.1)])
    assert isinstance(caught.value.orig, TypeError)


async def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    local = datetime(2025, 3, 24, 23, 59, 58, 123456, tzinfo=PERM)
    async with db.unit_of_work() as store:
        await store.audit.record("system", "test", local, {"ключ": "значение"})
        await store.commit()
    async with db.unit_of_work() as store:
        result = await store.connection.execute(select(audit.c.at, audit.c.details))
        at, details = result.one()
    assert at == local
    assert at.tzinfo is UTC
    assert at == datetime(2025, 3, 24, 18, 59, 58, 123456, tzinfo=UTC)
    assert details == {"ключ": "значение"}


async def test_a_naive_datetime_is_refused(db: Database) -> None:
    async with db.unit_of_work() as store:
        with pytest.raises(StatementError) as caught:
            await store.audit.record("system", "test", datetime(2025, 3, 24, 12, 0))
    assert isinstance(caught.value.orig, ValueError)


async def test_comparisons_across_offsets(db: Database) -> None:
    """A bound datetime in another zone compares by instant, not by wall time."""
    async with db.unit_of_work() as store:
        for hour in (3, 4, 5):
            await store.audit.record("system", f"h{hour}", datetime(2025, 3, 24, hour, tzinfo=UTC))
        await store.commit()
    since = datetime(2025, 3, 24, 9, 0, tzinfo=PERM)  # 04:00 UTC
    async with db.unit_of_work() as store:
        result = await store.connection.execute(
            select(audit.c.action).where(audit.c.at >= since).order_by(audit.c.at)
        )
        assert result.scalars().all() == ["h4", "h5"]


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text() | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(_JSON_VALUES)
def test_json_is_written_as_the_standard_library_writes_it(value: object) -> None:
    """The fast writer's text is the standard library's: readable Cyrillic, compact, integer
    keys as strings, integers of any size — a float may be spelled otherwise (0.00001 for
    1e-05), the same number."""
    written = dumps_json(value)
    standard = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(written) == json.loads(standard)
    if not _has_float(value):
        assert written == standard


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    return False


def test_json_refuses_what_is_not_json() -> None:
    with pytest.raises(TypeError):
        dumps_json({"at": datetime.now(UTC)})
    with pytest.raises(TypeError):
        dumps_json({"amount": Decimal("1.5")})
