"""The linked accounts' summary beside a conversation: balance, last readings, open visits."""

from __future__ import annotations

from typing import Any

from console.context import Console
from core.masking import mask_address, mask_surname
from core.ports import Store
from core.readings import ReadingKind, ReadingStatus
from core.visits import VisitStatus

READINGS_SHOWN = 3  # per meter
OPEN_VISITS = (VisitStatus.NEW, VisitStatus.SCHEDULED)


async def accounts_summary(
    console: Console, store: Store, customer_id: int
) -> list[dict[str, Any]]:
    f = console.formats
    summary = []
    for account in await store.accounts.linked(customer_id):
        if account.balance > 0:
            balance = console.text("summary.debt", amount=f.money(account.balance))
        elif account.balance < 0:
            balance = console.text("summary.overpaid", amount=f.money(-account.balance))
        else:
            balance = console.text("summary.settled")
        meters = []
        for meter in await store.meters.for_account(account.number):
            readings = [
                {
                    "register": reading.register,
                    "value": f.number(reading.value),
                    "period": reading.period,
                    "status": f.label("reading_status", reading.status.value),
                    "flagged": reading.status is ReadingStatus.FLAGGED,
                    "control": reading.kind is ReadingKind.CONTROL,
                }
                for reading in await store.readings.for_meter(
                    account.number, meter.serial, READINGS_SHOWN
                )
            ]
            billed = [
                {"register": r.name, "value": f.number(r.last_value), "date": f.day(r.last_date)}
                for r in meter.registers
                if r.last_value is not None
            ]
            meters.append(
                {
                    "serial": meter.serial,
                    "smart": meter.smart,
                    "readings": readings,
                    "billed": billed,
                }
            )
        visits = [
            {
                "number": visit.number,
                "type": console.formats.t(f"visits.type.{visit.type.value}"),
                "status": f.label("visit_status", visit.status.value),
                "when": f.day(visit.scheduled_date or visit.preferred_date),
                "slot": f.slot(visit.scheduled_slot or visit.slot),
            }
            for visit in await store.visits.for_accounts([account.number])
            if visit.status in OPEN_VISITS
        ]
        summary.append(
            {
                "number": account.number,
                "holder": mask_surname(account.surname),
                "address": mask_address(account.address),
                "balance": balance,
                "due": f.day(account.due_date),
                "meters": meters,
                "visits": visits,
            }
        )
    return summary
