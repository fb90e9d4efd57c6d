"""Online payments and billing: the succeeded ones exported for billing, and marked
`in_billing` once an imported history shows them (core.payments.in_billing says when)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import TextIO

from core.payments import OnlinePayment, PaymentStatus, in_billing, money_value
from core.ports import Store
from energobot.exchange.readers import Format, resolve_format

PAYMENT_COLUMNS = (
    "account",
    "amount",
    "currency",
    "paid_at",
    "provider",
    "provider_id",
    "payment_id",
    "method",
    "status",
)
HISTORY_MONTHS = 36


def payment_record(payment: OnlinePayment) -> dict[str, str | None]:
    """One payment as billing reads it: paid_at ISO 8601 in UTC, the amount with kopecks."""
    paid_at = payment.paid_at
    return {
        "account": payment.account,
        "amount": money_value(payment.amount),
        "currency": payment.currency,
        "paid_at": None if paid_at is None else paid_at.astimezone(UTC).isoformat("T", "seconds"),
        "provider": payment.provider,
        "provider_id": payment.provider_id,
        "payment_id": payment.public_id,
        "method": payment.method,
        "status": str(payment.status),
    }


async def export_payments(store: Store, since: datetime | None, fmt: str, out: TextIO) -> int:
    """Write the succeeded payments (also those billing has) we recorded since then, oldest
    first: a payment whose notification came late is in the next run, whatever its paid_at."""
    resolved = resolve_format(None, fmt)
    records = [payment_record(p) for p in await store.online_payments.paid(since)]
    if resolved is Format.CSV:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(PAYMENT_COLUMNS)
        for record in records:
            writer.writerow(["" if record[n] is None else record[n] for n in PAYMENT_COLUMNS])
    else:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


async def mark_in_billing(
    store: Store, accounts: Iterable[str], now: datetime, zone: tzinfo
) -> int:
    """After a history import: the accounts' succeeded payments that billing now shows become
    `in_billing`; how many."""
    marked = 0
    for number in sorted(set(accounts)):
        ours = await store.online_payments.of_account(
            number, [PaymentStatus.SUCCEEDED, PaymentStatus.IN_BILLING]
        )
        if not any(p.status is PaymentStatus.SUCCEEDED for p in ours):
            continue
        history = await store.history.for_account(number, HISTORY_MONTHS)
        paid = {entry.period: entry.paid for entry in history}
        marked += await store.online_payments.in_billing(in_billing(ours, paid, zone), now)
    return marked
