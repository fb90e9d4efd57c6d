"""Balance, monthly history and penalties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.money import to_rubles


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    account: str
    period: str  # YYYY-MM
    kwh: Decimal
    charged: Decimal
    paid: Decimal


class BalanceKind(StrEnum):
    DEBT = "debt"
    OVERPAYMENT = "overpayment"
    SETTLED = "settled"


@dataclass(frozen=True, slots=True)
class PenaltyRules:
    grace_days: int = 30  # no penalty
    first_rate_until_day: int = 90  # days 31-90: 1/300 of the key rate per day
    first_fraction: int = 300
    later_fraction: int = 130  # from day 91: 1/130
    key_rate_percent: Decimal = Decimal("16.5")
    cap_percent: Decimal | None = Decimal("9.5")  # the rate used is capped ...
    cap_until: date | None = date(2027, 1, 1)  # ... until this date (exclusive)


@dataclass(frozen=True, slots=True)
class BalanceSummary:
    kind: BalanceKind
    amount: Decimal  # absolute value
    due_date: date | None
    overdue_days: int
    penalty: Decimal  # estimated, rounded to kopecks
    history: tuple[HistoryEntry, ...]  # newest first, at most 6


def penalty(debt: Decimal, overdue_days: int, today: date, rules: PenaltyRules) -> Decimal:
    """The penalty on a debt overdue for `overdue_days` up to `today`, day by day.

    Each day's rate is the one in force that day: the cap applies to the days before
    cap_until, the key rate to the days after — a day accrued in 2026 is not re-priced in 2027.
    """
    if debt <= 0 or overdue_days <= rules.grace_days:
        return Decimal("0.00")
    amount = Decimal(0)
    # Overdue day n (1-based) is today - (overdue_days - n) days.
    for n in range(rules.grace_days + 1, overdue_days + 1):
        day = today - timedelta(days=overdue_days - n)
        rate = rules.key_rate_percent
        if rules.cap_percent is not None and (rules.cap_until is None or day < rules.cap_until):
            rate = min(rate, rules.cap_percent)
        fraction = rules.first_fraction if n <= rules.first_rate_until_day else rules.later_fraction
        amount += debt * rate / (100 * fraction)
    return to_rubles(amount)


def summarize(
    balance: Decimal,
    due_date: date | None,
    history: list[HistoryEntry],
    today: date,
    rules: PenaltyRules,
    months: int = 6,
) -> BalanceSummary:
    """What the bot tells a customer who asks «сколько платить»."""
    if balance > 0:
        kind = BalanceKind.DEBT
    elif balance < 0:
        kind = BalanceKind.OVERPAYMENT
    else:
        kind = BalanceKind.SETTLED
    overdue = 0
    if kind is BalanceKind.DEBT and due_date is not None and today > due_date:
        overdue = (today - due_date).days
    recent = sorted(history, key=lambda entry: entry.period, reverse=True)[: max(months, 0)]
    return BalanceSummary(
        kind=kind,
        amount=abs(balance),
        due_date=due_date,
        overdue_days=overdue,
        penalty=penalty(balance, overdue, today, rules),
        history=tuple(recent),
    )
