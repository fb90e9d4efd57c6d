"""tariffs files: one row per category, scheme, zone, consumption range and validity period.

Besides each row, the file as a whole must make estimates possible: for every category,
scheme and start date, every zone of the scheme is priced; each zone's ranges run 1, 2, ...
from 0 kWh without gaps, the last one open-ended, with the same limits in every zone; and
the validity periods of one price do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from core.accounts import Category
from core.meters import REGISTER_ZONES, Scheme, Zone
from core.tariffs import TariffRow
from energobot.exchange import fields as f
from energobot.exchange.errors import FieldError, RowError
from energobot.exchange.readers import Row
from energobot.exchange.schema import Columns, Parsed, duplicates

COLUMNS = Columns(
    required=(
        "category",
        "scheme",
        "zone",
        "range",
        "range_from_kwh",
        "price",
        "valid_from",
    ),
    optional=("range_to_kwh", "valid_to"),
)

_ROMAN = {"I": 1, "II": 2, "III": 3}


def _range(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw in (1, 2, 3):
        return raw
    if isinstance(raw, str):
        value = raw.strip().upper()
        if value in ("1", "2", "3"):
            return int(value)
        if value in _ROMAN:
            return _ROMAN[value]
    raise FieldError(f"not one of 1, 2, 3 (or I, II, III): {f.show(raw)}")


def scheme_zones(scheme: Scheme) -> tuple[Zone, ...]:
    return tuple(REGISTER_ZONES[scheme].values())


def parse_tariff(row: Row) -> TariffRow | list[RowError]:
    fields = f.FieldReader(row)
    tariff = TariffRow(
        category=fields.required("category", f.choice(Category)),
        scheme=fields.required("scheme", f.choice(Scheme)),
        zone=fields.required("zone", f.choice(Zone)),
        range=fields.required("range", _range),
        range_from_kwh=fields.required("range_from_kwh", f.non_negative),
        range_to_kwh=fields.optional("range_to_kwh", f.non_negative),
        price=fields.required("price", f.positive),
        valid_from=fields.required("valid_from", f.iso_date),
        valid_to=fields.optional("valid_to", f.iso_date),
    )
    if tariff.scheme is not None and tariff.zone is not None:
        zones = scheme_zones(tariff.scheme)
        if tariff.zone not in zones:
            own = ", ".join(zones)
            fields.error("zone", f"{tariff.zone} is not a zone of {tariff.scheme} ({own})")
    low, high = tariff.range_from_kwh, tariff.range_to_kwh
    if low is not None and high is not None and high <= low:
        fields.error("range_to_kwh", f"must be above range_from_kwh ({low}): {high}")
    start, end = tariff.valid_from, tariff.valid_to
    if start is not None and end is not None and end < start:
        fields.error("valid_to", f"before valid_from ({start}): {end}")
    return fields.errors or tariff


@dataclass(frozen=True, slots=True)
class _Numbered:
    number: int
    row: TariffRow


def _group(
    items: Iterable[_Numbered], *attributes: str
) -> dict[tuple[object, ...], list[_Numbered]]:
    groups: dict[tuple[object, ...], list[_Numbered]] = {}
    for item in items:
        key = tuple(getattr(item.row, name) for name in attributes)
        groups.setdefault(key, []).append(item)
    return groups


def _kwh(value: Decimal | None) -> str:
    return "no limit" if value is None else format(value, "f")


def _check_ranges(zone_rows: list[_Numbered]) -> list[RowError]:
    """One zone's ranges: 1, 2, ... from 0 kWh, each continuing the last, the final one open."""
    ordered = sorted(zone_rows, key=lambda item: item.row.range)
    first = ordered[0]
    numbers = [item.row.range for item in ordered]
    if numbers != list(range(1, len(ordered) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if not missing:  # repeated ranges: reported as duplicates already
            return []
        shown = ", ".join(str(n) for n in missing)
        return [RowError(first.number, "range", f"range(s) {shown} missing for this zone")]
    errors = []
    if first.row.range_from_kwh != 0:
        errors.append(RowError(first.number, "range_from_kwh", "range 1 must start at 0 kWh"))
    for previous, item in pairwise(ordered):
        if previous.row.range_to_kwh is None:
            errors.append(
                RowError(
                    previous.number,
                    "range_to_kwh",
                    f"only the last range may have no upper limit (range {item.row.range}, "
                    f"row {item.number}, follows)",
                )
            )
        elif item.row.range_from_kwh != previous.row.range_to_kwh:
            errors.append(
                RowError(
                    item.number,
                    "range_from_kwh",
                    f"{_kwh(item.row.range_from_kwh)} does not continue range "
                    f"{previous.row.range} (row {previous.number}), which ends at "
                    f"{_kwh(previous.row.range_to_kwh)}",
                )
            )
    last = ordered[-1]
    if last.row.range_to_kwh is not None:
        errors.append(
            RowError(
                last.number,
                "range_to_kwh",
                "the last range must have no upper limit (nothing prices consumption above "
                f"{_kwh(last.row.range_to_kwh)})",
            )
        )
    return errors


def _check_tariff_set(rows: list[_Numbered]) -> list[RowError]:
    """One category, scheme and start date: every zone priced, same range limits in each."""
    first = rows[0]
    by_zone = _group(rows, "zone")
    missing = [zone for zone in scheme_zones(first.row.scheme) if (zone,) not in by_zone]
    errors = []
    if missing:
        errors.append(
            RowError(
                first.number,
                "zone",
                f"{first.row.category} {first.row.scheme} from {first.row.valid_from} "
                "has no rows for " + ", ".join(missing),
            )
        )
    limits: dict[int, _Numbered] = {}
    for zone_rows in by_zone.values():
        errors.extend(_check_ranges(zone_rows))
        for item in zone_rows:
            other = limits.setdefault(item.row.range, item)
            mine = (item.row.range_from_kwh, item.row.range_to_kwh)
            if mine != (other.row.range_from_kwh, other.row.range_to_kwh):
                errors.append(
                    RowError(
                        item.number,
                        "range_to_kwh" if mine[0] == other.row.range_from_kwh else "range_from_kwh",
                        f"range {item.row.range} limits differ from zone {other.row.zone} "
                        f"(row {other.number}): {_kwh(mine[0])}-{_kwh(mine[1])} vs "
                        f"{_kwh(other.row.range_from_kwh)}-{_kwh(other.row.range_to_kwh)}",
                    )
                )
    return errors


def _check_periods(rows: list[_Numbered]) -> list[RowError]:
    """One price's validity periods must not overlap."""
    ordered = sorted(rows, key=lambda item: item.row.valid_from)
    errors = []
    for previous, item in pairwise(ordered):
        end = previous.row.valid_to
        if end is None or end >= item.row.valid_from:
            errors.append(
                RowError(
                    item.number,
                    "valid_from",
                    f"{item.row.valid_from} overlaps row {previous.number} (valid from "
                    f"{previous.row.valid_from} to {end or 'open-ended'})",
                )
            )
    return errors


def parse_tariffs(rows: list[Row]) -> Parsed[TariffRow]:
    parsed: Parsed[TariffRow] = Parsed()
    valid: list[_Numbered] = []
    for row in rows:
        result = parse_tariff(row)
        if isinstance(result, list):
            parsed.errors.extend(result)
        else:
            parsed.items.append(result)
            valid.append(_Numbered(row.number, result))
    key = ("category", "scheme", "zone", "range", "valid_from")
    repeated = duplicates(
        ((item.number, tuple(getattr(item.row, name) for name in key)) for item in valid),
        "range",
        "the category, scheme, zone, range and valid_from",
    )
    parsed.errors.extend(repeated)
    # With unreadable or repeated rows the whole-file checks would only add noise.
    if parsed.errors:
        parsed.sort_errors()
        return parsed
    for tariff_set in _group(valid, "category", "scheme", "valid_from").values():
        parsed.errors.extend(_check_tariff_set(tariff_set))
    for price_rows in _group(valid, "category", "scheme", "zone", "range").values():
        parsed.errors.extend(_check_periods(price_rows))
    parsed.sort_errors()
    return parsed
