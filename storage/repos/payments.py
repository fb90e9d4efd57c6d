"""Online payments (core.payments): the link's row, the acquirer's id, the outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from core.payments import OnlinePayment, PaymentStatus
from storage.repos._base import Repo
from storage.tables import online_payments as t

OPEN = (PaymentStatus.CREATED.value, PaymentStatus.PENDING.value)
PAID = (PaymentStatus.SUCCEEDED.value, PaymentStatus.IN_BILLING.value)


class PaymentRepo(Repo):
    async def add(self, payment: OnlinePayment) -> OnlinePayment:
        result = await self._conn.execute(t.insert().values(**_row(payment)).returning(t.c.id))
        return replace(payment, id=int(result.scalar_one()))

    async def get(self, public_id: str) -> OnlinePayment | None:
        result = await self._conn.execute(select(t).where(t.c.public_id == public_id))
        row = result.mappings().first()
        return None if row is None else _payment(row)

    async def by_provider_id(self, provider_id: str) -> OnlinePayment | None:
        result = await self._conn.execute(select(t).where(t.c.provider_id == provider_id))
        row = result.mappings().first()
        return None if row is None else _payment(row)

    async def started(self, public_id: str, provider_id: str, confirmation_url: str | None) -> bool:
        result = await self._conn.execute(
            update(t)
            .where(
                t.c.public_id == public_id,
                t.c.status == PaymentStatus.CREATED.value,
                t.c.provider_id.is_(None),
            )
            .values(
                provider_id=provider_id,
                confirmation_url=confirmation_url,
                status=PaymentStatus.PENDING.value,
            )
        )
        if result.rowcount:
            return True
        # Opened twice at once: the other request stored the same payment (the same key).
        current = await self.get(public_id)
        return current is not None and current.provider_id == provider_id

    async def succeeded(
        self, public_id: str, paid_at: datetime, method: str | None, recorded_at: datetime
    ) -> bool:
        result = await self._conn.execute(
            update(t)
            .where(t.c.public_id == public_id, t.c.status.in_(OPEN))
            .values(
                status=PaymentStatus.SUCCEEDED.value,
                paid_at=paid_at,
                method=method,
                succeeded_at=recorded_at,
            )
        )
        return bool(result.rowcount)

    async def canceled(self, public_id: str, at: datetime, reason: str | None) -> bool:
        result = await self._conn.execute(
            update(t)
            .where(t.c.public_id == public_id, t.c.status.in_(OPEN))
            .values(status=PaymentStatus.CANCELED.value, canceled_at=at, cancel_reason=reason)
        )
        return bool(result.rowcount)

    async def in_billing(self, public_ids: Sequence[str], at: datetime) -> int:
        if not public_ids:
            return 0
        result = await self._conn.execute(
            update(t)
            .where(
                t.c.public_id.in_(list(public_ids)),
                t.c.status == PaymentStatus.SUCCEEDED.value,
            )
            .values(status=PaymentStatus.IN_BILLING.value, in_billing_at=at)
        )
        return int(result.rowcount or 0)

    async def of_account(
        self, account: str, statuses: Sequence[PaymentStatus]
    ) -> list[OnlinePayment]:
        wanted = sorted({PaymentStatus(s).value for s in statuses})
        if not wanted:
            return []
        rows = await self._rows(
            # One statement per set of statuses, each held in it (a few sets are ever asked).
            f"online_payments.of_account.{'.'.join(wanted)}",
            lambda: (
                select(t)
                .where(
                    t.c.account_number == bindparam("account"),
                    or_(*(t.c.status == status for status in wanted)),
                )
                .order_by(t.c.created_at, t.c.id)
            ),
            {"account": account},
        )
        return [_payment(row) for row in rows]

    async def latest(self, account: str, limit: int) -> list[OnlinePayment]:
        result = await self._conn.execute(
            select(t)
            .where(t.c.account_number == account)
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(limit)
        )
        return [_payment(row) for row in result.mappings()]

    async def pending(self, created_from: datetime, created_to: datetime) -> list[OnlinePayment]:
        result = await self._conn.execute(
            select(t)
            .where(
                t.c.status == PaymentStatus.PENDING.value,
                t.c.created_at >= created_from,
                t.c.created_at < created_to,
            )
            .order_by(t.c.created_at, t.c.id)
        )
        return [_payment(row) for row in result.mappings()]

    async def paid(self, since: datetime | None) -> list[OnlinePayment]:
        query = select(t).where(t.c.status.in_(PAID))
        if since is not None:
            query = query.where(t.c.succeeded_at >= since)
        result = await self._conn.execute(query.order_by(t.c.succeeded_at, t.c.id))
        return [_payment(row) for row in result.mappings()]


def _row(payment: OnlinePayment) -> dict[str, Any]:
    return {
        "public_id": payment.public_id,
        "idempotence_key": payment.idempotence_key,
        "account_number": payment.account,
        "amount": payment.amount,
        "currency": payment.currency,
        "status": PaymentStatus(payment.status).value,
        "customer_id": payment.customer_id,
        "conversation_id": payment.conversation_id,
        "provider": payment.provider,
        "provider_id": payment.provider_id,
        "confirmation_url": payment.confirmation_url,
        "method": payment.method,
        "created_at": payment.created_at,
        "expires_at": payment.expires_at,
        "paid_at": payment.paid_at,
        "succeeded_at": payment.succeeded_at,
        "canceled_at": payment.canceled_at,
        "cancel_reason": payment.cancel_reason,
        "in_billing_at": payment.in_billing_at,
    }


def _payment(row: Any) -> OnlinePayment:
    return OnlinePayment(
        public_id=row["public_id"],
        idempotence_key=row["idempotence_key"],
        account=row["account_number"],
        amount=row["amount"],
        status=PaymentStatus(row["status"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        provider=row["provider"],
        currency=row["currency"],
        customer_id=row["customer_id"],
        conversation_id=row["conversation_id"],
        provider_id=row["provider_id"],
        confirmation_url=row["confirmation_url"],
        method=row["method"],
        paid_at=row["paid_at"],
        succeeded_at=row["succeeded_at"],
        canceled_at=row["canceled_at"],
        cancel_reason=row["cancel_reason"],
        in_billing_at=row["in_billing_at"],
        id=row["id"],
    )
