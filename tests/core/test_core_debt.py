"""The debt bill by bill: payments settle the oldest bills, each bill has its own due date and
penalty. Every expected figure is worked out by hand in the comments.

Penalty arithmetic used throughout (before 2027-01-01 the rate is capped at 9.5 %):
a day at 1/300 costs debt × 9.5 / 100 / 300, a day at 1/130 debt × 9.5 / 100 / 130; days 1-30
after the due date cost nothing, days 31-90 are at 1/300, from day 91 at 1/130. Each bill's
penalty is rounded to kopecks (half up) and the total is the sum of the rounded figures.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.balance import (
    BalanceKind,
    Bill,
    HistoryEntry,
    PenaltyRules,
    PenaltySource,
    bill_due_date,
    debt_breakdown,
    summarize,
)
from tests.core import demo

D = Decimal
RULES = PenaltyRules()
NOV_24 = date(2026, 11, 24)  # the demo's "today"
DEC_7 = date(2026, 12, 7)


def demo_account(number: str) -> tuple[Decimal, date | None, list[HistoryEntry]]:
    """Balance, due date and history of a demo account, as the import reads them."""
    balance, due, _ = demo.account(number)
    return balance, due, demo.history(number)


def unpaid(bills: tuple[Bill, ...]) -> list[tuple[str | None, Decimal, date | None, int, Decimal]]:
    return [(b.period, b.unpaid, b.due_date, b.overdue_days, b.penalty) for b in bills]


# --- due dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("2025-12", date(2026, 1, 10)),  # due before 1 Mar 2026: the 10th
        ("2026-01", date(2026, 2, 10)),
        ("2026-02", date(2026, 3, 15)),  # from 1 Mar 2026: the 15th
        ("2026-11", date(2026, 12, 15)),
        ("2026-12", date(2027, 1, 15)),  # across the year
    ],
)
def test_a_bill_is_due_on_the_15th_of_the_following_month_since_march_2026(
    period: str, due: date
) -> None:
    assert bill_due_date(period, RULES) == due


def test_the_due_day_is_a_rule() -> None:
    rules = PenaltyRules(due_day=25, due_day_from=None)
    assert bill_due_date("2026-01", rules) == date(2026, 2, 25)


# --- demo accounts ---------------------------------------------------------------------------


def test_chudinova_5901000012_penalty_is_counted_per_bill() -> None:
    # Unpaid: 2026-09 5 495.54 (due 15 Oct), 2026-10 9 817.43 (due 15 Nov), 2026-11 15 605.06
    # (due 15 Dec) = 30 918.03, the balance; every earlier month was paid in full.
    balance, due, history = demo_account("5901000012")
    debt = debt_breakdown(balance, due, history, DEC_7, RULES)
    # On 7 Dec: September's bill is 53 days late (16 + 30 + 7): days 31-53 = 23 days at 1/300:
    #   5 495.54 × 9.5 × 23 / 30 000 = 12 007.75 / 300 = 40.0258 -> 40.03.
    # October's is 22 days late: nothing yet. November's is not due: not overdue at all.
    assert unpaid(debt.bills) == [
        ("2026-09", D("5495.54"), date(2026, 10, 15), 53, D("40.03")),
        ("2026-10", D("9817.43"), date(2026, 11, 15), 22, D("0.00")),
        ("2026-11", D("15605.06"), date(2026, 12, 15), 0, D("0.00")),
    ]
    assert debt.penalty == D("40.03")
    # Overdue: 5 495.54 + 9 817.43 = 15 312.97; not yet due: 15 605.06.
    assert (debt.overdue_amount, debt.current_amount) == (D("15312.97"), D("15605.06"))
    assert (debt.oldest_due_date, debt.overdue_days) == (date(2026, 10, 15), 53)
    # The defect: the whole 30 918.03 from 15 Oct gave 30 918.03 × 9.5 × 23 / 30 000 = 225.19.
    summary = summarize(balance, due, history, DEC_7, RULES)
    assert summary.penalty == D("40.03") and summary.penalty != D("225.19")
    assert summary.penalty_source is PenaltySource.ESTIMATE


def test_chudinova_5901000012_on_24_november() -> None:
    balance, due, history = demo_account("5901000012")
    debt = debt_breakdown(balance, due, history, NOV_24, RULES)
    # September's bill: 40 days late (16 + 24): 10 days at 1/300:
    #   5 495.54 × 9.5 × 10 / 30 000 = 5 220.763 / 300 = 17.4025 -> 17.40.
    # October's: 9 days late; November's: due 15 Dec.
    assert [b.penalty for b in debt.bills] == [D("17.40"), D("0.00"), D("0.00")]
    assert [b.overdue_days for b in debt.bills] == [40, 9, 0]
    assert debt.penalty == D("17.40")


def test_smirnov_5901000002_four_unpaid_bills() -> None:
    # Unpaid since August: 1 312.00 + 1 515.36 + 1 535.04 + 1 607.20 = 5 969.60, the balance.
    balance, due, history = demo_account("5901000002")
    debt = debt_breakdown(balance, due, history, NOV_24, RULES)
    # 24 Nov. August's bill (due 15 Sep): 15 + 31 + 24 = 70 days late, 40 days at 1/300:
    #   1 312.00 × 9.5 × 40 / 30 000 = 498 560 / 30 000 = 16.6187 -> 16.62.
    # September's (due 15 Oct): 16 + 24 = 40 days, 10 days at 1/300:
    #   1 515.36 × 9.5 × 10 / 30 000 = 143 959.2 / 30 000 = 4.7986 -> 4.80.
    # October's (due 15 Nov): 9 days, nothing; November's: not due.
    assert unpaid(debt.bills) == [
        ("2026-08", D("1312.00"), date(2026, 9, 15), 70, D("16.62")),
        ("2026-09", D("1515.36"), date(2026, 10, 15), 40, D("4.80")),
        ("2026-10", D("1535.04"), date(2026, 11, 15), 9, D("0.00")),
        ("2026-11", D("1607.20"), date(2026, 12, 15), 0, D("0.00")),
    ]
    assert debt.penalty == D("21.42")  # 16.62 + 4.80
    # Overdue 1 312.00 + 1 515.36 + 1 535.04 = 4 362.40; current 1 607.20.
    assert (debt.overdue_amount, debt.current_amount) == (D("4362.40"), D("1607.20"))

    later = debt_breakdown(balance, due, history, DEC_7, RULES)
    # 7 Dec, 13 days on. August: 83 days, 53 at 1/300:
    #   1 312.00 × 9.5 × 53 / 30 000 = 660 592 / 30 000 = 22.0197 -> 22.02.
    # September: 53 days, 23 at 1/300: 1 515.36 × 9.5 × 23 / 30 000 = 331 106.16 / 30 000
    #   = 11.0369 -> 11.04. October: 22 days, nothing. Total 22.02 + 11.04 = 33.06.
    assert [b.penalty for b in later.bills] == [D("22.02"), D("11.04"), D("0.00"), D("0.00")]
    assert later.penalty == D("33.06")
    assert (later.oldest_due_date, later.overdue_days) == (date(2026, 9, 15), 83)


def test_novikova_5901000016_past_day_90() -> None:
    # Six unpaid bills since June: 1 371.04 + 1 246.40 + 1 430.08 + 1 521.92 + 1 830.24
    # + 1 849.92 = 9 249.60, the balance.
    balance, due, history = demo_account("5901000016")
    debt = debt_breakdown(balance, due, history, NOV_24, RULES)
    # 24 Nov.
    # June's (due 15 Jul): 16 + 31 + 30 + 31 + 24 = 132 days: 60 at 1/300 + 42 at 1/130:
    #   1 371.04 × 9.5 × 60 / 30 000 = 26.0498; 1 371.04 × 9.5 × 42 / 13 000 = 42.0804;
    #   68.1301 -> 68.13.
    # July's (due 15 Aug): 16 + 30 + 31 + 24 = 101 days: 60 at 1/300 + 11 at 1/130:
    #   1 246.40 × 0.019 = 23.6816; 1 246.40 × 9.5 × 11 / 13 000 = 10.0191; 33.7007 -> 33.70.
    # August's (due 15 Sep): 70 days, 40 at 1/300: 1 430.08 × 9.5 × 40 / 30 000 = 18.1143
    #   -> 18.11.
    # September's (due 15 Oct): 40 days, 10 at 1/300: 1 521.92 × 9.5 × 10 / 30 000 = 4.8194
    #   -> 4.82.
    # October's: 9 days; November's: not due.
    assert [b.penalty for b in debt.bills] == [
        D("68.13"),
        D("33.70"),
        D("18.11"),
        D("4.82"),
        D("0.00"),
        D("0.00"),
    ]
    assert debt.penalty == D("124.76")  # 68.13 + 33.70 + 18.11 + 4.82
    assert (debt.oldest_due_date, debt.overdue_days) == (date(2026, 7, 15), 132)
    # Overdue: 9 249.60 - 1 849.92 = 7 399.68.
    assert (debt.overdue_amount, debt.current_amount) == (D("7399.68"), D("1849.92"))

    later = debt_breakdown(balance, due, history, DEC_7, RULES)
    # 7 Dec.
    # June's: 145 days: 26.0498 + 1 371.04 × 9.5 × 55 / 13 000 = 55.1053; 81.1550 -> 81.16.
    # July's: 114 days: 23.6816 + 1 246.40 × 9.5 × 24 / 13 000 = 21.8599; 45.5415 -> 45.54.
    # August's: 83 days, 53 at 1/300: 1 430.08 × 9.5 × 53 / 30 000 = 24.0015 -> 24.00.
    # September's: 53 days, 23 at 1/300: 1 521.92 × 9.5 × 23 / 30 000 = 11.0847 -> 11.08.
    # Total 81.16 + 45.54 + 24.00 + 11.08 = 161.78.
    assert [b.penalty for b in later.bills][:4] == [
        D("81.16"),
        D("45.54"),
        D("24.00"),
        D("11.08"),
    ]
    assert later.penalty == D("161.78")


def test_lebedev_5901000023_within_the_free_days() -> None:
    # October's 984.00 (due 15 Nov) and November's 1 108.64 (due 15 Dec) = 2 092.64.
    balance, due, history = demo_account("5901000023")
    on_24_nov = debt_breakdown(balance, due, history, NOV_24, RULES)
    on_7_dec = debt_breakdown(balance, due, history, DEC_7, RULES)
    # 9 and 22 days late: no penalty yet; November's bill is not overdue.
    assert [b.overdue_days for b in on_24_nov.bills] == [9, 0]
    assert [b.overdue_days for b in on_7_dec.bills] == [22, 0]
    assert on_24_nov.penalty == on_7_dec.penalty == D("0.00")
    assert (on_7_dec.overdue_amount, on_7_dec.current_amount) == (D("984.00"), D("1108.64"))
    # 10 Jan 2027: October's bill is 56 days late (16 Nov-10 Jan); days 31-56 are 16 Dec-10 Jan:
    # 16 days of December at 9.5 %, 10 days of January at the full 16.5 % (the cap ended):
    #   984 × 9.5 × 16 / 30 000 = 4.9856; 984 × 16.5 × 10 / 30 000 = 5.4120; 10.3976 -> 10.40.
    # November's (due 15 Dec) is 26 days late: nothing yet.
    in_january = debt_breakdown(balance, due, history, date(2027, 1, 10), RULES)
    assert [b.penalty for b in in_january.bills] == [D("10.40"), D("0.00")]
    assert in_january.overdue_amount == D("2092.64")


# --- constructed cases ---------------------------------------------------------------------


def entry(period: str, charged: str, paid: str) -> HistoryEntry:
    return HistoryEntry("5900000001", period, D(100), D(charged), D(paid))


# Charged 1 000 + 1 200 + 900 + 800 = 3 900; paid 600 + 1 000 + 0 + 500 = 2 100.
# The 2 100 settles the oldest first: May's 1 000 in full, then 1 100 of June's 1 200.
# Left unpaid by the history: June 100, July 900, August 800 = 1 800.
PARTIAL = [
    entry("2026-05", "1000.00", "600.00"),
    entry("2026-06", "1200.00", "1000.00"),
    entry("2026-07", "900.00", "0.00"),
    entry("2026-08", "800.00", "500.00"),
]


def test_partial_payments_and_an_older_debt() -> None:
    # Billing says 3 100.00, due since 15 May: 3 100 - 1 800 = 1 300 is debt the history does
    # not show, due on billing's date. 1 Sep 2026:
    # - older debt, due 15 May: 16 + 30 + 31 + 31 + 1 = 109 days: 60 at 1/300 + 19 at 1/130:
    #   1 300 × 9.5 × 60 / 30 000 = 24.70; 1 300 × 9.5 × 19 / 13 000 = 18.05; 42.75.
    # - June's 100 (due 15 Jul): 16 + 31 + 1 = 48 days, 18 at 1/300:
    #   100 × 9.5 × 18 / 30 000 = 0.57.
    # - July's 900 (due 15 Aug): 17 days, nothing. August's 800 (due 15 Sep): not due.
    debt = debt_breakdown(D("3100.00"), date(2026, 5, 15), PARTIAL, date(2026, 9, 1), RULES)
    assert unpaid(debt.bills) == [
        (None, D("1300.00"), date(2026, 5, 15), 109, D("42.75")),
        ("2026-06", D("100.00"), date(2026, 7, 15), 48, D("0.57")),
        ("2026-07", D("900.00"), date(2026, 8, 15), 17, D("0.00")),
        ("2026-08", D("800.00"), date(2026, 9, 15), 0, D("0.00")),
    ]
    assert debt.bills[0].charged is None and debt.bills[1].charged == D("1200.00")
    assert debt.penalty == D("43.32")  # 42.75 + 0.57
    # Overdue 1 300 + 100 + 900 = 2 300; current 800.
    assert (debt.overdue_amount, debt.current_amount) == (D("2300.00"), D("800.00"))
    assert (debt.oldest_due_date, debt.overdue_days) == (date(2026, 5, 15), 109)


def test_an_older_debt_without_a_due_date_is_due_with_the_oldest_bill() -> None:
    # 2 000 - 1 800 = 200 older debt; no date from billing: the oldest bill's, May's: 15 Jun.
    # 1 Sep: 15 + 31 + 31 + 1 = 78 days, 48 at 1/300: 200 × 9.5 × 48 / 30 000 = 3.04.
    # June's 100: 0.57 as above. Total 3.61.
    debt = debt_breakdown(D("2000.00"), None, PARTIAL, date(2026, 9, 1), RULES)
    assert [(b.period, b.unpaid, b.due_date, b.penalty) for b in debt.bills[:2]] == [
        (None, D("200.00"), date(2026, 6, 15), D("3.04")),
        ("2026-06", D("100.00"), date(2026, 7, 15), D("0.57")),
    ]
    assert debt.penalty == D("3.61")


def test_a_balance_below_the_history_settles_the_oldest_remainders() -> None:
    # Billing says 1 500.00: 1 800 - 1 500 = 300 paid since (not in the history yet). It
    # settles June's 100, then 200 of July's 900: left July 700, August 800.
    # 20 Sep: July's (due 15 Aug) 36 days late, 6 at 1/300: 700 × 9.5 × 6 / 30 000 = 1.33;
    # August's (due 15 Sep) 5 days late: nothing.
    debt = debt_breakdown(D("1500.00"), date(2026, 8, 15), PARTIAL, date(2026, 9, 20), RULES)
    assert unpaid(debt.bills) == [
        ("2026-07", D("700.00"), date(2026, 8, 15), 36, D("1.33")),
        ("2026-08", D("800.00"), date(2026, 9, 15), 5, D("0.00")),
    ]
    assert (debt.overdue_amount, debt.current_amount, debt.penalty) == (
        D("1500.00"),
        D("0.00"),
        D("1.33"),
    )


def test_an_overpayment_leaves_nothing_unpaid() -> None:
    debt = debt_breakdown(D("-250.00"), None, PARTIAL, date(2026, 12, 1), RULES)
    assert debt.bills == () and debt.penalty == 0 and debt.overdue_days == 0
    assert debt.overdue_amount == debt.current_amount == 0


def test_a_debt_the_history_does_not_show_is_due_on_billings_date() -> None:
    # Everything in the history is paid; 1 250.40 was billed after it, due 15 Dec 2026.
    # 20 Jan 2027: 36 days late, days 31-36 are 15-20 Jan 2027, at 16.5 % (no cap by then):
    #   1 250.40 × 16.5 × 6 / 30 000 = 4.1263 -> 4.13.
    paid = [entry(f"2026-{m:02d}", "1312.00", "1312.00") for m in range(5, 11)]
    summary = summarize(D("1250.40"), date(2026, 12, 15), paid, date(2027, 1, 20), RULES)
    assert (summary.overdue_days, summary.penalty) == (36, D("4.13"))
    assert summary.overdue_since == date(2026, 12, 15)


def test_an_unpaid_bill_in_the_history_is_overdue_without_billings_date() -> None:
    history = [entry("2026-08", "1000.00", "0.00")]
    # Due 15 Sep; 1 Nov: 15 + 31 + 1 = 47 days, 17 at 1/300:
    #   1 000 × 9.5 × 17 / 30 000 = 5.3833 -> 5.38.
    summary = summarize(D("1000.00"), None, history, date(2026, 11, 1), RULES)
    assert (summary.overdue_days, summary.overdue_since, summary.penalty) == (
        47,
        date(2026, 9, 15),
        D("5.38"),
    )


# --- billing's own penalty -----------------------------------------------------------------


def test_billings_penalty_wins_over_the_estimate() -> None:
    balance, due, history = demo_account("5901000012")
    summary = summarize(balance, due, history, DEC_7, RULES, billing_penalty=D("38.90"))
    assert summary.penalty == D("38.90")
    assert summary.penalty_source is PenaltySource.BILLING
    assert summary.estimated_penalty == D("40.03")  # as counted above
    zero = summarize(balance, due, history, DEC_7, RULES, billing_penalty=D("0.00"))
    assert (zero.penalty, zero.penalty_source) == (D("0.00"), PenaltySource.BILLING)


def test_summary_carries_the_bills() -> None:
    balance, due, history = demo_account("5901000002")
    summary = summarize(balance, due, history, DEC_7, RULES, 3)
    assert summary.kind is BalanceKind.DEBT and summary.amount == D("5969.60")
    assert [h.period for h in summary.history] == ["2026-11", "2026-10", "2026-09"]
    # The bills come from the whole history given, not the three months shown.
    assert [b.period for b in summary.bills] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert (summary.overdue_amount, summary.current_amount) == (D("4362.40"), D("1607.20"))
    assert (summary.overdue_days, summary.overdue_since) == (83, date(2026, 9, 15))
    assert summary.penalty == D("33.06")  # 22.02 + 11.04, as above
