"""Whether supply may be restricted for debt: the overdue debt against two months at the
standard (demo standards: urban with gas stoves 130 kWh, urban electric 160, rural 190),
priced at the category's single-rate range I tariff. Thresholds worked out by hand:
  urban_gas       2 × 130 × 6.56 = 1 705.60
  urban_electric  2 × 160 × 4.59 = 1 468.80
  rural           2 × 190 × 4.59 = 1 744.20
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.accounts import Category
from core.balance import PenaltyRules, summarize
from core.restriction import RestrictionRules, earliest_restriction, restriction_check
from core.tariffs import NoTariff
from tests.core import demo

D = Decimal
RULES = RestrictionRules()
TARIFFS = demo.tariffs()
DEC_7 = date(2026, 12, 7)


def check(number: str, today: date, rules: RestrictionRules = RULES) -> tuple[bool, Decimal]:
    balance, due, category = demo.account(number)
    summary = summarize(balance, due, demo.history(number), today, PenaltyRules())
    result = restriction_check(summary, category, TARIFFS, today, rules)
    return result.possible, result.overdue_amount


@pytest.mark.parametrize(
    ("number", "possible", "overdue"),
    [
        # Aug 1 312.00 + Sep 1 515.36 + Oct 1 535.04 = 4 362.40 > 1 705.60.
        ("5901000002", True, D("4362.40")),
        # Sep 5 495.54 + Oct 9 817.43 = 15 312.97 > 1 744.20.
        ("5901000012", True, D("15312.97")),
        # Jun-Oct: 9 249.60 - 1 849.92 = 7 399.68 > 1 705.60.
        ("5901000016", True, D("7399.68")),
        # October's 984.00 only (November's is due 15 Dec): below 1 705.60.
        ("5901000023", False, D("984.00")),
        # 19 265.54 owed, but November's bill is not due until 15 Dec: nothing overdue.
        ("5901000017", False, D("0")),
    ],
)
def test_demo_debtors_on_7_december(number: str, possible: bool, overdue: Decimal) -> None:
    assert check(number, DEC_7) == (possible, overdue)


def test_the_threshold_and_the_facts_told() -> None:
    balance, due, category = demo.account("5901000012")
    summary = summarize(balance, due, demo.history("5901000012"), DEC_7, PenaltyRules())
    result = restriction_check(summary, category, TARIFFS, DEC_7, RULES)
    assert (result.norm_kwh, result.norm_months, result.price) == (D(190), 2, D("4.59"))
    assert (result.threshold, result.tariff_date) == (D("1744.20"), date(2026, 1, 1))
    assert (result.notice_days, result.reconnection_cap, result.supply_back_days) == (
        20,
        D(5000),
        2,
    )


def test_lebedev_passes_the_threshold_once_novembers_bill_is_overdue() -> None:
    # 16 Dec: 984.00 + 1 108.64 = 2 092.64 > 1 705.60.
    assert check("5901000023", date(2026, 12, 16)) == (True, D("2092.64"))


def test_exactly_the_threshold_is_not_above_it() -> None:
    # Smirnov's 4 362.40 overdue against a standard of 4 362.40 / (2 × 6.56) = 332.5 kWh.
    rules = RestrictionRules(norm_kwh={Category.URBAN_GAS: D("332.5")})
    assert check("5901000002", DEC_7, rules) == (False, D("4362.40"))
    # A standard 1 kWh lower: 2 × 331.5 × 6.56 = 4 349.28 < 4 362.40.
    rules = RestrictionRules(norm_kwh={Category.URBAN_GAS: D("331.5")})
    assert check("5901000002", DEC_7, rules)[0] is True


def test_the_price_is_the_one_valid_on_the_day() -> None:
    balance, due, category = demo.account("5901000002")
    summary = summarize(balance, due, demo.history("5901000002"), DEC_7, PenaltyRules())
    # In December 2025 the urban range I price was 6.45: 2 × 130 × 6.45 = 1 677.00.
    result = restriction_check(summary, category, TARIFFS, date(2025, 12, 20), RULES)
    assert (result.price, result.threshold) == (D("6.45"), D("1677.00"))
    with pytest.raises(NoTariff):
        restriction_check(summary, category, TARIFFS, date(2025, 6, 30), RULES)


def test_no_restriction_earlier_than_20_days_after_the_notice() -> None:
    assert earliest_restriction(date(2026, 12, 7), RULES) == date(2026, 12, 27)
