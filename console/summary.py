"""The linked accounts' summary beside a conversation: balance, last readings, open visits,
billing's receipts of the last twelve months (each with its PDF) and the online payments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.context import PREFIX, Console
from core.masking import mask_address, mask_surname
from core.payments import OnlinePayment, PaymentStatus
from core.ports import Store
from core.readings import ReadingKind, ReadingStatus
from core.visits import VisitStatus
from dialogs.flows.receipt_document import RECEIPT_MONTHS

READINGS_SHOWN = 3  # per meter
PAYMENTS_SHOWN = 10
OPEN_VISITS = (VisitStatus.NEW, VisitStatus.SCHEDULED)
PAID = (PaymentStatus.SUCCEEDED, PaymentStatus.IN_BILLING)


def receipt_path(conversation_id: int, account: str, period: str) -> str:
    return f"{PREFIX}/conversations/{conversation_id}/receipts/{account}/{period}.pdf"


async def accounts_summary(
    console: Console, store: Store, customer_id: int, conversation_id: int | None = None
) -> list[dict[str, Any]]:
    """Each linked account's card; receipts link to their PDF when `conversation_id` is given
    and the console can make receipts (console.receipts)."""
    f = console.formats
    papers = conversation_id is not None and console.receipts is not None
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
        receipts = [
            {
                "period": entry.period,
                "month": f.t.period(entry.period),
                "kwh": f.number(entry.kwh),
                "charged": f.money(entry.charged),
                "paid": f.money(entry.paid),
                "pdf": receipt_path(conversation_id, account.number, entry.period)
                if papers and conversation_id is not None
                else "",
            }
            for entry in await store.history.for_account(account.number, RECEIPT_MONTHS)
        ]
        payments = [
            _payment(console, payment)
            for payment in await store.online_payments.latest(account.number, PAYMENTS_SHOWN)
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
                "receipts": receipts,
                "payments": payments,
            }
        )
    return summary


def _moment(console: Console, value: datetime) -> str:
    """«7 декабря 2026, 14:05» in the company's time zone: ten payments may span years."""
    local = console.formats.local(value)
    return f"{console.formats.t.date(local.date())}, {console.formats.t.time(local)}"


def _payment(console: Console, payment: OnlinePayment) -> dict[str, Any]:
    """A payment's line: when it was paid, else when the customer asked for its link."""
    if payment.status in PAID and payment.paid_at is not None:
        when = console.text("summary.payment_paid", when=_moment(console, payment.paid_at))
    else:
        when = console.text("summary.payment_created", when=_moment(console, payment.created_at))
    f = console.formats
    return {
        "amount": f.money(payment.amount),
        "status": payment.status.value,
        "label": f.label("payment_status", payment.status.value),
        "when": when,
    }
