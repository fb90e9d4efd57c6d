from datetime import date
from decimal import Decimal

import pytest

from core.balance import BalanceKind, HistoryEntry, PenaltyRules, penalty, summarize

D = Decimal
RULES = PenaltyRules()
CAPPED = date(2026, 6, 1)  # the 9.5 % cap applies
UNCAPPED = date(2027, 6, 1)  # the cap ended months ago: 16.5 % on every overdue day


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, D("0.00")),
        (30, D("0.00")),
        # 10 000 x 9.5 % / 300 = 3.1666... per day
        (31, D("3.17")),
        (90, D("190.00")),
        # + 10 000 x 9.5 % / 130 = 7.3077 per day from day 91
        (91, D("197.31")),
        (100, D("263.08")),
    ],
)
def test_penalty_boundaries_with_cap(days: int, expected: Decimal) -> None:
    assert penalty(D(10000), days, CAPPED, RULES) == expected


def test_penalty_without_cap_uses_the_key_rate() -> None:
    # 60 days x 10 000 x 16.5 % / 300 = 330; + 1 day / 130 = 12.69
    assert penalty(D(10000), 90, UNCAPPED, RULES) == D("330.00")
    assert penalty(D(10000), 91, UNCAPPED, RULES) == D("342.69")


def test_cap_is_only_used_when_lower() -> None:
    rules = PenaltyRules(key_rate_percent=D("7.5"))
    assert penalty(D(3000), 31, CAPPED, rules) == D("0.75")


def test_no_cap_configured() -> None:
    rules = PenaltyRules(cap_percent=None, cap_until=None)
    assert penalty(D(10000), 31, CAPPED, rules) == D("5.50")


def test_no_penalty_on_overpayment() -> None:
    assert penalty(D(-500), 120, CAPPED, RULES) == 0


def entry(period: str) -> HistoryEntry:
    return HistoryEntry("5901234567", period, D(200), D("1400.00"), D("1400.00"))


HISTORY = [entry(f"2025-{m:02d}") for m in range(1, 13)] + [entry("2026-01")]


def test_summarize_debt_overdue() -> None:
    summary = summarize(D("10000.00"), date(2026, 1, 15), HISTORY, date(2026, 4, 15), RULES)
    assert summary.kind is BalanceKind.DEBT
    assert summary.amount == D("10000.00")
    assert summary.overdue_days == 90
    assert summary.penalty == D("190.00")
    assert [h.period for h in summary.history] == [
        "2026-01",
        "2025-12",
        "2025-11",
        "2025-10",
        "2025-09",
        "2025-08",
    ]


def test_summarize_debt_not_yet_due() -> None:
    summary = summarize(D("1572.60"), date(2026, 4, 15), [], date(2026, 4, 15), RULES)
    assert (summary.kind, summary.overdue_days, summary.penalty) == (BalanceKind.DEBT, 0, 0)


def test_summarize_overpayment() -> None:
    summary = summarize(D("-250.00"), date(2026, 1, 15), HISTORY, date(2026, 6, 1), RULES, 3)
    assert summary.kind is BalanceKind.OVERPAYMENT
    assert summary.amount == D("250.00")
    assert (summary.overdue_days, summary.penalty) == (0, 0)
    assert len(summary.history) == 3


def test_summarize_settled_without_due_date() -> None:
    summary = summarize(D(0), None, [], date(2026, 6, 1), RULES)
    assert summary.kind is BalanceKind.SETTLED
    assert summary.amount == 0 and summary.history == ()


def test_summarize_debt_without_due_date_is_not_overdue() -> None:
    summary = summarize(D(100), None, [], date(2026, 6, 1), RULES)
    assert (summary.overdue_days, summary.penalty) == (0, 0)


def test_days_before_the_cap_ended_keep_the_capped_rate() -> None:
    # Due 15 Aug 2026, seen on 10 Jan 2027: 148 days overdue. Days 31-90 (14 Sep-12 Nov) and
    # 91-138 (13 Nov-31 Dec) at 9.5 %, days 139-148 (1-10 Jan) at 16.5 %.
    debt = D("4321.09")
    expected = (
        debt * D("9.5") * 60 / (100 * 300)
        + debt * D("9.5") * 48 / (100 * 130)
        + debt * D("16.5") * 10 / (100 * 130)
    ).quantize(D("0.01"))
    assert penalty(debt, 148, date(2027, 1, 10), RULES) == expected
    day_before = penalty(debt, 139, date(2026, 12, 31), RULES)
    assert penalty(debt, 140, date(2027, 1, 1), RULES) - day_before < D(10)  # no jump
