"""Submitted meter readings (every submission kept) and the billing history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, false, literal_column, null, or_, select, true, update

from core.balance import BillingBasis, HistoryEntry
from core.readings import Reading, ReadingKind, ReadingStatus
from storage.repos._base import Repo
from storage.tables import charges, payments, readings


class ReadingRepo(Repo):
    async def for_meter(
        self,
        account: str,
        serial: str,
        limit: int | None = None,
        *,
        counted_before: str | None = None,
    ) -> list[Reading]:
        def build() -> Any:
            query = (
                select(readings)
                .where(
                    readings.c.account_number == bindparam("account"),
                    readings.c.serial == bindparam("serial"),
                )
                .order_by(readings.c.submitted_at.desc(), readings.c.id.desc())
            )
            if counted_before is not None:
                counting = [s.value for s in ReadingStatus if s.counts]
                query = query.where(
                    or_(
                        readings.c.period >= bindparam("counted_before"),
                        *(readings.c.status == status for status in counting),
                    )
                )
            return query if limit is None else query.limit(bindparam("limit"))

        name = f"readings.for_meter.{limit is None}.{counted_before is None}"
        params: dict[str, object] = {"account": account, "serial": serial}
        if limit is not None:
            params["limit"] = limit
        if counted_before is not None:
            params["counted_before"] = counted_before
        return [_reading(row) for row in await self._rows(name, build, params)]

    async def add(self, reading: Reading) -> Reading:
        result = await self._conn.execute(
            readings.insert().values(**_reading_row(reading)).returning(readings.c.id)
        )
        return replace(reading, id=int(result.scalar_one()))

    async def add_all(self, new: Sequence[Reading]) -> None:
        """Readings of one submission (a meter's zones), in one statement."""
        await self._write_many("readings.add_all", readings.insert, [_reading_row(r) for r in new])

    async def set_status(self, reading_ids: Sequence[int], status: ReadingStatus) -> None:
        if not reading_ids:
            return
        statement = self._prepared(
            "readings.set_status",
            lambda: (
                update(readings)
                .where(readings.c.id.in_(bindparam("ids", expanding=True)))
                .values(status=bindparam("new_status"))
            ),
        )
        await self._conn.execute(
            statement, {"ids": list(reading_ids), "new_status": ReadingStatus(status).value}
        )

    async def export(self, period: str | None) -> list[Reading]:
        """Regular readings of a period (None: all periods), oldest first."""
        query = select(readings).where(readings.c.kind == ReadingKind.REGULAR.value)
        if period is not None:
            query = query.where(readings.c.period == period)
        result = await self._conn.execute(query.order_by(readings.c.submitted_at, readings.c.id))
        return [_reading(row) for row in result.mappings()]

    async def flagged(self) -> list[Reading]:
        """Readings waiting for an operator's check, oldest first."""
        result = await self._conn.execute(
            select(readings)
            .where(readings.c.status == ReadingStatus.FLAGGED.value)
            .order_by(readings.c.submitted_at, readings.c.id)
        )
        return [_reading(row) for row in result.mappings()]


class HistoryRepo(Repo):
    """HistoryEntry split in two: what was charged (with kWh) and what was paid."""

    async def for_account(self, number: str, limit: int) -> list[HistoryEntry]:
        """Newest period first; a period with only a charge or only a payment has 0 for the
        other side."""
        if limit <= 0:
            return []
        rows = await self._rows(
            "history.for_account", _history_statement, {"number": number, "limit": limit}
        )
        charge_by_period: dict[str, tuple[Decimal, Decimal, str | None]] = {}
        paid_by_period: dict[str, Decimal] = {}
        for row in rows:
            period, kwh, amount, basis, paid_side = row.values()
            if paid_side:
                paid_by_period[period] = amount
            else:
                charge_by_period[period] = (kwh, amount, basis)
        periods = sorted(charge_by_period.keys() | paid_by_period.keys(), reverse=True)[:limit]
        zero = Decimal(0)
        entries = []
        for period in periods:
            kwh, amount, basis = charge_by_period.get(period, (zero, zero, None))
            entries.append(
                HistoryEntry(
                    account=number,
                    period=period,
                    kwh=kwh,
                    charged=amount,
                    paid=paid_by_period.get(period, zero),
                    basis=None if basis is None else BillingBasis(basis),
                )
            )
        return entries

    async def upsert(self, entries: Sequence[HistoryEntry]) -> tuple[int, int]:
        """(inserted, updated) entries: an entry is inserted when either side of its period
        was missing, updated when either side changed."""
        latest = {(e.account, e.period): e for e in entries}
        charge_rows = [
            {
                "account_number": a,
                "period": p,
                "kwh": e.kwh,
                "amount": e.charged,
                "basis": None if e.basis is None else BillingBasis(e.basis).value,
            }
            for (a, p), e in latest.items()
        ]
        payment_rows = [
            {"account_number": a, "period": p, "amount": e.paid} for (a, p), e in latest.items()
        ]
        key = ("account_number", "period")
        new_charges, changed_charges = await self._sync_keyed(charges, key, charge_rows)
        new_payments, changed_payments = await self._sync_keyed(payments, key, payment_rows)
        inserted = new_charges | new_payments
        return len(inserted), len((changed_charges | changed_payments) - inserted)


def _reading(row: Any) -> Reading:
    return Reading(
        account=row["account_number"],
        serial=row["serial"],
        register=row["register"],
        value=row["value"],
        consumption_kwh=row["consumption_kwh"],
        period=row["period"],
        submitted_at=row["submitted_at"],
        channel=row["channel"],
        status=ReadingStatus(row["status"]),
        kind=ReadingKind(row["kind"]),
        customer_id=row["customer_id"],
        id=row["id"],
    )


def _reading_row(reading: Reading) -> dict[str, Any]:
    return {
        "account_number": reading.account,
        "serial": reading.serial,
        "register": reading.register,
        "value": reading.value,
        "consumption_kwh": reading.consumption_kwh,
        "period": reading.period,
        "submitted_at": reading.submitted_at,
        "channel": reading.channel,
        "status": ReadingStatus(reading.status).value,
        "kind": ReadingKind(reading.kind).value,
        "customer_id": reading.customer_id,
    }


def _history_statement() -> Any:
    """An account's charges and payments in one statement: each side newest first, at most
    `limit` periods of it."""
    charged = (
        select(
            charges.c.period,
            charges.c.kwh,
            charges.c.amount,
            charges.c.basis,
            false().label("paid_side"),
        )
        .where(charges.c.account_number == bindparam("number"))
        .order_by(charges.c.period.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    paid = (
        select(
            payments.c.period,
            literal_column("0").label("kwh"),
            payments.c.amount,
            null().label("basis"),
            true().label("paid_side"),
        )
        .where(payments.c.account_number == bindparam("number"))
        .order_by(payments.c.period.desc())
        .limit(bindparam("limit"))
        .subquery()
    )
    return select(charged).union_all(select(paid))
