"""Balance, monthly history, the debt bill by bill and its penalties."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.calendar import add_months
from core.money import to_rubles


class BillingBasis(StrEnum):
    """How billing arrived at a month's volume."""

    READING = "reading"  # the customer's (or a smart meter's) reading
    AVERAGE = "average"  # no reading came: the average of earlier months
    NORM = "norm"  # no reading for longer: the standard (норматив)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    account: str
    period: str  # YYYY-MM
    kwh: Decimal
    charged: Decimal
    paid: Decimal  # payments received in the period (they settle the oldest bills first)
    basis: BillingBasis | None = None  # None: billing did not say


class BalanceKind(StrEnum):
    DEBT = "debt"
    OVERPAYMENT = "overpayment"
    SETTLED = "settled"


class PenaltySource(StrEnum):
    BILLING = "billing"  # billing's own figure, from the accounts import
    ESTIMATE = "estimate"  # counted here, bill by bill


@dataclass(frozen=True, slots=True)
class PenaltyRules:
    grace_days: int = 30  # no penalty
    first_rate_until_day: int = 90  # days 31-90: 1/300 of the key rate per day
    first_fraction: int = 300
    later_fraction: int = 130  # from day 91: 1/130
    key_rate_percent: Decimal = Decimal("16.5")
    cap_percent: Decimal | None = Decimal("9.5")  # the rate used is capped ...
    cap_until: date | None = date(2027, 1, 1)  # ... until this date (exclusive)
    # A month's bill is due on this day of the following month ...
    due_day: int = 15
    # ... and on this one when the following month began before due_day_from (ЖК РФ ст. 155:
    # the 10th until the 15th took over on 1 Mar 2026). None: due_day always.
    earlier_due_day: int = 10
    due_day_from: date | None = date(2026, 3, 1)


@dataclass(frozen=True, slots=True)
class Bill:
    """What is left unpaid of one month's bill, and what its delay costs."""

    period: str | None  # YYYY-MM; None: debt billing reports beyond the history (see below)
    charged: Decimal | None  # the month's charge; None for that debt
    unpaid: Decimal
    due_date: date | None  # None: nothing says when it was due, so it is not overdue
    overdue_days: int  # days past the due date; 0 when not yet due
    penalty: Decimal  # estimated, rounded to kopecks

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True, slots=True)
class Debt:
    """A positive balance split into the bills it is made of."""

    bills: tuple[Bill, ...]  # the bills with something unpaid, oldest due date first
    overdue_amount: Decimal  # unpaid and past its due date
    current_amount: Decimal  # unpaid, not yet due (or with no due date known)
    penalty: Decimal  # the sum of the bills' penalties
    oldest_due_date: date | None  # of the oldest overdue bill
    overdue_days: int  # of the oldest overdue bill; 0 when nothing is overdue


@dataclass(frozen=True, slots=True)
class BalanceSummary:
    kind: BalanceKind
    amount: Decimal  # absolute value
    due_date: date | None  # billing's, as imported
    overdue_days: int  # of the oldest overdue bill
    penalty: Decimal  # billing's when it gave one, else estimated; rounded to kopecks
    history: tuple[HistoryEntry, ...]  # newest first, at most `months`
    bills: tuple[Bill, ...] = ()  # what the debt is made of, oldest first
    overdue_amount: Decimal = Decimal(0)
    current_amount: Decimal = Decimal(0)
    overdue_since: date | None = None  # the oldest overdue bill's due date
    penalty_source: PenaltySource = PenaltySource.ESTIMATE
    estimated_penalty: Decimal = Decimal(0)  # the bills' penalties, whatever billing said


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


def bill_due_date(period: str, rules: PenaltyRules) -> date:
    """When the bill of a period (YYYY-MM) is due: a day of the following month."""
    following = add_months(date(int(period[:4]), int(period[5:7]), 1), 1)
    late_rule = rules.due_day_from is None or following >= rules.due_day_from
    return following.replace(day=rules.due_day if late_rule else rules.earlier_due_day)


def debt_breakdown(
    balance: Decimal,
    due_date: date | None,
    history: Sequence[HistoryEntry],
    today: date,
    rules: PenaltyRules,
) -> Debt:
    """Billing's balance split into bills, each with its own due date and penalty.

    The history's payments settle its oldest charges first; what that leaves unpaid of each
    month is then made to agree with billing's balance, which is the authority:
    - a balance above it is debt the history does not show (older months, or a month billed
      after the history was exported): one piece due on billing's due date, or — without
      one — on the oldest bill's;
    - a balance below it (a payment not in the history yet, a credit) settles the oldest
      remainders first; a balance of zero or less leaves nothing unpaid.
    A bill is overdue from the day after its due date; penalties per `penalty`.
    """
    entries = sorted(history, key=lambda entry: entry.period)
    payments = sum((entry.paid for entry in entries), Decimal(0))
    remainders: list[Decimal] = []
    for entry in entries:
        settled = min(payments, entry.charged)
        payments -= settled
        remainders.append(entry.charged - settled)

    pieces: list[tuple[str | None, Decimal | None, Decimal, date | None]] = []
    owed = max(balance, Decimal(0))
    shown = sum(remainders, Decimal(0))
    if owed > shown and (due_date is not None or not entries):
        pieces.append((None, None, owed - shown, due_date))
    elif owed > shown:
        pieces.append((None, None, owed - shown, bill_due_date(entries[0].period, rules)))
    else:
        surplus = shown - owed
        for index, remainder in enumerate(remainders):
            settled = min(surplus, remainder)
            surplus -= settled
            remainders[index] = remainder - settled
    pieces.extend(
        (entry.period, entry.charged, remainder, bill_due_date(entry.period, rules))
        for entry, remainder in zip(entries, remainders, strict=True)
    )

    bills = []
    for period, charged, unpaid, due in pieces:
        if unpaid <= 0:
            continue
        days = (today - due).days if due is not None and today > due else 0
        bills.append(Bill(period, charged, unpaid, due, days, penalty(unpaid, days, today, rules)))
    # Oldest due date first; stable, so the history's months keep their order.
    bills.sort(key=lambda bill: (bill.due_date is None, bill.due_date or today))
    overdue = [bill for bill in bills if bill.overdue]
    return Debt(
        bills=tuple(bills),
        overdue_amount=sum((bill.unpaid for bill in overdue), Decimal(0)),
        current_amount=sum((bill.unpaid for bill in bills if not bill.overdue), Decimal(0)),
        penalty=sum((bill.penalty for bill in bills), Decimal("0.00")),
        oldest_due_date=min((bill.due_date for bill in overdue if bill.due_date), default=None),
        overdue_days=max((bill.overdue_days for bill in overdue), default=0),
    )


def summarize(
    balance: Decimal,
    due_date: date | None,
    history: list[HistoryEntry],
    today: date,
    rules: PenaltyRules,
    months: int = 6,
    *,
    billing_penalty: Decimal | None = None,
) -> BalanceSummary:
    """What the bot tells a customer who asks «сколько платить».

    `history` may reach further back than the `months` shown: the more of it, the fewer
    months end up in the one piece of debt the history does not explain. `billing_penalty`
    (Account.penalty) is billing's own figure and wins over the estimate when given.
    """
    if balance > 0:
        kind = BalanceKind.DEBT
    elif balance < 0:
        kind = BalanceKind.OVERPAYMENT
    else:
        kind = BalanceKind.SETTLED
    debt = debt_breakdown(balance, due_date, history, today, rules)
    source = PenaltySource.ESTIMATE if billing_penalty is None else PenaltySource.BILLING
    recent = sorted(history, key=lambda entry: entry.period, reverse=True)[: max(months, 0)]
    return BalanceSummary(
        kind=kind,
        amount=abs(balance),
        due_date=due_date,
        overdue_days=debt.overdue_days,
        penalty=debt.penalty if billing_penalty is None else billing_penalty,
        history=tuple(recent),
        bills=debt.bills,
        overdue_amount=debt.overdue_amount,
        current_amount=debt.current_amount,
        overdue_since=debt.oldest_due_date,
        penalty_source=source,
        estimated_penalty=debt.penalty,
    )
