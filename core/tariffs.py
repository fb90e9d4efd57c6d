"""Household tariffs and the bill estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from core.accounts import Category
from core.meters import Scheme, Zone
from core.money import to_rubles


class ZoneSplit(StrEnum):
    """How a month's volume is spread over consumption ranges when it has several zones."""

    PROPORTIONAL = "proportional"  # every zone has the same share in every range
    SEQUENTIAL = "sequential"  # zones fill range I first in register order (T1, T2, T3)


@dataclass(frozen=True, slots=True)
class TariffRow:
    category: Category
    scheme: Scheme
    zone: Zone
    range: int  # 1, 2, 3 (I, II, III)
    range_from_kwh: Decimal  # covers consumption above this ...
    range_to_kwh: Decimal | None  # ... up to and including this; None = no upper limit
    price: Decimal  # rub/kWh including VAT
    valid_from: date
    valid_to: date | None  # inclusive; None = open-ended


class NoTariff(LookupError):
    """No tariff row is valid for the category, scheme and date asked."""


def rows_valid_on(
    rows: list[TariffRow], category: Category, scheme: Scheme, on: date
) -> list[TariffRow]:
    """The rows of one category and scheme in force on a date.

    Where rows of several periods overlap (an indexation imported without closing the old
    open-ended rows), the newest valid_from wins for each zone and range.
    """
    newest: dict[tuple[Zone, int], TariffRow] = {}
    for row in rows:
        if (
            row.category == category
            and row.scheme == scheme
            and row.valid_from <= on
            and (row.valid_to is None or on <= row.valid_to)
        ):
            key = (row.zone, row.range)
            if key not in newest or row.valid_from > newest[key].valid_from:
                newest[key] = row
    return sorted(newest.values(), key=lambda r: (r.zone, r.range))


@dataclass(frozen=True, slots=True)
class EstimateLine:
    zone: Zone
    range: int
    kwh: Decimal
    price: Decimal
    amount: Decimal  # rounded to kopecks


@dataclass(frozen=True, slots=True)
class Estimate:
    category: Category
    scheme: Scheme
    tariff_date: date  # valid_from of the rows used
    lines: tuple[EstimateLine, ...]
    total: Decimal  # the sum of the rounded lines

    @property
    def kwh(self) -> Decimal:
        return sum((line.kwh for line in self.lines), Decimal(0))


def estimate(
    rows: list[TariffRow],
    zone_kwh: Mapping[Zone, Decimal],
    *,
    large_family: bool = False,
    split: ZoneSplit = ZoneSplit.PROPORTIONAL,
) -> Estimate:
    """The charge for a month's volume per zone, with rows already chosen by rows_valid_on.

    The month's total volume is cut into ranges by the rows' limits; each zone's kWh in each
    range are priced at that zone's and range's price. Large families pay the range I price
    for everything. Raises NoTariff when a zone or range has no row.
    Example (demo prices): two-zone, day 180 + night 70 in range I -> 180 x 7.08 + 70 x 4.26
    = 1 572.60.
    """
    if not rows:
        raise NoTariff("no tariff rows")
    category, scheme = rows[0].category, rows[0].scheme
    if any(row.category != category or row.scheme != scheme for row in rows):
        raise ValueError("tariff rows of different categories or schemes")
    volumes = {zone: kwh for zone, kwh in zone_kwh.items() if kwh != 0}
    if any(kwh < 0 for kwh in volumes.values()):
        raise ValueError("negative consumption")
    prices = _price_table(rows)
    total_kwh = sum(volumes.values(), Decimal(0))
    if total_kwh == 0:
        return Estimate(category, scheme, max(r.valid_from for r in rows), (), Decimal(0))

    if large_family:
        pieces = [(zone, 1, kwh) for zone, kwh in volumes.items()]
    else:
        limits = _range_limits(rows, total_kwh)
        if split is ZoneSplit.SEQUENTIAL:
            pieces = _split_sequential(volumes, limits)
        else:
            pieces = _split_proportional(volumes, limits, total_kwh)

    lines: list[EstimateLine] = []
    used: list[TariffRow] = []
    for zone, range_no, kwh in pieces:
        if kwh == 0:
            continue
        row = prices.get((zone, range_no))
        if row is None:
            raise NoTariff(f"no price for {zone} in range {range_no}")
        used.append(row)
        lines.append(EstimateLine(zone, range_no, kwh, row.price, to_rubles(kwh * row.price)))
    total = sum((line.amount for line in lines), Decimal(0))
    return Estimate(category, scheme, max(r.valid_from for r in used), tuple(lines), total)


# kWh of a zone in a range are rounded to this when the split is proportional.
_KWH_STEP = Decimal("0.01")

# (range number, from, to]: to = None means no upper limit.
_Limits = list[tuple[int, Decimal, Decimal | None]]


def _price_table(rows: list[TariffRow]) -> dict[tuple[Zone, int], TariffRow]:
    table: dict[tuple[Zone, int], TariffRow] = {}
    # Of overlapping rows for the same zone and range, the newest wins.
    for row in sorted(rows, key=lambda r: r.valid_from):
        table[(row.zone, row.range)] = row
    return table


def consumption_range(rows: list[TariffRow], kwh: Decimal, *, large_family: bool = False) -> int:
    """The range (1, 2, 3) a month's volume ends in; large families are always in range I."""
    if large_family or not rows:
        return 1
    limits = _range_limits(rows, kwh) if kwh > 0 else []
    return next((n for n, lo, hi in reversed(limits) if kwh > lo), 1)


def _range_limits(rows: list[TariffRow], total_kwh: Decimal) -> _Limits:
    """The ranges in order; raises NoTariff if they do not cover the month's volume."""
    by_range: dict[int, tuple[Decimal, Decimal | None]] = {}
    for row in sorted(rows, key=lambda r: r.valid_from):
        by_range[row.range] = (row.range_from_kwh, row.range_to_kwh)
    limits = sorted(((n, lo, hi) for n, (lo, hi) in by_range.items()), key=lambda x: x[1])
    covered = Decimal(0)
    for _, lo, hi in limits:
        if lo > covered:
            break  # a gap between ranges
        covered = max(covered, hi) if hi is not None else total_kwh
        if covered >= total_kwh:
            return limits
    raise NoTariff(f"no consumption range covers {total_kwh} kWh")


def _overlap(lo: Decimal, hi: Decimal, r_lo: Decimal, r_hi: Decimal | None) -> Decimal:
    """Length of (lo, hi] inside (r_lo, r_hi]."""
    top = hi if r_hi is None else min(hi, r_hi)
    return max(top - max(lo, r_lo), Decimal(0))


def _split_sequential(
    volumes: dict[Zone, Decimal], limits: _Limits
) -> list[tuple[Zone, int, Decimal]]:
    # Zones are laid end to end in the order given; each covers its own stretch of the volume.
    pieces: list[tuple[Zone, int, Decimal]] = []
    start = Decimal(0)
    for zone, kwh in volumes.items():
        for range_no, r_lo, r_hi in limits:
            pieces.append((zone, range_no, _overlap(start, start + kwh, r_lo, r_hi)))
        start += kwh
    return pieces


def _split_proportional(
    volumes: dict[Zone, Decimal], limits: _Limits, total_kwh: Decimal
) -> list[tuple[Zone, int, Decimal]]:
    # Each zone's share of the volume up to the end of every range, rounded; the lines are the
    # differences, so a zone's lines add up to exactly its kWh.
    pieces: list[tuple[Zone, int, Decimal]] = []
    for zone, kwh in volumes.items():
        done = Decimal(0)
        for range_no, r_lo, r_hi in limits:
            upto = _overlap(Decimal(0), total_kwh, Decimal(0), r_hi)
            in_range = _overlap(Decimal(0), total_kwh, r_lo, r_hi)
            if in_range == 0:
                continue
            share = (
                kwh
                if upto >= total_kwh
                else (kwh * upto / total_kwh).quantize(_KWH_STEP, ROUND_HALF_UP)
            )
            # Rounding up must not overshoot the zone's volume (the last line would go negative).
            share = max(done, min(share, kwh))
            pieces.append((zone, range_no, share - done))
            done = share
    return pieces
