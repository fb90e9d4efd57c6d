"""meters files: one row per register; the rows of one (account, serial) make one meter."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.meters import REGISTER_ZONES, Meter, Register, Scheme
from energobot.exchange import fields as f
from energobot.exchange.errors import FieldError, RowError
from energobot.exchange.readers import Row
from energobot.exchange.schema import Columns, Parsed

COLUMNS = Columns(
    required=("account", "serial", "scheme", "digits", "smart", "register"),
    optional=("verification_due", "last_value", "last_date", "avg_monthly_kwh", "location"),
)

MIN_DIGITS, MAX_DIGITS = 4, 9
REGISTERS = ("T1", "T2", "T3")
# Fields every row of one meter repeats; they must agree.
_SHARED = ("scheme", "digits", "smart", "verification_due", "location")
LOCATION_LIMIT = 64


def _digits(raw: object) -> int:
    value = f.integer(raw)
    if not MIN_DIGITS <= value <= MAX_DIGITS:
        raise FieldError(f"must be {MIN_DIGITS} to {MAX_DIGITS}: {f.show(raw)}")
    return value


def _register(raw: object) -> str:
    if isinstance(raw, str) and raw.strip().upper() in REGISTERS:
        return raw.strip().upper()
    raise FieldError(f"not one of {', '.join(REGISTERS)}: {f.show(raw)}")


@dataclass(frozen=True, slots=True)
class _Line:
    """One row as far as it could be read; `meter` (with one register) only when fully valid."""

    number: int
    account: str | None
    serial: str | None
    register: str | None
    meter: Meter | None


def _parse_line(row: Row) -> tuple[_Line, list[RowError]]:
    fields = f.FieldReader(row)
    account = fields.required("account", f.account_number)
    serial = fields.required("serial", f.short_text(f.SERIAL_LIMIT))
    scheme = fields.required("scheme", f.choice(Scheme))
    digits = fields.required("digits", _digits)
    smart = fields.required("smart", f.flag)
    verification_due = fields.optional("verification_due", f.iso_date)
    register: str | None = fields.required("register", _register)
    last_value = fields.optional("last_value", f.non_negative)
    last_date = fields.optional("last_date", f.iso_date)
    average = fields.optional("avg_monthly_kwh", f.non_negative)
    location = fields.optional("location", f.short_text(LOCATION_LIMIT))

    if scheme is not None and register is not None and register not in REGISTER_ZONES[scheme]:
        own = ", ".join(REGISTER_ZONES[scheme])
        fields.error("register", f"{register} is not a register of a {scheme} meter ({own})")
        register = None
    if digits is not None and last_value is not None and last_value >= 10**digits:
        fields.error(
            "last_value",
            f"more integer digits than the display has ({digits}): {format(last_value, 'f')}",
        )

    meter = None
    if not fields.errors and register is not None:
        meter = Meter(
            account=account,
            serial=serial,
            scheme=scheme,
            digits=digits,
            smart=smart,
            verification_due=verification_due,
            registers=(Register(register, last_value, last_date, average),),
            location=location or "",
        )
    return _Line(row.number, account, serial, register, meter), fields.errors


def _shown(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return repr(str(int(value)))
    return repr(str(value))


def _assemble(lines: list[_Line]) -> tuple[Meter | None, list[RowError]]:
    """One meter from the rows of one (account, serial), or the reasons it cannot be."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line in lines:
        if line.register is None:
            continue
        if line.register in seen:
            errors.append(
                RowError(
                    line.number, "register", f"{line.register} repeats row {seen[line.register]}"
                )
            )
        else:
            seen[line.register] = line.number

    valid = [line for line in lines if line.meter is not None]
    if not valid:
        return None, errors
    first = valid[0]
    reference = first.meter
    assert reference is not None
    for line in valid[1:]:
        assert line.meter is not None
        for name in _SHARED:
            mine, theirs = getattr(line.meter, name), getattr(reference, name)
            if mine != theirs:
                errors.append(
                    RowError(
                        line.number,
                        name,
                        f"{_shown(mine)} differs from row {first.number} of the same meter "
                        f"({_shown(theirs)})",
                    )
                )
    missing = [name for name in REGISTER_ZONES[reference.scheme] if name not in seen]
    if missing:
        errors.append(
            RowError(
                first.number,
                "register",
                f"meter {reference.serial} ({reference.scheme}) has no row for "
                + ", ".join(missing),
            )
        )
    if errors or len(valid) != len(lines):
        return None, errors
    registers = [register for line in valid if line.meter for register in line.meter.registers]
    registers.sort(key=lambda register: register.name)
    return replace(reference, registers=tuple(registers)), errors


def parse_meters(rows: list[Row]) -> Parsed[Meter]:
    parsed: Parsed[Meter] = Parsed()
    groups: dict[tuple[str, str], list[_Line]] = {}
    for row in rows:
        line, errors = _parse_line(row)
        parsed.errors.extend(errors)
        parsed.refer(line.account, row.number)
        if line.account is not None and line.serial is not None:
            groups.setdefault((line.account, line.serial), []).append(line)
    for lines in groups.values():
        meter, errors = _assemble(lines)
        parsed.errors.extend(errors)
        if meter is not None:
            parsed.items.append(meter)
    parsed.sort_errors()
    return parsed
