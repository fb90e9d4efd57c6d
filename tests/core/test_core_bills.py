"""How a month's bill came about, on the demo accounts; figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.accounts import Category
from core.balance import BillingBasis, HistoryEntry
from core.bills import PriceChange, TariffChange, explain_bill, split_volume, zone_weights
from core.meters import Meter, Register, Scheme, Zone
from core.tariffs import EstimateLine
from tests.core import demo

D = Decimal


TARIFFS = demo.tariffs()
KOCHERGIN = demo.history("5901000017")  # urban, electric heating, single-rate
CHUDINOVA = demo.history("5901000012")  # rural, electric heating, three-zone


def test_kochergin_november_in_ranges_i_and_ii() -> None:
    bill = explain_bill(KOCHERGIN, "2026-11", TARIFFS, Category.URBAN_ELECTRIC, Scheme.SINGLE)
    assert bill is not None
    assert (bill.kwh, bill.charged) == (D(2627), D("19265.54"))
    # Urban range I ends at 1 000 kWh: 1 000 × 4.59 = 4 590.00; the other 1 627 kWh are in
    # range II: 1 627 × 9.02 = 14 675.54; 4 590.00 + 14 675.54 = 19 265.54, billing's figure.
    assert bill.estimate is not None
    assert bill.estimate.lines == (
        EstimateLine(Zone.ALL, 1, D(1000), D("4.59"), D("4590.00")),
        EstimateLine(Zone.ALL, 2, D(1627), D("9.02"), D("14675.54")),
    )
    assert bill.estimate.tariff_date == date(2026, 1, 1)
    assert (bill.estimate.total, bill.difference) == (D("19265.54"), D("0.00"))
    assert (bill.top_range, bill.range_one_limit) == (2, D(1000))
    # May-October: 1 104 + 733 + 699 + 721 + 1 321 + 2 235 = 6 813 kWh / 6 = 1 135.5;
    # 2 627 / 1 135.5 = 2.3135: 131 % more.
    assert (bill.average_kwh, bill.average_months, bill.change_percent) == (D("1135.50"), 6, 131)
    assert bill.year_ago_kwh is None  # the history starts in December 2025
    assert bill.tariff_changes == ()  # prices unchanged since 1 January
    assert bill.basis is BillingBasis.READING  # read on 23 November (demo history)


def test_kochergin_january_across_the_tariff_change() -> None:
    bill = explain_bill(KOCHERGIN, "2026-01", TARIFFS, Category.URBAN_ELECTRIC, Scheme.SINGLE)
    assert bill is not None and bill.estimate is not None
    # 3 727 kWh at the 2026 prices: 1 000 × 4.59 = 4 590.00 + 2 727 × 9.02 = 24 597.54
    # = 29 187.54 (billing charged the same).
    assert [(line.kwh, line.price, line.amount) for line in bill.estimate.lines] == [
        (D(1000), D("4.59"), D("4590.00")),
        (D(2727), D("9.02"), D("24597.54")),
    ]
    assert bill.difference == D("0.00")
    # Compared with December alone (3 696 kWh): 3 727 / 3 696 = 1.0084: +1 %.
    assert (bill.average_kwh, bill.average_months, bill.change_percent) == (D("3696.00"), 1, 1)
    # December was billed at the 2025 prices, January at the new ones (÷ 1.017 before):
    # I 4.51 -> 4.59, II 8.87 -> 9.02, III 10.15 -> 10.32.
    assert bill.tariff_changes == (
        TariffChange(
            date(2026, 1, 1),
            (
                PriceChange(Zone.ALL, 1, D("4.51"), D("4.59")),
                PriceChange(Zone.ALL, 2, D("8.87"), D("9.02")),
                PriceChange(Zone.ALL, 3, D("10.15"), D("10.32")),
            ),
        ),
    )


def test_kochergin_december_2025_at_the_old_prices() -> None:
    bill = explain_bill(KOCHERGIN, "2025-12", TARIFFS, Category.URBAN_ELECTRIC, Scheme.SINGLE)
    assert bill is not None and bill.estimate is not None
    # 3 696 kWh: 1 000 × 4.51 = 4 510.00 + 2 696 × 8.87 = 23 913.52 = 28 423.52.
    assert bill.estimate.total == D("28423.52") == bill.charged
    assert bill.estimate.tariff_date == date(2025, 7, 1)
    # Nothing earlier to compare with; no change inside December itself.
    assert (bill.average_kwh, bill.change_percent, bill.tariff_changes) == (None, None, ())


def test_kochergin_february_compares_with_two_months_over_the_change() -> None:
    bill = explain_bill(KOCHERGIN, "2026-02", TARIFFS, Category.URBAN_ELECTRIC, Scheme.SINGLE)
    assert bill is not None and bill.estimate is not None
    # 2 973 kWh: 4 590.00 + 1 973 × 9.02 = 17 796.46 -> 22 386.46.
    assert bill.estimate.total == D("22386.46") == bill.charged
    # (3 696 + 3 727) / 2 = 3 711.5; 2 973 / 3 711.5 = 0.8010: 20 % less.
    assert (bill.average_kwh, bill.change_percent) == (D("3711.50"), -20)
    assert [change.on for change in bill.tariff_changes] == [date(2026, 1, 1)]


def test_chudinova_november_three_zones_in_rural_ranges() -> None:
    # The November readings' consumption per register: peak 829.5, night 829.5, semi-peak
    # 1 106 = 2 765 kWh (30 / 30 / 40 %).
    readings = {Zone.PEAK: D("829.5"), Zone.NIGHT: D("829.5"), Zone.SEMIPEAK: D(1106)}
    bill = explain_bill(
        CHUDINOVA, "2026-11", TARIFFS, Category.RURAL, Scheme.THREE_ZONE, zone_kwh=readings
    )
    assert bill is not None and bill.estimate is not None
    # Rural range I ends at 2 000 kWh: 2 000 / 2 765 of every zone is in range I, the rest
    # (765 / 2 765) in range II. Peak: 829.5 × 2 000 / 2 765 = 600, so 600 + 229.5; night
    # the same; semi-peak 1 106 × 2 000 / 2 765 = 800, so 800 + 306.
    #   peak  600 × 5.45 = 3 270.00    229.5 × 10.71 = 2 457.945 -> 2 457.95
    #   night 600 × 2.98 = 1 788.00    229.5 × 7.22  = 1 656.99
    #   semi  800 × 4.59 = 3 672.00    306   × 9.02  = 2 760.12
    # 3 270.00 + 2 457.95 + 1 788.00 + 1 656.99 + 3 672.00 + 2 760.12 = 15 605.06, as billed.
    assert [(ln.zone, ln.range, ln.kwh, ln.price, ln.amount) for ln in bill.estimate.lines] == [
        (Zone.PEAK, 1, D("600.00"), D("5.45"), D("3270.00")),
        (Zone.PEAK, 2, D("229.50"), D("10.71"), D("2457.95")),
        (Zone.NIGHT, 1, D("600.00"), D("2.98"), D("1788.00")),
        (Zone.NIGHT, 2, D("229.50"), D("7.22"), D("1656.99")),
        (Zone.SEMIPEAK, 1, D("800.00"), D("4.59"), D("3672.00")),
        (Zone.SEMIPEAK, 2, D("306.00"), D("9.02"), D("2760.12")),
    ]
    assert (bill.estimate.total, bill.difference) == (D("15605.06"), D("0.00"))
    assert (bill.top_range, bill.range_one_limit) == (2, D(2000))
    # May-October: 1 207 + 766 + 742 + 792 + 1 259 + 2 121 = 6 887 / 6 = 1 147.833...;
    # 2 765 / 1 147.833 = 2.4089: 141 % more.
    assert (bill.average_kwh, bill.change_percent) == (D("1147.83"), 141)


def test_chudinova_without_readings_shares_by_billings_register_averages() -> None:
    meter = Meter(
        "5901000012",
        "008841207765103",
        Scheme.THREE_ZONE,
        7,
        False,
        None,
        (
            Register("T1", D(96310), date(2026, 10, 23), D("422.2")),
            Register("T2", D(88412), date(2026, 10, 23), D("422.2")),
            Register("T3", D(121905), date(2026, 10, 23), D("563.0")),
        ),
    )
    weights = zone_weights(meter)
    assert weights == {Zone.PEAK: D("422.2"), Zone.NIGHT: D("422.2"), Zone.SEMIPEAK: D("563.0")}
    # 422.2 + 422.2 + 563.0 = 1 407.4; 2 765 × 422.2 / 1 407.4 = 829.4649 -> 829.46 (twice);
    # semi-peak takes the rest: 2 765 - 1 658.92 = 1 106.08.
    assert split_volume(D(2765), weights) == {
        Zone.PEAK: D("829.46"),
        Zone.NIGHT: D("829.46"),
        Zone.SEMIPEAK: D("1106.08"),
    }
    bill = explain_bill(
        CHUDINOVA, "2026-11", TARIFFS, Category.RURAL, Scheme.THREE_ZONE, zone_kwh=weights
    )
    assert bill is not None and bill.estimate is not None
    assert bill.estimate.kwh == D(2765)
    # Shares that are not the month's own leave a few kopecks between estimate and charge.
    assert bill.difference is not None and abs(bill.difference) < D("1.00")


def test_a_meter_with_one_average_repeated_gives_no_weights() -> None:
    registers = (
        Register("T1", D(1), None, D(300)),
        Register("T2", D(1), None, D(300)),
    )
    meter = Meter("5900000001", "X", Scheme.TWO_ZONE, 6, False, None, registers)
    assert zone_weights(meter) is None


def test_a_multi_zone_month_without_volumes_is_compared_but_not_priced() -> None:
    bill = explain_bill(CHUDINOVA, "2026-11", TARIFFS, Category.RURAL, Scheme.THREE_ZONE)
    assert bill is not None
    assert (bill.estimate, bill.difference) == (None, None)
    assert bill.top_range == 2  # 2 765 kWh is past 2 000 whatever the zones
    assert bill.change_percent == 141


def test_billing_basis_and_a_missing_month() -> None:
    smirnov = demo.history("5901000002")
    bill = explain_bill(smirnov, "2026-11", TARIFFS, Category.URBAN_GAS, Scheme.SINGLE)
    assert bill is not None and bill.basis is BillingBasis.AVERAGE  # last reading 24 October
    # 245 × 6.56 = 1 607.20, as billed.
    assert bill.estimate is not None and bill.estimate.total == D("1607.20")
    assert explain_bill(smirnov, "2024-11", TARIFFS, Category.URBAN_GAS, Scheme.SINGLE) is None


def test_a_large_family_pays_range_i_for_everything() -> None:
    bill = explain_bill(
        KOCHERGIN, "2026-11", TARIFFS, Category.URBAN_ELECTRIC, Scheme.SINGLE, large_family=True
    )
    assert bill is not None and bill.estimate is not None
    # 2 627 × 4.59 = 12 057.93; billing charged 19 265.54: 7 207.61 more than the estimate.
    assert bill.estimate.total == D("12057.93")
    assert (bill.top_range, bill.difference) == (1, D("7207.61"))


def test_the_same_month_a_year_before() -> None:
    history = [
        HistoryEntry("5900000001", "2025-11", D(180), D("1180.80"), D("1180.80")),
        HistoryEntry("5900000001", "2026-10", D(200), D("1312.00"), D("1312.00")),
        HistoryEntry("5900000001", "2026-11", D(240), D("1574.40"), D(0)),
    ]
    bill = explain_bill(history, "2026-11", TARIFFS, Category.URBAN_GAS, Scheme.SINGLE, months=1)
    assert bill is not None
    assert (bill.year_ago_kwh, bill.average_kwh, bill.change_percent) == (D(180), D(200), 20)
    # November 2025 is compared too: the 1 January 2026 change lies between.
    assert [change.on for change in bill.tariff_changes] == [date(2026, 1, 1)]
