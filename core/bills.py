"""How a month's bill came about: the volume against the customer's own average, the price
lines of the consumption ranges, how billing got the volume, and tariff changes on the way.

Numbers only; the dialogs say them in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.accounts import Category
from core.balance import BillingBasis, HistoryEntry
from core.calendar import add_months
from core.meters import REGISTER_ZONES, Meter, Scheme, Zone
from core.tariffs import (
    Estimate,
    NoTariff,
    TariffRow,
    ZoneSplit,
    consumption_range,
    estimate,
    rows_valid_on,
)

_KWH_STEP = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PriceChange:
    zone: Zone
    range: int
    before: Decimal  # rub/kWh the day before
    after: Decimal  # from the change on


@dataclass(frozen=True, slots=True)
class TariffChange:
    on: date  # the new prices' valid_from (1 Jan, 1 Oct, ...)
    prices: tuple[PriceChange, ...]  # the prices of the account's scheme that changed


@dataclass(frozen=True, slots=True)
class BillExplanation:
    period: str  # YYYY-MM
    kwh: Decimal
    charged: Decimal  # billing's figure
    basis: BillingBasis | None  # reading, average or norm; None: billing did not say
    # The customer's own average of the months before (up to `months` of them), to 0.01 kWh;
    # None when the history has no earlier month.
    average_kwh: Decimal | None
    average_months: int  # how many months the average is over
    change_percent: int | None  # kWh against that average: +131 means 2.31 times; None: none
    year_ago_kwh: Decimal | None  # the same month a year before, when the history has it
    top_range: int  # the consumption range the month's volume reaches (1, 2, 3)
    range_one_limit: Decimal | None  # the upper limit of range I (1 000 urban, 2 000 rural)
    # The month's volume priced with the tariff valid on its first day, one line per zone and
    # range (1 000 × 4.59 + 1 627 × 9.02); None without a tariff or zone volumes.
    estimate: Estimate | None
    difference: Decimal | None  # charged - estimate.total: a recalculation, or rounding
    tariff_changes: tuple[TariffChange, ...]  # between the first month compared and this one


def _first_day(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def _period(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def zone_weights(meter: Meter) -> dict[Zone, Decimal] | None:
    """Billing's per-register monthly averages as zone weights, for a multi-zone meter whose
    month has no readings per register; None when billing gave one figure for the meter."""
    averages = [(meter.zone_of(r.name), r.avg_monthly_kwh) for r in meter.registers]
    known = [value for _, value in averages if value is not None]
    if len(known) != len(averages) or (len(set(known)) == 1 and len(known) > 1):
        return None
    weights: dict[Zone, Decimal] = {}
    for zone, value in averages:
        weights[zone] = weights.get(zone, Decimal(0)) + (value or Decimal(0))
    return weights


def split_volume(kwh: Decimal, weights: Mapping[Zone, Decimal]) -> dict[Zone, Decimal]:
    """The month's kWh shared among zones in proportion to `weights` (the month's own volumes
    per register, or averages), to 0.01 kWh; the last zone takes what rounding leaves."""
    total = sum(weights.values(), Decimal(0))
    if total <= 0 or any(value < 0 for value in weights.values()):
        raise ValueError("zone weights must be non-negative and not all zero")
    zones = list(weights)
    shares: dict[Zone, Decimal] = {}
    for zone in zones[:-1]:
        shares[zone] = (kwh * weights[zone] / total).quantize(_KWH_STEP, ROUND_HALF_UP)
    shares[zones[-1]] = kwh - sum(shares.values(), Decimal(0))
    return shares


def _tariff_changes(
    rows: Sequence[TariffRow], category: Category, scheme: Scheme, after: date, until: date
) -> tuple[TariffChange, ...]:
    """Price changes of the scheme taking effect in (after, until]."""
    starts = sorted(
        {
            row.valid_from
            for row in rows
            if row.category == category and row.scheme == scheme and after < row.valid_from <= until
        }
    )
    changes = []
    for start in starts:
        before = {
            (r.zone, r.range): r.price
            for r in rows_valid_on(list(rows), category, scheme, start - timedelta(days=1))
        }
        prices = tuple(
            PriceChange(r.zone, r.range, before[(r.zone, r.range)], r.price)
            for r in rows_valid_on(list(rows), category, scheme, start)
            if (r.zone, r.range) in before and before[(r.zone, r.range)] != r.price
        )
        if prices:
            changes.append(TariffChange(start, prices))
    return tuple(changes)


def explain_bill(
    history: Sequence[HistoryEntry],
    period: str,
    tariffs: Sequence[TariffRow],
    category: Category,
    scheme: Scheme,
    *,
    zone_kwh: Mapping[Zone, Decimal] | None = None,
    large_family: bool = False,
    split: ZoneSplit = ZoneSplit.PROPORTIONAL,
    months: int = 6,
) -> BillExplanation | None:
    """How the bill of `period` came about; None when the history has no such month.

    `zone_kwh`: the month's volume per zone, or weights to share it by (the readings'
    consumption per register, or `zone_weights(meter)`); a single-rate month needs none.
    The volume priced is always billing's kWh for the month. An account with several meters
    is billed on their sum: its bill cannot be priced as one scheme, give no zone_kwh.
    """
    by_period = {entry.period: entry for entry in history}
    entry = by_period.get(period)
    if entry is None:
        return None
    start = _first_day(period)

    earlier = sorted((e for e in history if e.period < period), key=lambda e: e.period)
    compared = earlier[-months:] if months > 0 else []
    average: Decimal | None = None
    change: int | None = None
    if compared:
        exact = sum((e.kwh for e in compared), Decimal(0)) / len(compared)
        average = exact.quantize(_KWH_STEP, ROUND_HALF_UP)
        if exact > 0:
            change = int(((entry.kwh / exact - 1) * 100).quantize(Decimal(1), ROUND_HALF_UP))
    year_ago = by_period.get(_period(add_months(start, -12)))

    rows = rows_valid_on(list(tariffs), category, scheme, start)
    volumes: Mapping[Zone, Decimal] | None
    if zone_kwh is not None and any(zone_kwh.values()):
        volumes = split_volume(entry.kwh, zone_kwh)
    elif tuple(REGISTER_ZONES[scheme].values()) == (Zone.ALL,):
        volumes = {Zone.ALL: entry.kwh}
    else:
        volumes = None
    priced: Estimate | None = None
    if rows and volumes is not None:
        try:
            priced = estimate(rows, volumes, large_family=large_family, split=split)
        except NoTariff:
            priced = None
    range_one = next((r.range_to_kwh for r in rows if r.range == 1), None)

    first_compared = _first_day(compared[0].period) if compared else start
    if year_ago is not None:
        first_compared = min(first_compared, _first_day(year_ago.period))
    return BillExplanation(
        period=period,
        kwh=entry.kwh,
        charged=entry.charged,
        basis=entry.basis,
        average_kwh=average,
        average_months=len(compared),
        change_percent=change,
        year_ago_kwh=None if year_ago is None else year_ago.kwh,
        top_range=consumption_range(rows, entry.kwh, large_family=large_family),
        range_one_limit=range_one,
        estimate=priced,
        difference=None if priced is None else entry.charged - priced.total,
        tariff_changes=_tariff_changes(
            tariffs, category, scheme, first_compared, add_months(start, 1) - timedelta(days=1)
        ),
    )
