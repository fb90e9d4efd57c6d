"""Meters and their registers, as billing exports them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, tuple_, update

from core.meters import Meter, Register, Scheme
from storage.repos._base import CHUNK, Repo
from storage.tables import meters as meter_table
from storage.tables import registers

_METER_FIELDS = ("scheme", "digits", "smart", "verification_due", "location")
_REGISTER_FIELDS = ("last_value", "last_date", "avg_monthly_kwh")
_REGISTER_COLUMNS = ("id", "name", *_REGISTER_FIELDS)


class MeterRepo(Repo):
    async def for_account(self, number: str) -> list[Meter]:
        # One statement: each meter joined with its registers, in name order.
        result = await self._rows(
            "meters.for_account",
            lambda: (
                select(
                    meter_table,
                    *(registers.c[name].label(f"register_{name}") for name in _REGISTER_COLUMNS),
                )
                .outerjoin(registers, registers.c.meter_id == meter_table.c.id)
                .where(meter_table.c.account_number == bindparam("number"))
                .order_by(meter_table.c.serial, meter_table.c.id, registers.c.name)
            ),
            {"number": number},
        )
        rows: dict[int, dict[str, Any]] = {}
        by_meter: dict[int, list[Register]] = defaultdict(list)
        for row in result:
            rows.setdefault(row["id"], row)
            if row["register_id"] is not None:
                by_meter[row["id"]].append(
                    Register(**{name: row[f"register_{name}"] for name in _REGISTER_COLUMNS})
                )
        return [_meter(row, by_meter[meter_id]) for meter_id, row in rows.items()]

    async def lock(self, account: str, serial: str) -> None:
        # FOR UPDATE on PostgreSQL; SQLite's single writer already serialises transactions.
        if self._conn.dialect.name == "sqlite":
            return
        await self._rows(
            "meters.lock",
            lambda: (
                select(meter_table.c.id)
                .where(
                    meter_table.c.account_number == bindparam("account"),
                    meter_table.c.serial == bindparam("serial"),
                )
                .with_for_update()
            ),
            {"account": account, "serial": serial},
        )

    async def upsert(self, meters: Sequence[Meter]) -> tuple[int, int]:
        """Insert or update by (account, serial); registers by name, and registers the new
        data no longer has are removed (a meter switched from two zones to one loses T2).
        Returns (inserted, updated) meters; a meter whose only change is in a register counts
        as updated, an identical one as neither."""
        latest = {(m.account, m.serial): m for m in meters}
        pairs = list(latest.items())
        inserted = updated = 0
        for start in range(0, len(pairs), CHUNK):
            chunk = dict(pairs[start : start + CHUNK])
            stored = await self._conn.execute(
                select(meter_table).where(
                    tuple_(meter_table.c.account_number, meter_table.c.serial).in_(list(chunk))
                )
            )
            existing = {
                (row["account_number"], row["serial"]): dict(row) for row in stored.mappings()
            }
            stored_registers = await self._registers([row["id"] for row in existing.values()])
            new_meters = [m for key, m in chunk.items() if key not in existing]
            if new_meters:
                result = await self._conn.execute(
                    meter_table.insert().returning(meter_table.c.id, sort_by_parameter_order=True),
                    [_meter_row(m) for m in new_meters],
                )
                ids = list(result.scalars())
                rows = [
                    {"meter_id": meter_id, **_register_row(register)}
                    for meter_id, meter in zip(ids, new_meters, strict=True)
                    for register in meter.registers
                ]
                if rows:
                    await self._conn.execute(registers.insert(), rows)
                inserted += len(new_meters)
            for key, meter in chunk.items():
                old = existing.get(key)
                if old is None:
                    continue
                changed = await self._update_meter(old, meter, stored_registers.get(old["id"], []))
                updated += changed
        return inserted, updated

    async def _update_meter(
        self, old: dict[str, Any], meter: Meter, old_registers: list[Register]
    ) -> bool:
        changed = False
        row = _meter_row(meter)
        if any(old[name] != row[name] for name in _METER_FIELDS):
            await self._conn.execute(
                update(meter_table)
                .where(meter_table.c.id == old["id"])
                .values({name: row[name] for name in _METER_FIELDS})
            )
            changed = True
        before = {register.name: register for register in old_registers}
        after = {register.name: register for register in meter.registers}
        new_rows = [
            {"meter_id": old["id"], **_register_row(r)}
            for name, r in after.items()
            if name not in before
        ]
        if new_rows:
            await self._conn.execute(registers.insert(), new_rows)
        updates = [
            {"_pk": before[name].id, **_register_row(r)}
            for name, r in after.items()
            if name in before and _register_row(before[name]) != _register_row(r)
        ]
        if updates:
            await self._conn.execute(
                update(registers).where(registers.c.id == bindparam("_pk")), updates
            )
        gone = [before[name].id for name in before if name not in after]
        if gone:
            await self._conn.execute(delete(registers).where(registers.c.id.in_(gone)))
        return changed or bool(new_rows or updates or gone)

    async def _registers(self, meter_ids: list[int]) -> dict[int, list[Register]]:
        by_meter: dict[int, list[Register]] = defaultdict(list)
        if not meter_ids:
            return by_meter
        result = await self._conn.execute(
            select(registers)
            .where(registers.c.meter_id.in_(meter_ids))
            .order_by(registers.c.meter_id, registers.c.name)
        )
        for row in result.mappings():
            by_meter[row["meter_id"]].append(
                Register(
                    name=row["name"],
                    last_value=row["last_value"],
                    last_date=row["last_date"],
                    avg_monthly_kwh=row["avg_monthly_kwh"],
                    id=row["id"],
                )
            )
        return by_meter


def _meter(row: dict[str, Any], meter_registers: list[Register]) -> Meter:
    return Meter(
        account=row["account_number"],
        serial=row["serial"],
        scheme=Scheme(row["scheme"]),
        digits=row["digits"],
        smart=row["smart"],
        verification_due=row["verification_due"],
        registers=tuple(meter_registers),
        id=row["id"],
        location=row["location"] or "",
    )


def _meter_row(meter: Meter) -> dict[str, Any]:
    return {
        "account_number": meter.account,
        "serial": meter.serial,
        "scheme": Scheme(meter.scheme).value,
        "digits": meter.digits,
        "smart": meter.smart,
        "verification_due": meter.verification_due,
        "location": meter.location or None,
    }


def _register_row(register: Register) -> dict[str, Any]:
    return {
        "name": register.name,
        "last_value": register.last_value,
        "last_date": register.last_date,
        "avg_monthly_kwh": register.avg_monthly_kwh,
    }
