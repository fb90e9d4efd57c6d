"""Meters with registers, readings, monthly history and tariffs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from core.accounts import Account, Category
from core.balance import BillingBasis, HistoryEntry
from core.conversations import Customer
from core.meters import Meter, Register, Scheme, Zone
from core.readings import Reading, ReadingKind, ReadingStatus
from core.tariffs import TariffRow
from storage.database import Database


def _register(name: str, value: str | None, avg: str | None = "150.5") -> Register:
    return Register(
        name=name,
        last_value=None if value is None else Decimal(value),
        last_date=date(2025, 2, 25) if value is not None else None,
        avg_monthly_kwh=None if avg is None else Decimal(avg),
    )


def _meter(serial: str, scheme: Scheme, *registers: Register, account: str = "5900123456") -> Meter:
    return Meter(
        account=account,
        serial=serial,
        scheme=scheme,
        digits=5,
        smart=False,
        verification_due=date(2031, 6, 1),
        registers=registers,
    )


def _without_ids(meter: Meter) -> Meter:
    return replace(meter, id=None, registers=tuple(replace(r, id=None) for r in meter.registers))


async def test_meters_with_registers(db: Database, account: Account) -> None:
    three = _meter(
        "B-7",
        Scheme.THREE_ZONE,
        _register("T3", "300.25"),
        _register("T1", "12345.67"),
        _register("T2", "0.1"),
    )
    single = _meter("A-1", Scheme.SINGLE, _register("T1", None, avg=None))
    async with db.unit_of_work() as store:
        assert await store.meters.upsert([three, single]) == (2, 0)
        await store.commit()
    async with db.unit_of_work() as store:
        meters = await store.meters.for_account(account.number)
        assert await store.meters.for_account("0000000000") == []
    assert [m.serial for m in meters] == ["A-1", "B-7"]
    assert all(m.id is not None and all(r.id is not None for r in m.registers) for m in meters)
    assert _without_ids(meters[0]) == single
    assert [r.name for r in meters[1].registers] == ["T1", "T2", "T3"]
    assert meters[1].register("T1").last_value == Decimal("12345.67")
    assert meters[1].register("T2").last_value == Decimal("0.1")
    assert meters[1].zone_of("T3") is Zone.SEMIPEAK


async def test_meter_upsert_is_idempotent_and_follows_register_changes(
    db: Database, account: Account
) -> None:
    two = _meter("M1", Scheme.TWO_ZONE, _register("T1", "100"), _register("T2", "50"))
    other = _meter("M2", Scheme.SINGLE, _register("T1", "7"))
    async with db.unit_of_work() as store:
        assert await store.meters.upsert([two, other]) == (2, 0)
        assert await store.meters.upsert([two, other]) == (0, 0)
        before = {m.serial: m for m in await store.meters.for_account(account.number)}
        # Billing's new values; and M1 switched to single-rate: T2 disappears.
        newer = replace(other, registers=(_register("T1", "9.5"),))
        switched = _meter("M1", Scheme.SINGLE, _register("T1", "160"))
        assert await store.meters.upsert([switched, newer]) == (0, 2)
        assert await store.meters.upsert([switched, newer]) == (0, 0)
        after = {m.serial: m for m in await store.meters.for_account(account.number)}
        await store.commit()
    assert _without_ids(after["M1"]) == switched
    assert _without_ids(after["M2"]) == newer
    # Updated in place: same rows.
    assert after["M1"].id == before["M1"].id
    assert after["M2"].registers[0].id == before["M2"].registers[0].id


async def test_a_meter_keeps_billing_s_note_on_where_it_hangs(
    db: Database, account: Account
) -> None:
    garage = replace(_meter("G-1", Scheme.SINGLE, _register("T1", "6120")), location="гараж")
    async with db.unit_of_work() as store:
        assert await store.meters.upsert([garage]) == (1, 0)
        moved = replace(garage, location="баня")
        assert await store.meters.upsert([moved]) == (0, 1)  # the note alone is a change
        [stored] = await store.meters.for_account(account.number)
        await store.commit()
    assert stored.location == "баня"
    assert _without_ids(stored) == moved


def _reading(
    at: datetime,
    value: str,
    *,
    register: str = "T1",
    period: str = "2025-03",
    status: ReadingStatus = ReadingStatus.ACCEPTED,
    kind: ReadingKind = ReadingKind.REGULAR,
    customer_id: int | None = None,
    serial: str = "M1",
) -> Reading:
    return Reading(
        account="5900123456",
        serial=serial,
        register=register,
        value=Decimal(value),
        consumption_kwh=Decimal("150.6") if value != "1" else None,
        period=period,
        submitted_at=at,
        channel="telegram",
        status=status,
        kind=kind,
        customer_id=customer_id,
    )


async def test_readings(db: Database, account: Account, customer: Customer, now: datetime) -> None:
    async with db.unit_of_work() as store:
        first = await store.readings.add(_reading(now, "12345.6", customer_id=customer.id))
        correction = await store.readings.add(_reading(now + timedelta(hours=1), "12346.6"))
        await store.readings.set_status([first.id or 0], ReadingStatus.REPLACED)
        night = await store.readings.add(
            _reading(now + timedelta(hours=1), "1", register="T2", status=ReadingStatus.FLAGGED)
        )
        control = await store.readings.add(
            _reading(now + timedelta(hours=2), "500", kind=ReadingKind.CONTROL)
        )
        earlier = await store.readings.add(
            _reading(now - timedelta(days=30), "12000", period="2025-02")
        )
        elsewhere = await store.readings.add(_reading(now, "3", serial="M9"))
        await store.commit()
    assert first.id is not None and first == replace(
        _reading(now, "12345.6", customer_id=customer.id), id=first.id
    )
    async with db.unit_of_work() as store:
        history = await store.readings.for_meter(account.number, "M1")
        assert [r.id for r in history] == [
            control.id,
            night.id,
            correction.id,
            first.id,
            earlier.id,
        ]
        assert history[3].status is ReadingStatus.REPLACED
        assert history[3].customer_id == customer.id
        assert history[1].consumption_kwh is None
        assert [r.id for r in await store.readings.for_meter(account.number, "M1", limit=2)] == [
            control.id,
            night.id,
        ]
        march = await store.readings.export("2025-03")
        assert [r.id for r in march] == [first.id, elsewhere.id, correction.id, night.id]
        everything = await store.readings.export(None)
        assert [r.id for r in everything] == [
            earlier.id,
            first.id,
            elsewhere.id,
            correction.id,
            night.id,
        ]
        assert await store.readings.export("2024-01") == []
        assert [r.id for r in await store.readings.flagged()] == [night.id]
        await store.readings.set_status([night.id or 0], ReadingStatus.ACCEPTED)
        await store.readings.set_status([], ReadingStatus.ACCEPTED)
        assert await store.readings.flagged() == []


async def test_history(
    db: Database, account: Account, account_factory: Callable[..., Account]
) -> None:
    entries = [
        HistoryEntry(
            account.number,
            f"2024-{month:02d}",
            Decimal("150.5"),
            Decimal(month) + Decimal("0.1"),
            Decimal("0.2"),
        )
        for month in range(1, 13)
    ]
    async with db.unit_of_work() as store:
        await store.accounts.upsert([account_factory("5900000002")])
        assert await store.history.upsert(entries) == (12, 0)
        assert await store.history.upsert(entries) == (0, 0)
        changed = [
            replace(entries[0], paid=Decimal("0.20")),  # the same amount: not a change
            replace(entries[1], paid=Decimal("2.5")),
            replace(entries[2], kwh=Decimal("151")),
            HistoryEntry("5900000002", "2024-12", Decimal(0), Decimal(0), Decimal("99.99")),
        ]
        assert await store.history.upsert(changed) == (1, 2)
        await store.commit()
    async with db.unit_of_work() as store:
        latest = await store.history.for_account(account.number, 6)
        assert [e.period for e in latest] == [
            "2024-12",
            "2024-11",
            "2024-10",
            "2024-09",
            "2024-08",
            "2024-07",
        ]
        assert latest[0] == entries[11]
        assert latest[0].charged == Decimal("12.1")
        everything = await store.history.for_account(account.number, 100)
        assert len(everything) == 12
        assert everything[-2].paid == Decimal("2.5")
        assert everything[-3].kwh == Decimal("151")
        assert await store.history.for_account("5900000002", 6) == [changed[3]]
        assert await store.history.for_account(account.number, 0) == []


async def test_history_keeps_how_a_month_was_billed(db: Database, account: Account) -> None:
    entries = [
        HistoryEntry(
            account.number,
            "2026-09",
            Decimal(200),
            Decimal("1312.00"),
            Decimal(0),
            BillingBasis.READING,
        ),
        HistoryEntry(
            account.number,
            "2026-10",
            Decimal(213),
            Decimal("1397.28"),
            Decimal(0),
            BillingBasis.AVERAGE,
        ),
        HistoryEntry(
            account.number,
            "2026-11",
            Decimal(130),
            Decimal("852.80"),
            Decimal(0),
            BillingBasis.NORM,
        ),
        HistoryEntry(account.number, "2026-12", Decimal(250), Decimal("1640.00"), Decimal(0)),
    ]
    async with db.unit_of_work() as store:
        assert await store.history.upsert(entries) == (4, 0)
        await store.commit()
    async with db.unit_of_work() as store:
        assert await store.history.for_account(account.number, 12) == entries[::-1]
        # Billing saying it now (or no longer) is an update of that month.
        assert await store.history.upsert(
            [replace(entries[3], basis=BillingBasis.READING), replace(entries[0], basis=None)]
        ) == (0, 2)
        await store.commit()
    async with db.unit_of_work() as store:
        stored = await store.history.for_account(account.number, 12)
        assert [e.basis for e in stored] == [
            BillingBasis.READING,
            BillingBasis.NORM,
            BillingBasis.AVERAGE,
            None,
        ]


def _tariff(zone: Zone, range_: int, price: str, valid_from: date, **changes: object) -> TariffRow:
    row = TariffRow(
        category=Category.URBAN_GAS,
        scheme=Scheme.TWO_ZONE,
        zone=zone,
        range=range_,
        range_from_kwh=Decimal(0) if range_ == 1 else Decimal(3900),
        range_to_kwh=Decimal(3900) if range_ == 1 else None,
        price=Decimal(price),
        valid_from=valid_from,
        valid_to=None,
    )
    return replace(row, **changes)  # type: ignore[arg-type]


async def test_tariffs(db: Database) -> None:
    jan, jul = date(2025, 1, 1), date(2025, 7, 1)
    rows = [
        _tariff(Zone.NIGHT, 1, "4.26", jan, valid_to=date(2025, 6, 30)),
        _tariff(Zone.DAY, 1, "7.08", jan, valid_to=date(2025, 6, 30)),
        _tariff(Zone.DAY, 2, "9.9612", jan, valid_to=date(2025, 6, 30)),
        _tariff(Zone.DAY, 1, "8.15", jul),
        _tariff(Zone.ALL, 1, "6.58", jan, scheme=Scheme.SINGLE, category=Category.RURAL),
    ]
    async with db.unit_of_work() as store:
        assert await store.tariffs.upsert(rows) == (5, 0)
        assert await store.tariffs.upsert(rows) == (0, 0)
        corrected = replace(rows[3], price=Decimal("8.16"), valid_to=date(2025, 12, 31))
        assert await store.tariffs.upsert([corrected]) == (0, 1)
        stored = await store.tariffs.all()
        await store.commit()
    assert sorted(stored, key=repr) == sorted([*rows[:3], corrected, rows[4]], key=repr)
    # Ordered by category, scheme, valid_from, zone, range.
    assert [(r.category, r.valid_from, r.zone, r.range) for r in stored] == [
        (Category.RURAL, jan, Zone.ALL, 1),
        (Category.URBAN_GAS, jan, Zone.DAY, 1),
        (Category.URBAN_GAS, jan, Zone.DAY, 2),
        (Category.URBAN_GAS, jan, Zone.NIGHT, 1),
        (Category.URBAN_GAS, jul, Zone.DAY, 1),
    ]
    assert stored[2].price == Decimal("9.9612") and stored[2].range_to_kwh is None


async def test_a_meters_readings_without_earlier_periods_replaced_ones(
    db: Database, account: Account, now: datetime
) -> None:
    """counted_before: this period's readings whatever their status, earlier ones that count."""
    async with db.unit_of_work() as store:
        old_replaced = await store.readings.add(
            _reading(now - timedelta(days=31), "12000", period="2025-02")
        )
        await store.readings.set_status([old_replaced.id or 0], ReadingStatus.REPLACED)
        old_counted = await store.readings.add(
            _reading(now - timedelta(days=30), "12010", period="2025-02")
        )
        old_rejected = await store.readings.add(
            _reading(now - timedelta(days=29), "12020", period="2025-02")
        )
        await store.readings.set_status([old_rejected.id or 0], ReadingStatus.REJECTED)
        replaced = await store.readings.add(_reading(now, "12345.6"))
        await store.readings.set_status([replaced.id or 0], ReadingStatus.REPLACED)
        current = await store.readings.add(_reading(now + timedelta(hours=1), "12346.6"))
        await store.commit()
    async with db.unit_of_work() as store:
        kept = await store.readings.for_meter(account.number, "M1", counted_before="2025-03")
        assert [r.id for r in kept] == [current.id, replaced.id, old_counted.id]
        every = await store.readings.for_meter(account.number, "M1")
        assert len(every) == 5


async def test_a_meters_readings_read_locked_wait_for_another_submission(
    database_url: str, account: Account, now: datetime
) -> None:
    """Two processes reading one meter's readings under its lock (to check, then store a
    reading): the second waits until the first has stored its reading, and then sees it."""
    import asyncio

    first, second = Database(database_url), Database(database_url)
    first_holds = asyncio.Event()
    try:
        async with first.unit_of_work() as store:
            await store.meters.upsert([_meter("M1", Scheme.SINGLE, _register("T1", None))])
            await store.commit()

        async def submit_first() -> None:
            async with first.unit_of_work() as store:
                await store.meters.lock(account.number, "M1")
                assert await store.readings.for_meter(account.number, "M1") == []
                first_holds.set()
                await asyncio.sleep(0.3)
                await store.readings.add_all([_reading(now, "12400")])
                await store.commit()

        async def submit_second() -> list[Reading]:
            await first_holds.wait()
            async with second.unit_of_work() as store:
                # Lock, then read: a statement that did both would read from the moment it began.
                await store.meters.lock(account.number, "M1")
                return await store.readings.for_meter(account.number, "M1")

        _, seen = await asyncio.gather(submit_first(), submit_second())
    finally:
        await first.dispose()
        await second.dispose()
    assert [r.value for r in seen] == [Decimal("12400")]
