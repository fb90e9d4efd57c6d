"""Accounts, links and the counting of failed link attempts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from core.accounts import Account, Category
from core.conversations import Customer
from storage.database import Database


async def test_account_round_trip(db: Database, account_factory: Callable[..., Account]) -> None:
    full = account_factory(
        "59001234567",
        category=Category.RURAL,
        email="m@example.org",
        large_family=True,
        balance=Decimal("-150.05"),
        due_date=None,
        phone=None,
    )
    async with db.unit_of_work() as store:
        assert await store.accounts.upsert([full]) == (1, 0)
        await store.commit()
    async with db.unit_of_work() as store:
        assert await store.accounts.get("59001234567") == full
        assert await store.accounts.get("0000000000") is None


async def test_billings_penalty_round_trip(
    db: Database, account_factory: Callable[..., Account]
) -> None:
    given = account_factory("5900000001", penalty=Decimal("40.30"))
    absent = account_factory("5900000002")
    async with db.unit_of_work() as store:
        assert await store.accounts.upsert([given, absent]) == (2, 0)
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.accounts.get("5900000001")
        assert stored == given and stored is not None and str(stored.penalty) == "40.30"
        assert (await store.accounts.get("5900000002")) == absent and absent.penalty is None
        # A penalty that appears, one that goes: both are changes.
        assert await store.accounts.upsert(
            [
                account_factory("5900000001"),
                account_factory("5900000002", penalty=Decimal("0.00")),
            ]
        ) == (0, 2)
        await store.commit()
    async with db.unit_of_work() as store:
        first = await store.accounts.get("5900000001")
        second = await store.accounts.get("5900000002")
        assert first is not None and first.penalty is None
        assert second is not None and second.penalty == Decimal("0.00")


async def test_upsert_is_idempotent_and_reports_changes(
    db: Database, account_factory: Callable[..., Account]
) -> None:
    batch = [account_factory(f"59000000{i:02d}") for i in range(12)]
    async with db.unit_of_work() as store:
        assert await store.accounts.upsert(batch) == (12, 0)
        await store.commit()
    async with db.unit_of_work() as store:
        assert await store.accounts.upsert(batch) == (0, 0)
        changed = [
            account_factory("5900000003", balance=Decimal("0.00")),
            account_factory("5900000004", address="г. Пермь, ул. Мира, 5"),
            account_factory("5900000099"),
        ]
        assert await store.accounts.upsert(changed) == (1, 2)
        # The same value written with another scale is not a change.
        assert await store.accounts.upsert(
            [account_factory("5900000005", balance=Decimal("12345.670"))]
        ) == (0, 0)
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.accounts.get("5900000003")
        assert stored is not None and stored.balance == Decimal("0.00")
        stored = await store.accounts.get("5900000004")
        assert stored is not None and stored.address == "г. Пермь, ул. Мира, 5"


async def test_upsert_many_in_chunks(db: Database, account_factory: Callable[..., Account]) -> None:
    batch = [account_factory(f"59{i:08d}", balance=Decimal(i) / 100) for i in range(1203)]
    async with db.unit_of_work() as store:
        assert await store.accounts.upsert(batch) == (1203, 0)
        assert await store.accounts.upsert(batch) == (0, 0)
        # A repeated key counts once; the last one wins.
        twice = [
            account_factory("5900000007", surname="A"),
            account_factory("5900000007", surname="B"),
        ]
        assert await store.accounts.upsert(twice) == (0, 1)
        stored = await store.accounts.get("5900000007")
        assert stored is not None and stored.surname == "B"


async def test_by_phone(db: Database, account_factory: Callable[..., Account]) -> None:
    async with db.unit_of_work() as store:
        await store.accounts.upsert(
            [
                account_factory("5900000002", phone="+79120000001"),
                account_factory("5900000001", phone="+79120000001"),
                account_factory("5900000003", phone="+79990000000"),
            ]
        )
        found = await store.accounts.by_phone("+79120000001")
        assert [a.number for a in found] == ["5900000001", "5900000002"]
        assert await store.accounts.by_phone("+70000000000") == []


async def test_link_unlink_in_link_order(
    db: Database,
    customer: Customer,
    account_factory: Callable[..., Account],
    now: datetime,
) -> None:
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory("5900000001"), account_factory("5900000002")])
        await store.accounts.link(customer.id, "5900000002", "surname", now)
        await store.accounts.link(customer.id, "5900000001", "phone", now + timedelta(minutes=1))
        await store.accounts.link(customer.id, "5900000002", "phone", now + timedelta(minutes=2))
        await store.commit()
    async with db.unit_of_work() as store:
        linked = await store.accounts.linked(customer.id)
        assert [a.number for a in linked] == ["5900000002", "5900000001"]
        assert linked[0] == account_factory("5900000002")
        await store.accounts.unlink(customer.id, "5900000002")
        await store.accounts.unlink(customer.id, "5900000002")
        assert [a.number for a in await store.accounts.linked(customer.id)] == ["5900000001"]


async def test_link_attempt_windows(db: Database, customer: Customer, now: datetime) -> None:
    async with db.unit_of_work() as store:
        other = await store.customers.get_or_create("viber", "v1", "", "ru", now)
        attempts = [
            (customer.id, "5900000001", False, now - timedelta(hours=2)),
            (customer.id, "5900000001", False, now - timedelta(minutes=59)),
            (customer.id, "5900000001", True, now - timedelta(minutes=30)),
            (customer.id, "1111111111", False, now - timedelta(minutes=10)),  # no such account
            (other.id, "5900000001", False, now - timedelta(hours=23)),
            (other.id, "5900000001", False, now - timedelta(hours=25)),
        ]
        for customer_id, number, success, at in attempts:
            await store.link_attempts.add(customer_id, number, success, at)
        await store.commit()
    hour_ago = now - timedelta(hours=1)
    day_ago = now - timedelta(hours=24)
    async with db.unit_of_work() as store:
        assert await store.link_attempts.failures_by_customer(customer.id, hour_ago) == 2
        assert await store.link_attempts.failures_by_customer(customer.id, day_ago) == 3
        assert await store.link_attempts.failures_by_customer(other.id, hour_ago) == 0
        assert await store.link_attempts.failures_by_account("5900000001", hour_ago) == 1
        assert await store.link_attempts.failures_by_account("5900000001", day_ago) == 3
        assert await store.link_attempts.failures_by_account("1111111111", day_ago) == 1
        # The bound is inclusive: an attempt exactly at `since` counts.
        exactly = now - timedelta(minutes=59)
        assert await store.link_attempts.failures_by_account("5900000001", exactly) == 1
        after = exactly + timedelta(microseconds=1)
        assert await store.link_attempts.failures_by_account("5900000001", after) == 0


async def test_due_date_round_trip(db: Database, account_factory: Callable[..., Account]) -> None:
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory(due_date=date(2025, 12, 31))])
        stored = await store.accounts.get("5900123456")
    assert stored is not None and stored.due_date == date(2025, 12, 31)
