"""core.payments: signed link tokens, amounts, and the rule that says billing has a payment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.payments import (
    AmountProblem,
    OnlinePayment,
    PaymentRules,
    PaymentStatus,
    amount_problem,
    in_billing,
    link_payment_id,
    link_token,
)

PERM = ZoneInfo("Asia/Yekaterinburg")


def test_a_token_names_its_payment_only_when_we_signed_it() -> None:
    token = link_token(b"key", "0e38a717e2a840028dbb495d637eab55")
    assert link_payment_id(b"key", token) == "0e38a717e2a840028dbb495d637eab55"
    assert link_payment_id(b"other key", token) is None
    public_id, _, signature = token.partition(".")
    assert link_payment_id(b"key", f"{public_id[:-1]}0.{signature}") is None
    assert link_payment_id(b"key", public_id) is None
    assert link_payment_id(b"key", "") is None
    # Not ASCII: no link of ours (and no TypeError from the comparison).
    assert link_payment_id(b"key", f"{public_id}.{signature[:-1]}é") is None
    assert link_payment_id(b"key", f"абв.{signature}") is None


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("1572.60", None),
        ("1", None),
        ("0", AmountProblem.NOT_POSITIVE),
        ("-5", AmountProblem.NOT_POSITIVE),
        ("10.005", AmountProblem.KOPECKS),
        ("0.50", AmountProblem.TOO_SMALL),
        ("150000.01", AmountProblem.TOO_LARGE),
    ],
)
def test_amount_problems(amount: str, problem: AmountProblem | None) -> None:
    assert amount_problem(Decimal(amount), PaymentRules()) is problem


def payment(amount: str, paid_at: datetime, status: PaymentStatus) -> OnlinePayment:
    return OnlinePayment(
        public_id=f"p{amount}",
        idempotence_key=f"k{amount}",
        account="5901000001",
        amount=Decimal(amount),
        status=status,
        created_at=paid_at,
        expires_at=paid_at + timedelta(days=1),
        paid_at=paid_at,
    )


def test_billing_has_a_month_when_its_paid_covers_ours() -> None:
    nov = datetime(2026, 11, 10, 5, tzinfo=UTC)
    done = payment("500.00", nov, PaymentStatus.IN_BILLING)
    new = payment("700.00", nov + timedelta(days=5), PaymentStatus.SUCCEEDED)
    assert in_billing([done, new], {"2026-11": Decimal("1199.99")}, PERM) == []
    assert in_billing([done, new], {"2026-11": Decimal("1200.00")}, PERM) == ["p700.00"]
    # Paid in December by Perm's clock (2026-11-30 20:00 UTC is 1 December 01:00 there).
    late = payment("300.00", datetime(2026, 11, 30, 20, tzinfo=UTC), PaymentStatus.SUCCEEDED)
    assert in_billing([late], {"2026-11": Decimal("300.00")}, PERM) == []
    assert in_billing([late], {"2026-12": Decimal("300.00")}, PERM) == ["p300.00"]
    assert in_billing([late], {"2027-01": Decimal("300.00")}, PERM) == ["p300.00"]  # next period
    assert in_billing([late], {"2027-02": Decimal("300.00")}, PERM) == []
