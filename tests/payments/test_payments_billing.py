"""Succeeded payments until billing has them: exported for billing, marked in_billing by a
history import that shows them, and told in «оплатил — дошло?»."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from core.payments import OnlinePayment, PaymentStatus
from energobot.exchange import import_bytes
from energobot.exchange.payments import export_payments
from storage.database import Database
from tests.dialogs.conftest import PERM, Clock, Customer, linked, local
from tests.exchange.test_exchange_cli import DATA, Cli

ACCOUNT = "5901234567"


async def paid(
    database: Database,
    amount: str,
    at: datetime,
    account: str = ACCOUNT,
    method: str = "sbp",
    recorded: datetime | None = None,
) -> OnlinePayment:
    """A payment that succeeded at `at`, and that we learned of then (or at `recorded`)."""
    async with database.unit_of_work() as store:
        payment = await store.online_payments.add(
            OnlinePayment(
                public_id=uuid.uuid4().hex,
                idempotence_key=str(uuid.uuid4()),
                account=account,
                amount=Decimal(amount),
                status=PaymentStatus.PENDING,
                created_at=at - timedelta(minutes=5),
                expires_at=at + timedelta(hours=24),
                provider_id=f"pay-{uuid.uuid4().hex[:12]}",
            )
        )
        assert await store.online_payments.succeeded(payment.public_id, at, method, recorded or at)
        await store.commit()
    return payment


async def statuses(database: Database) -> list[PaymentStatus]:
    async with database.unit_of_work() as store:
        rows = await store.online_payments.of_account(ACCOUNT, list(PaymentStatus))
    return [row.status for row in rows]


async def import_history(database: Database, lines: list[str]) -> int:
    data = ("account,period,kwh,charged,paid\n" + "\n".join(lines) + "\n").encode()
    async with database.unit_of_work() as store:
        report = await import_bytes(store, "history", data, "csv", PERM)
        assert report.ok, report.errors
        await store.commit()
    return report.in_billing


async def test_a_history_that_shows_the_payments_marks_them_in_billing(
    pipeline: object, database: Database
) -> None:
    await paid(database, "1000.00", local(2026, 11, 10))
    await paid(database, "572.60", local(2026, 11, 18))
    # Billing shows less than ours for November: not yet.
    assert await import_history(database, [f"{ACCOUNT},2026-11,200,1312.00,1000.00"]) == 0
    assert await statuses(database) == [PaymentStatus.SUCCEEDED] * 2
    # Now it covers both.
    assert await import_history(database, [f"{ACCOUNT},2026-11,200,1312.00,1572.60"]) == 2
    assert await statuses(database) == [PaymentStatus.IN_BILLING] * 2
    async with database.unit_of_work() as store:
        assert await store.online_payments.of_account(ACCOUNT, [PaymentStatus.SUCCEEDED]) == []


async def test_a_month_end_payment_booked_in_the_next_period(
    pipeline: object, database: Database
) -> None:
    await paid(database, "800.00", local(2026, 11, 30, 22, 0))
    lines = [f"{ACCOUNT},2026-11,200,1312.00,0", f"{ACCOUNT},2026-12,200,1312.00,800.00"]
    assert await import_history(database, lines) == 1
    assert await statuses(database) == [PaymentStatus.IN_BILLING]


async def test_export_for_billing(pipeline: object, database: Database) -> None:
    first = await paid(database, "1250.40", local(2026, 11, 10), method="bank_card")
    await paid(database, "300.00", local(2026, 11, 19))
    out = io.StringIO()
    async with database.unit_of_work() as store:
        assert await export_payments(store, local(2026, 11, 15), "csv", out) == 1
        jsonl = io.StringIO()
        assert await export_payments(store, None, "jsonl", jsonl) == 2
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["amount"] == "300.00" and row["paid_at"] == "2026-11-19T05:00:00+00:00"
    records = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    assert records[0] == {
        "account": ACCOUNT,
        "amount": "1250.40",
        "currency": "RUB",
        "paid_at": "2026-11-10T05:00:00+00:00",
        "provider": "yookassa",
        "provider_id": first.provider_id,
        "payment_id": first.public_id,
        "method": "bank_card",
        "status": "succeeded",
    }


async def test_export_since_is_when_we_learned_of_the_payment(
    pipeline: object, database: Database
) -> None:
    """Captured at 23:55, its notification late: yesterday's export could not have it, so
    today's does — by when we recorded it, not by YooKassa's capture time."""
    late = await paid(
        database, "1250.40", local(2026, 11, 19, 23, 55), recorded=local(2026, 11, 20, 0, 20)
    )
    await paid(database, "300.00", local(2026, 11, 19, 12, 0))
    out = io.StringIO()
    async with database.unit_of_work() as store:
        assert await export_payments(store, local(2026, 11, 20, 0, 0), "jsonl", out) == 1
    [record] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert record["payment_id"] == late.public_id
    assert record["paid_at"] == "2026-11-19T18:55:00+00:00"  # still YooKassa's capture time


async def test_export_payments_command(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert cli("import", "accounts", DATA / "accounts.csv").returncode == 0
    database = Database(cli.url)
    try:
        await paid(database, "99.90", local(2026, 11, 2), account="5900100101")
        await paid(database, "10.00", local(2026, 10, 2), account="5900100101")
    finally:
        await database.dispose()
    result = cli("export", "payments", "--since", "2026-11-01", tmp_path / "paid.csv")
    assert result.returncode == 0, result.stderr
    assert "1 payment(s) written" in result.stderr
    lines = (tmp_path / "paid.csv").read_text("utf-8").splitlines()
    assert lines[0].startswith("account,amount,currency,paid_at")
    assert lines[1].startswith("5900100101,99.90,RUB,2026-11-02T")
    assert (tmp_path / "paid.csv").stat().st_mode & 0o777 == 0o600
    refused = cli("export", "payments", "--period", "2026-11")
    assert refused.returncode != 0 and "--since" in refused.stderr
    bad = cli("export", "payments", "--since", "вчера")
    assert bad.returncode != 0 and "not a date" in bad.stderr


async def test_paid_asks_are_told_of_payments_on_their_way(
    customer: Customer, database: Database, clock: Clock
) -> None:
    await paid(database, "1250.40", local(2026, 11, 19, 15, 0))
    await linked(customer)
    await customer.send("оплатил, а долг висит")
    text = customer.text()
    assert "Оплату 1 250,40 ₽ от 19 ноября 2026" in text
    assert "появится в расчётах до 24 ноября 2026" in text
