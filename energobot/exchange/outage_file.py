"""Reading the grid company's outage schedule: a CSV of supply interruptions.

The file: UTF-8 (a byte order mark is fine), comma-separated, a header naming exactly the columns
settlement, street, houses, start, end, kind, reason in any order. start and end are ISO date and
time («2026-03-01T09:00», a space instead of the T is fine); without an offset they are local time
of the zone given, with one («+05:00», «Z») the offset is respected. kind is planned or emergency;
houses is a `core.outages.HouseSpec` (empty: the whole street); reason may be empty.

Unlike the billing imports, which take a file whole or not at all, a schedule is read row by row:
a bad row is reported by its line and skipped, so that one typo does not keep the other outages
from being announced. A header that is not right stops the file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from core.outages import HouseSpec, HouseSpecError, Outage, OutageKind
from energobot.exchange import fields
from energobot.exchange.errors import FieldError, RowError
from energobot.exchange.fields import Converter, FieldReader, show
from energobot.exchange.readers import Format, read_table
from energobot.exchange.schema import Columns

COLUMNS = Columns(("settlement", "street", "houses", "start", "end", "kind", "reason"))

# What datetime.fromisoformat would also take (a date alone, «20260301T0900») is refused: a
# schedule's times are written out, and a date alone would silently mean midnight.
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)


def moment(tz: tzinfo) -> Converter[datetime]:
    """An aware datetime: ISO local time in `tz`, or ISO time with its own offset."""

    def convert(raw: object) -> datetime:
        value = fields.text(raw)
        parsed: datetime | None = None
        if _MOMENT.fullmatch(value):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:  # 2026-02-30, 25:00
                parsed = None
        if parsed is None:
            raise FieldError(
                f"not a date and time (YYYY-MM-DDTHH:MM, optionally with an offset): {show(raw)}"
            )
        if parsed.tzinfo is not None:
            return parsed
        local = parsed.replace(tzinfo=tz)
        # A time the clocks skipped (spring forward) comes back different from UTC; an ambiguous
        # one (autumn) is taken as its first occurrence (fold=0).
        if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != parsed:
            raise FieldError(f"{show(raw)} does not exist in {tz} (the clocks moved forward)")
        return local

    return convert


def houses(raw: object) -> str:
    """The houses field as written, once it is known to read as a HouseSpec."""
    value = fields.text(raw)
    try:
        HouseSpec.parse(value)
    except HouseSpecError as exc:  # the column is named already: the part and the problem
        part = exc.part if exc.part is not None else exc.spec
        raise FieldError(f"{part!r}: {exc.problem}") from None
    return value


def read_outages(text: str, tz: tzinfo) -> tuple[list[Outage], list[RowError]]:
    """The outages of a schedule and the problems of the rows left out (by CSV line, then in
    column order). A file whose header is wrong yields no outages, only its errors."""
    # read_table takes bytes and decodes utf-8-sig, which drops the byte order mark; lone
    # surrogates survive the round trip and are reported as "not UTF-8 text".
    table = read_table(text.encode("utf-8", "surrogatepass"), Format.CSV)
    errors = list(table.errors)
    if table.columns is None:
        return [], errors
    header_errors = COLUMNS.check_header(table.columns)
    if header_errors:
        return [], header_errors + errors

    convert_moment = moment(tz)
    kind = fields.choice(OutageKind)
    outages: list[Outage] = []
    for row in table.rows:
        reader = FieldReader(row)
        settlement = reader.required("settlement", fields.text)
        street = reader.required("street", fields.text)
        spec = reader.optional("houses", houses) or ""
        starts_at = reader.required("start", convert_moment)
        ends_at = reader.required("end", convert_moment)
        outage_kind = reader.required("kind", kind)
        reason = reader.optional("reason", fields.text) or ""
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            reader.error("end", f"must be after start ({starts_at.isoformat()})")
        if reader.errors:
            errors.extend(reader.errors)
            continue
        try:
            outages.append(
                Outage(settlement, street, spec, starts_at, ends_at, outage_kind, reason)
            )
        except ValueError as exc:  # what only the whole outage can tell: «г.» names no place
            errors.append(RowError(row.number, None, str(exc)))
    errors.sort(key=lambda error: error.row or 0)
    return outages, errors
