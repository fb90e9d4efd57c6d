from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.accounts import Category
from core.meters import Scheme, Zone
from core.tariffs import (
    Estimate,
    EstimateLine,
    NoTariff,
    TariffRow,
    ZoneSplit,
    consumption_range,
    estimate,
    rows_valid_on,
)

D = Decimal
JAN_2026 = date(2026, 1, 1)
URBAN_LIMITS = {1: (D(0), D(1000)), 2: (D(1000), D(6000)), 3: (D(6000), None)}


def rows_for(
    scheme: Scheme,
    prices: dict[Zone, tuple[str, str, str]],
    valid_from: date = JAN_2026,
    valid_to: date | None = None,
    category: Category = Category.URBAN_GAS,
) -> list[TariffRow]:
    return [
        TariffRow(category, scheme, zone, n, lo, hi, D(price), valid_from, valid_to)
        for zone, zone_prices in prices.items()
        for n, price in enumerate(zone_prices, start=1)
        for lo, hi in [URBAN_LIMITS[n]]
    ]


TWO_ZONE = rows_for(
    Scheme.TWO_ZONE, {Zone.DAY: ("7.08", "9.74", "11.15"), Zone.NIGHT: ("4.26", "7.22", "8.27")}
)
SINGLE = rows_for(Scheme.SINGLE, {Zone.ALL: ("6.56", "9.02", "10.32")})


def test_rows_valid_on_date_category_and_scheme() -> None:
    old = rows_for(
        Scheme.TWO_ZONE,
        {Zone.DAY: ("6.96", "9.58", "10.96"), Zone.NIGHT: ("4.19", "7.10", "8.13")},
        valid_from=date(2025, 7, 1),
        valid_to=date(2025, 12, 31),
    )
    electric = rows_for(
        Scheme.TWO_ZONE,
        {Zone.DAY: ("4.96", "9.74", "11.15"), Zone.NIGHT: ("2.98", "7.22", "8.27")},
        category=Category.URBAN_ELECTRIC,
    )
    rows = old + TWO_ZONE + SINGLE + electric
    assert rows_valid_on(rows, Category.URBAN_GAS, Scheme.TWO_ZONE, date(2025, 12, 31)) == old
    assert rows_valid_on(rows, Category.URBAN_GAS, Scheme.TWO_ZONE, JAN_2026) == TWO_ZONE
    assert rows_valid_on(rows, Category.URBAN_GAS, Scheme.TWO_ZONE, date(2030, 1, 1)) == TWO_ZONE
    assert rows_valid_on(rows, Category.URBAN_GAS, Scheme.SINGLE, JAN_2026) == SINGLE
    assert rows_valid_on(rows, Category.RURAL, Scheme.SINGLE, JAN_2026) == []
    assert rows_valid_on(rows, Category.URBAN_GAS, Scheme.SINGLE, date(2025, 12, 31)) == []


def test_domain_example_two_zone_range_one() -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: D(180), Zone.NIGHT: D(70)})
    assert result.total == D("1572.60")
    assert result.lines == (
        EstimateLine(Zone.DAY, 1, D(180), D("7.08"), D("1274.40")),
        EstimateLine(Zone.NIGHT, 1, D(70), D("4.26"), D("298.20")),
    )
    assert result.tariff_date == JAN_2026
    assert (result.category, result.scheme) == (Category.URBAN_GAS, Scheme.TWO_ZONE)
    assert result.kwh == D(250)


def test_single_rate_range_split() -> None:
    result = estimate(SINGLE, {Zone.ALL: D(1500)})
    assert [(line.range, line.kwh, line.amount) for line in result.lines] == [
        (1, D(1000), D("6560.00")),
        (2, D(500), D("4510.00")),
    ]
    assert result.total == D("11070.00")


def test_single_rate_all_three_ranges() -> None:
    result = estimate(SINGLE, {Zone.ALL: D(7000)})
    assert [(line.range, line.kwh) for line in result.lines] == [
        (1, D(1000)),
        (2, D(5000)),
        (3, D(1000)),
    ]
    assert result.total == D(6560) + D(45100) + D(10320)


def test_range_boundary_belongs_to_the_lower_range() -> None:
    result = estimate(SINGLE, {Zone.ALL: D(1000)})
    assert [(line.range, line.kwh) for line in result.lines] == [(1, D(1000))]


def test_proportional_split_across_zones() -> None:
    # 1 200 kWh: 1 000 in range I, 200 in range II; day is 2/3 of the volume in each.
    result = estimate(TWO_ZONE, {Zone.DAY: D(800), Zone.NIGHT: D(400)})
    assert [(line.zone, line.range, line.kwh) for line in result.lines] == [
        (Zone.DAY, 1, D("666.67")),
        (Zone.DAY, 2, D("133.33")),
        (Zone.NIGHT, 1, D("333.33")),
        (Zone.NIGHT, 2, D("66.67")),
    ]
    assert result.kwh == D(1200)
    assert sum(line.kwh for line in result.lines if line.range == 1) == D(1000)
    # 4 720.02 + 1 298.63 + 1 419.99 + 481.36
    assert [line.amount for line in result.lines] == [
        D("4720.02"),
        D("1298.63"),
        D("1419.99"),
        D("481.36"),
    ]
    assert result.total == D("7920.00")


def test_proportional_split_even_shares() -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: D(900), Zone.NIGHT: D(300)})
    assert [(line.zone, line.range, line.kwh) for line in result.lines] == [
        (Zone.DAY, 1, D(750)),
        (Zone.DAY, 2, D(150)),
        (Zone.NIGHT, 1, D(250)),
        (Zone.NIGHT, 2, D(50)),
    ]
    assert result.total == D(750) * D("7.08") + D(150) * D("9.74") + D(250) * D("4.26") + D(50) * D(
        "7.22"
    )


def test_sequential_split_fills_range_one_in_the_given_order() -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: D(800), Zone.NIGHT: D(400)}, split=ZoneSplit.SEQUENTIAL)
    assert [(line.zone, line.range, line.kwh) for line in result.lines] == [
        (Zone.DAY, 1, D(800)),
        (Zone.NIGHT, 1, D(200)),
        (Zone.NIGHT, 2, D(200)),
    ]
    reversed_order = estimate(
        TWO_ZONE, {Zone.NIGHT: D(400), Zone.DAY: D(800)}, split=ZoneSplit.SEQUENTIAL
    )
    assert [(line.zone, line.range, line.kwh) for line in reversed_order.lines] == [
        (Zone.NIGHT, 1, D(400)),
        (Zone.DAY, 1, D(600)),
        (Zone.DAY, 2, D(200)),
    ]


def test_large_family_pays_range_one_for_everything() -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: D(5000), Zone.NIGHT: D(2000)}, large_family=True)
    assert [(line.zone, line.range, line.kwh) for line in result.lines] == [
        (Zone.DAY, 1, D(5000)),
        (Zone.NIGHT, 1, D(2000)),
    ]
    assert result.total == D("35400.00") + D("8520.00")


def test_zero_volume_gives_an_empty_estimate() -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: D(0), Zone.NIGHT: D(0)})
    assert result == Estimate(Category.URBAN_GAS, Scheme.TWO_ZONE, JAN_2026, (), D(0))


def test_zero_zone_has_no_line() -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: D(100), Zone.NIGHT: D(0)})
    assert [(line.zone, line.kwh) for line in result.lines] == [(Zone.DAY, D(100))]


def test_no_rows_raises() -> None:
    with pytest.raises(NoTariff):
        estimate([], {Zone.ALL: D(100)})


def test_zone_without_a_row_raises() -> None:
    with pytest.raises(NoTariff):
        estimate(SINGLE, {Zone.DAY: D(100)})


def test_missing_range_price_raises_only_when_needed() -> None:
    range_one_only = [row for row in SINGLE if row.range == 1]
    assert estimate(range_one_only, {Zone.ALL: D(900)}).total == D("5904.00")
    with pytest.raises(NoTariff):
        estimate(range_one_only, {Zone.ALL: D(1001)})


def test_tariff_date_is_the_latest_valid_from_of_rows_used() -> None:
    newer_night = [
        TariffRow(
            Category.URBAN_GAS,
            Scheme.TWO_ZONE,
            Zone.NIGHT,
            1,
            D(0),
            D(1000),
            D("4.40"),
            date(2026, 10, 1),
            None,
        )
    ]
    day_rows = [row for row in TWO_ZONE if row.zone is Zone.DAY]
    night_rows = [row for row in TWO_ZONE if row.zone is Zone.NIGHT]
    result = estimate(day_rows + night_rows + newer_night, {Zone.DAY: D(10), Zone.NIGHT: D(10)})
    assert result.tariff_date == date(2026, 10, 1)
    assert result.lines[1].price == D("4.40")
    only_day = estimate(day_rows + newer_night, {Zone.DAY: D(10)})
    assert only_day.tariff_date == JAN_2026


volumes = st.decimals(min_value=0, max_value=20000, places=3, allow_nan=False)


@given(day=volumes, night=volumes, split=st.sampled_from(ZoneSplit))
@example(day=D("0.042"), night=D("5999.959"), split=ZoneSplit.PROPORTIONAL)
def test_zone_lines_add_up_to_the_zone_volume(
    day: Decimal, night: Decimal, split: ZoneSplit
) -> None:
    result = estimate(TWO_ZONE, {Zone.DAY: day, Zone.NIGHT: night}, split=split)
    for zone, kwh in ((Zone.DAY, day), (Zone.NIGHT, night)):
        assert sum((line.kwh for line in result.lines if line.zone is zone), D(0)) == kwh
    assert all(line.kwh > 0 for line in result.lines)
    range_one = sum((line.kwh for line in result.lines if line.range == 1), D(0))
    assert abs(range_one - min(day + night, D(1000))) <= D("0.01")
    assert result.total == sum((line.amount for line in result.lines), D(0))


def test_overlapping_periods_take_the_newest_row() -> None:
    old = TariffRow(
        Category.URBAN_GAS,
        Scheme.SINGLE,
        Zone.ALL,
        1,
        D(0),
        D(1000),
        D("6.56"),
        date(2026, 1, 1),
        None,
    )
    new = TariffRow(
        Category.URBAN_GAS,
        Scheme.SINGLE,
        Zone.ALL,
        1,
        D(0),
        D(1000),
        D("7.06"),
        date(2026, 10, 1),
        None,
    )
    assert rows_valid_on([old, new], Category.URBAN_GAS, Scheme.SINGLE, date(2026, 11, 1)) == [new]
    assert rows_valid_on([old, new], Category.URBAN_GAS, Scheme.SINGLE, date(2026, 9, 1)) == [old]


@pytest.mark.parametrize(
    ("kwh", "expected"),
    [("0", 1), ("250", 1), ("1000", 1), ("1000.01", 2), ("6000", 2), ("7000", 3)],
)
def test_consumption_range(kwh: str, expected: int) -> None:
    assert consumption_range(SINGLE, D(kwh)) == expected
    assert consumption_range(SINGLE, D(kwh), large_family=True) == 1
