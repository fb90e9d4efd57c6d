"""Online payments: a link per request, the acquirer's payment behind it, and its way to billing.

A turn writes a `created` payment and hands the customer a signed link to it; opening the link
creates the acquirer's payment (`pending`); the acquirer's word, fetched back, makes it
`succeeded` (or `canceled`); billing's history showing it makes it `in_billing`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.money import KOPECK
from core.signing import signature, signed

CURRENCY = "RUB"
SIGNATURE_BYTES = 18  # of a payment link's HMAC-SHA256


class PaymentStatus(StrEnum):
    CREATED = "created"  # the link was given; nobody opened it yet
    PENDING = "pending"  # the acquirer's payment exists, the customer is paying
    SUCCEEDED = "succeeded"  # the money was taken; billing does not show it yet
    CANCELED = "canceled"
    IN_BILLING = "in_billing"  # billing's history covers it

    @property
    def open(self) -> bool:
        """Still waiting for the customer: a link may be opened."""
        return self in (PaymentStatus.CREATED, PaymentStatus.PENDING)


class Provider(StrEnum):
    LINK = "link"  # the company's own payment page, from a template; nothing stored
    YOOKASSA = "yookassa"


@dataclass(frozen=True, slots=True)
class PaymentRules:
    """What the dialogs need to offer a payment; built by energobot from `payments:`."""

    provider: Provider = Provider.LINK
    min_amount: Decimal = Decimal("1.00")
    max_amount: Decimal = Decimal("150000.00")
    billing_days: int = 3  # working days a payment takes to reach billing
    link_lifetime: timedelta = timedelta(hours=24)
    public_url: str = ""  # the service's, where /pay/<token> is served
    link_key: bytes = field(default=b"", repr=False)  # signs the links


@dataclass(frozen=True, slots=True)
class OnlinePayment:
    public_id: str  # ours: in the link and the acquirer's metadata
    idempotence_key: str
    account: str
    amount: Decimal
    status: PaymentStatus
    created_at: datetime
    expires_at: datetime
    provider: str = Provider.YOOKASSA.value
    currency: str = CURRENCY
    customer_id: int | None = None
    conversation_id: int | None = None
    provider_id: str | None = None
    confirmation_url: str | None = None
    method: str | None = None
    paid_at: datetime | None = None  # the acquirer's capture time
    succeeded_at: datetime | None = None  # when we learned of it
    canceled_at: datetime | None = None
    cancel_reason: str | None = None
    in_billing_at: datetime | None = None
    id: int | None = None


class AmountProblem(StrEnum):
    NOT_POSITIVE = "not_positive"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    KOPECKS = "kopecks"  # more than two decimals


def amount_problem(amount: Decimal, rules: PaymentRules) -> AmountProblem | None:
    """Why an amount cannot be paid online, or None."""
    if not amount.is_finite() or amount <= 0:
        return AmountProblem.NOT_POSITIVE
    if amount != amount.quantize(KOPECK):
        return AmountProblem.KOPECKS
    if amount < rules.min_amount:
        return AmountProblem.TOO_SMALL
    if amount > rules.max_amount:
        return AmountProblem.TOO_LARGE
    return None


def money_value(amount: Decimal) -> str:
    """The acquirer's form of an amount: «1572.60»."""
    return str(amount.quantize(KOPECK))


def parse_money(value: str) -> Decimal | None:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError):
        return None
    return amount if amount.is_finite() else None


def link_token(key: bytes, public_id: str) -> str:
    """The link's part after /pay/: our payment's id and its signature (a forged or altered
    link names nothing). Its lifetime is the row's: an expired link is told from a forged one."""
    return f"{public_id}.{signature(key, public_id, SIGNATURE_BYTES)}"


def link_payment_id(key: bytes, token: str) -> str | None:
    """The payment a token names, if we signed it."""
    public_id, dot, signature = token.partition(".")
    if not dot or not public_id or len(public_id) > 36:
        return None
    return public_id if signed(key, public_id, signature, SIGNATURE_BYTES) else None


def in_billing(
    payments: Sequence[OnlinePayment], paid_by_period: Mapping[str, Decimal], zone: tzinfo
) -> list[str]:
    """Which succeeded payments billing's history shows (their public ids).

    The rule: billing's `paid` of the month a payment was made (in the company's time zone)
    covers the sum of our online payments of that month — or, for a payment billing booked in
    the next period (paid at a month's end), the two months' `paid` together cover our
    payments of both. Billing's sum also holds payments made elsewhere (a bank), so this says
    «billing has at least as much», which is what the customer is told; it never un-marks."""
    by_month: dict[str, list[OnlinePayment]] = {}
    for payment in payments:
        if payment.paid_at is None:
            continue
        month = payment.paid_at.astimezone(zone).strftime("%Y-%m")
        by_month.setdefault(month, []).append(payment)
    zero = Decimal(0)
    found: list[str] = []
    for month, ours in sorted(by_month.items()):
        need = sum((p.amount for p in ours), zero)
        covered = paid_by_period.get(month, zero) >= need
        if not covered:
            after = _next_month(month)
            both = need + sum((p.amount for p in by_month.get(after, [])), zero)
            covered = paid_by_period.get(month, zero) + paid_by_period.get(after, zero) >= both
        if covered:
            found += [p.public_id for p in ours if p.status is PaymentStatus.SUCCEEDED]
    return found


def _next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12}-{month % 12 + 1:02d}"
